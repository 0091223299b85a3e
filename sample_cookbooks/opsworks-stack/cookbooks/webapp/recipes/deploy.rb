include_recipe 'db_connect'

node[:deploy].each do |application, deploy|
  next unless deploy[:application_type] == 'java'

  template "/etc/tomcat8/Catalina/localhost/#{application}.xml" do
    source 'context.xml.erb'
    mode '0640'
    variables(application: application, database: deploy[:database])
    notifies :restart, 'service[tomcat8]'
    sensitive true
  end
end

service 'tomcat8' do
  action :nothing
end
