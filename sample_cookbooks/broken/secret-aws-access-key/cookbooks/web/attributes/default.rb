default['web']['region'] = 'us-east-1'
default['web']['aws_access_key_id'] = 'AKIAIOSFODNN7EXAMPLE'
