default['nodejs_demo']['port'] = 3000
default['nodejs_demo']['user'] = 'node'
