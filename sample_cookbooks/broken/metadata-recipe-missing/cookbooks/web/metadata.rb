name 'web'
version '1.0.0'
recipe 'web::deploy', 'Deploys the app'
