package node['webapp']['java_package']
package node['webapp']['tomcat_package']

service 'tomcat8' do
  action [:enable, :start]
end
