module LegacyApp
  def self.db
    data_bag_item('aws_opsworks_rds_db_instance', 'main')
  end
end
