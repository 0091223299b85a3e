name             'db_connect'
maintainer       'Platform Team'
maintainer_email 'platform@example.com'
license          'Apache-2.0'
description      'Writes database connection settings from the deploy attributes'
long_description IO.read(File.join(File.dirname(__FILE__), 'README.md'))
version          '1.2.0'
chef_version     '>= 11.10'

%w(amazon ubuntu).each do |os|
  supports os
end

recipe 'db_connect::default', 'Writes /etc/app/database.yml for every app'
