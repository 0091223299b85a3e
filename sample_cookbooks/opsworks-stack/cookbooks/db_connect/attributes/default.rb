default['db_connect']['config_dir'] = '/etc/app'
default['db_connect']['owner'] = 'deploy'
