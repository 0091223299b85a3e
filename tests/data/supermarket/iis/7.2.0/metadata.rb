name 'iis'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '7.2.0'
chef_version '>= 12.9' if respond_to?(:chef_version)
depends 'windows', '>= 5.0'
