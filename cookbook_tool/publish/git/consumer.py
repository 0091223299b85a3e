"""What consumers of a Git release need: OpsWorks' ``CustomCookbooksSource`` and the
``AWS-ApplyChefRecipes`` parameters, for the branch (moves with releases) and for a release tag
(pinned). Never contains a secret: the SSH key is named, not included."""

from __future__ import annotations

import json
from typing import Any

from cookbook_tool.publish.base import ConsumerInfo
from cookbook_tool.publish.git.transport import GitTarget

SSM_KEY_PARAMETER = "{{ssm-secure:cookbook-deploy-key}}"


def snippets(target: GitTarget, revision: str, get_options: str) -> dict[str, Any]:
    """Both snippets for one revision (a branch or a tag) and SSM ``getOptions``."""
    url = target.consumer_url
    source_info: dict[str, str] = {"repository": url}
    if target.scheme == "ssh":
        source_info["privateSSHKey"] = SSM_KEY_PARAMETER
    source_info["getOptions"] = get_options
    return {
        "custom_cookbooks_source": {"Type": "git", "Url": url, "Revision": revision},
        "ssm_apply_chef_recipes": {
            "SourceType": "Git",
            "SourceInfo": json.dumps(source_info, separators=(",", ":")),
        },
    }


def consumer_info(target: GitTarget, tag: str | None, commit: str | None) -> ConsumerInfo:
    """The pinned snippets when a release tag (and its commit) is given, else the branch's;
    both variants in ``extra``."""
    moving = snippets(target, target.branch, f"branch:{target.branch}")
    pinned = snippets(target, tag, f"commitID:{commit}") if tag and commit else None
    chosen = pinned or moving
    return ConsumerInfo(
        custom_cookbooks_source=chosen["custom_cookbooks_source"],
        ssm_apply_chef_recipes=chosen["ssm_apply_chef_recipes"],
        chef_solo=None,
        extra={
            "branch": target.branch,
            "tag": tag,
            "commit": commit,
            "moving": moving,
            "pinned": pinned,
            "ssh_key": ssh_key_note(target),
        },
    )


def ssh_key_note(target: GitTarget) -> str:
    if target.scheme != "ssh":
        return "no SSH key: not an SSH URL (OpsWorks needs an SSH URL for a private repository)"
    return (
        "OpsWorks: put the deploy key's private key (without passphrase) in "
        "CustomCookbooksSource.SshKey; Systems Manager: store it as the SecureString parameter "
        "named in privateSSHKey"
    )
