# node[:opsworks] in a comment is not a use
default['legacy_app']['port'] = 8080
