name 'noversion'
