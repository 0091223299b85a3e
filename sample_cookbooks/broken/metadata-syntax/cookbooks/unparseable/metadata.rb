name 'unparseable'
version '1.0.0
depends 'x'
