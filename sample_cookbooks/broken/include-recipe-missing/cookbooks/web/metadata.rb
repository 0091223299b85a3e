name 'web'
version '1.0.0'
depends 'db_connect'
