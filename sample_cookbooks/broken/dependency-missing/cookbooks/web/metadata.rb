name 'web'
version '1.0.0'
depends 'apache_custom', '~> 2.0'
