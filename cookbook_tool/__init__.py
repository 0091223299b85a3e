"""cookbook-tool: validate, bundle and publish Chef cookbooks for OpsWorks layers."""

__version__ = "0.1.0"
