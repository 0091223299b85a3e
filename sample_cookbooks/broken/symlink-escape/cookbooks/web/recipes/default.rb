log 'hello from web'
