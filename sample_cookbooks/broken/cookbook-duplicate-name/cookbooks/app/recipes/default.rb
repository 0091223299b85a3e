log 'hello from app'
