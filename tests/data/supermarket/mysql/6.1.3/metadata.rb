name 'mysql'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '6.1.3'
chef_version '>= 12.9' if respond_to?(:chef_version)
depends 'yum', '< 4.0'
depends 'yum-epel'
