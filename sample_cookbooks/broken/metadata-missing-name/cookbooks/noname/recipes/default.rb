log 'hello from '
