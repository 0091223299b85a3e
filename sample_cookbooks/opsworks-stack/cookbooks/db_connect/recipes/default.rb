#
# Cookbook:: db_connect
# Recipe:: default
#
directory node['db_connect']['config_dir'] do
  owner node['db_connect']['owner']
  mode '0750'
  recursive true
end

node[:deploy].each do |application, deploy|
  template ::File.join(node['db_connect']['config_dir'], "#{application}-database.yml") do
    source 'database.yml.erb'
    owner node['db_connect']['owner']
    mode '0640'
    variables(settings: DbConnect.settings(deploy))
    sensitive true
  end
end
