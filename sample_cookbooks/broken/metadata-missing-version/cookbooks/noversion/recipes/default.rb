log 'hello from noversion'
