name 'chef-sugar'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '5.1.12'
chef_version '>= 12.9' if respond_to?(:chef_version)
