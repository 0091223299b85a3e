package 'nginx'
include_recipe 'db_connect::setup'
