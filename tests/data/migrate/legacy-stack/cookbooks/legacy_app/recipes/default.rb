include_recipe 'opsworks_commons::default'
include_recipe "scm_helper"

instance = node[:opsworks][:instance][:hostname]
layer = node['opsworks']['layers']

node.set['legacy_app']['host'] = instance
node.set_unless['legacy_app']['layer'] = layer

chef_gem 'aws-sdk' do
  version '1.0'
end

chef_gem 'fog' do
  compile_time true
end

easy_install_package 'boto'

erl_call 'list' do
  code 'q().'
end

rest = Chef::REST.new(Chef::Config[:chef_server_url])
=begin
node.set['ignored'] = true
=end
