name 'firewall'
maintainer 'Sous Chefs'
license 'Apache-2.0'
version '2.5.4'
chef_version '>= 12.9' if respond_to?(:chef_version)
depends 'chef-sugar'
