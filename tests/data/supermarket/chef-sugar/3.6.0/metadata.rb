name 'chef-sugar'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '3.6.0'
chef_version '>= 12.9' if respond_to?(:chef_version)
