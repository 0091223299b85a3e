name 'db_connect'
version '1.2.0'
