log 'hello from db_connect'
