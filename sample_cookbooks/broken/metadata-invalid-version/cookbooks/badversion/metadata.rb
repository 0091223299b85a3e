name 'badversion'
version '1.0.0-beta'
