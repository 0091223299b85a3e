"""Leaving OpsWorks: Systems Manager configuration from what the repository keeps.

- ``plan``: one ``AWS-ApplyChefRecipes`` association per layer x event, pinned to a versioned
  release (``source``), with the document's parameters checked (``document``);
- ``attributes``: the stack/layer/deployment custom JSON merged with OpsWorks' precedence into
  ``JsonAttributesContent``, each value's origin kept, secrets moved to Parameter Store;
- ``cloudformation``, ``terraform``, ``formats``: the plan as templates and CLI documents;
- ``check``: a readiness report over the cookbooks (rules in ``check_rules``).

Pure core: no terminal, no environment, no network; nothing here imports boto3, botocore or git.
"""
