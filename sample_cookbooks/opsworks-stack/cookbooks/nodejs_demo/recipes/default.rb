include_recipe 'db_connect::default'

package 'nodejs'

cookbook_file '/usr/local/bin/nodejs-demo-healthcheck' do
  source 'healthcheck.sh'
  mode '0755'
end

template '/etc/systemd/system/nodejs-demo.service' do
  source 'nodejs-demo.service.erb'
  variables(port: node['nodejs_demo']['port'], user: node['nodejs_demo']['user'])
end
