apps = search(:aws_opsworks_app, 'deploy:true')

node[:deploy].each do |application, deploy|
  deploy_revision deploy[:deploy_to] do
    repo deploy[:scm][:repository]
  end
end

deploy 'legacy' do
  repo 'https://example.com/legacy.git'
end
