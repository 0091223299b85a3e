module DbConnect
  # Connection settings of one app, with OpsWorks' defaults filled in.
  def self.settings(app)
    db = app[:database] || {}
    {
      'adapter' => db[:adapter] || 'mysql2',
      'host' => db[:host],
      'port' => (db[:port] || 3306).to_i,
      'database' => db[:database],
      'username' => db[:username],
      'password' => db[:password],
      'reconnect' => db.fetch(:reconnect, true)
    }
  end
end
