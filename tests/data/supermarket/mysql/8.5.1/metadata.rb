name 'mysql'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '8.5.1'
chef_version '>= 12.9' if respond_to?(:chef_version)
depends 'yum-epel', '>= 3.0'
depends 'yum', '>= 3.2'
