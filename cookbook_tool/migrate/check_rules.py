"""The rules of ``migrate check``: id, the Chef version from which the code fails (None: it
fails outside OpsWorks whatever the version), and the source of the fact. ``docs/migrate.md``
documents each one (a test keeps the two in step). Kept apart from ``validate``'s registry:
these rules judge code against a new runner, not against OpsWorks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MigrateRule:
    id: str
    title: str
    removed_in: int | None  # Chef major version from which it fails; None: any version
    source: str


RULES: dict[str, MigrateRule] = {rule.id: rule for rule in (
    MigrateRule("migrate-opsworks-attribute", "reads node[:opsworks]", None,
                "OpsWorks User Guide, stack configuration and deployment attributes"),
    MigrateRule("migrate-deploy-attribute", "reads node[:deploy]", None,
                "OpsWorks User Guide, deploy attributes (Chef 11.10)"),
    MigrateRule("migrate-opsworks-data-bag", "searches the aws_opsworks_* data bags", None,
                "OpsWorks User Guide, data bag reference (Chef 12 Linux)"),
    MigrateRule("migrate-builtin-cookbook", "uses an OpsWorks built-in cookbook", None,
                "aws/opsworks-cookbooks, branch release-chef-11.10"),
    MigrateRule("migrate-node-set", "node.set / node.set_unless", 14,
                "Cookstyle Chef/Deprecations/NodeSet, Chef/Deprecations/NodeSetUnless"),
    MigrateRule("migrate-chef-gem-compile-time", "chef_gem without compile_time", 13,
                "Chef deprecation CHEF-3 (chef_gem compile time); Cookstyle "
                "Chef/Modernize/ResourceForcingCompileTime"),
    MigrateRule("migrate-easy-install", "easy_install_package resource", 13,
                "Cookstyle Chef/Deprecations/EasyInstallResource"),
    MigrateRule("migrate-deploy-resource", "deploy / deploy_revision / deploy_branch resource",
                14, "Chef Infra Client 14 release notes (the deploy resource was removed)"),
    MigrateRule("migrate-erl-call", "erl_call resource", 13,
                "Cookstyle Chef/Deprecations/ErlCallResource"),
    MigrateRule("migrate-chef-rest", "Chef::REST", 13,
                "Cookstyle Chef/Deprecations/UsesChefRESTHelpers"),
    MigrateRule("migrate-parameter-advanced", "a secret over 4 KB (migrate attributes)", None,
                "Systems Manager User Guide, Parameter tiers"),
    MigrateRule("migrate-parameter-too-large", "a secret over 8 KB (migrate attributes)", None,
                "Systems Manager User Guide, Parameter tiers"),
)}
