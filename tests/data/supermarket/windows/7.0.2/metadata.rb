name 'windows'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '7.0.2'
chef_version '>= 12.9' if respond_to?(:chef_version)
