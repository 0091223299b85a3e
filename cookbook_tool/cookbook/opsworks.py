"""Facts about AWS OpsWorks Stacks that checks rely on."""

from __future__ import annotations

LIFECYCLE_EVENTS = ("setup", "configure", "deploy", "undeploy", "shutdown")

# The built-in cookbooks of OpsWorks' Chef 11.10 agent (aws/opsworks-cookbooks,
# branch release-chef-11.10). Custom cookbooks must not reuse these names.
OPSWORKS_CHEF_11_10_COOKBOOKS = frozenset(
    {
        "agent_version", "apache2", "dependencies", "deploy", "ebs", "gem_support", "haproxy",
        "memcached", "mod_php5_apache2", "mysql", "nginx", "opsworks_agent_monit",
        "opsworks_aws_flow_ruby", "opsworks_berkshelf", "opsworks_bundler", "opsworks_cleanup",
        "opsworks_cloudwatchlogs", "opsworks_commons", "opsworks_custom_cookbooks",
        "opsworks_ecs", "opsworks_ganglia", "opsworks_initial_setup", "opsworks_java",
        "opsworks_nodejs", "opsworks_postgresql", "opsworks_rubygems", "opsworks_shutdown",
        "opsworks_stack_state_sync", "packages", "passenger_apache2", "php", "rails", "ruby",
        "s3_file", "scm_helper", "ssh_host_keys", "ssh_users", "test_suite", "unicorn",
    }
)

EXTERNAL_PRESETS = {"opsworks-chef-11.10": OPSWORKS_CHEF_11_10_COOKBOOKS}

CUSTOM_JSON_MAX_BYTES = 120 * 1024
