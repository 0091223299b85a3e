include_recipe 'db_connect::default'
