name 'webapp'
maintainer 'Platform Team'
maintainer_email 'platform@example.com'
license 'Apache-2.0'
description 'Deploys the Java web application on Tomcat'
version '2.3.1'
chef_version '>= 11.10' if respond_to?(:chef_version)
issues_url 'https://git.example.com/platform/cookbooks/issues'
source_url 'https://git.example.com/platform/cookbooks'

supports 'amazon', '>= 2015.03'
supports 'ubuntu'

depends 'db_connect', '~> 1.2'

recipe 'webapp::default', 'Installs Java and Tomcat'
recipe 'webapp::deploy', 'Deploys the WAR and the database settings'
