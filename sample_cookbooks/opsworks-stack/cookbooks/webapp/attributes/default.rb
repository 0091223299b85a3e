default['webapp']['java_package'] = 'java-1.8.0-openjdk'
default['webapp']['tomcat_package'] = 'tomcat8'
default['webapp']['port'] = 8080
