log 'hello from badversion'
