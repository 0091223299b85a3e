"""Where the associations fetch the cookbooks: a **versioned** release at an S3 or Git target,
never the moving "current" object or branch.

S3: the release object ``<prefix>/<name>/<version>/<name>-<version>.<format>`` (as the S3
publisher stores it), as an HTTPS URL. Git: the release tag's commit (``getOptions
commitID:SHA``: ``aws:downloadContent`` takes a branch or a commit, not a tag), with the SSH
key as a ``{{ssm-secure:NAME}}`` reference the user names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from cookbook_tool.config.load import Config, TargetConfig
from cookbook_tool.config.target_kinds import target_kind
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.publish.consumers import s3_object_url
from cookbook_tool.publish.git.messages import TagPattern
from cookbook_tool.publish.git.transport import parse_target
from cookbook_tool.publish.store.base import check_name, release_key
from cookbook_tool.text import did_you_mean, mask_url

DEFAULT_TAG_PATTERN = "{name}-{version}"
_SHA = re.compile(r"^[0-9a-f]{40}$")
_PARAMETER_NAME = re.compile(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")


@dataclass(frozen=True)
class ReleaseSource:
    """The ``SourceType``/``SourceInfo`` of one release, and what it is pinned to."""

    target: str  # the target's name in cookbook-tool.toml
    kind: str  # "s3" or "git"
    name: str
    version: str
    source_type: str
    source_info: Mapping[str, str]
    pinned_to: str  # the object URL, or "TAG (commit SHA)"
    secret_parameters: tuple[str, ...] = ()  # SecureString parameters the source refers to

    @property
    def source_info_json(self) -> str:
        return json.dumps(dict(self.source_info), separators=(",", ":"))

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "kind": self.kind, "name": self.name,
                "version": self.version, "SourceType": self.source_type,
                "SourceInfo": dict(self.source_info), "pinned_to": self.pinned_to,
                "secret_parameters": list(self.secret_parameters)}


def choose_target(config: Config, name: str | None) -> TargetConfig:
    """``--target NAME``, else the only S3 or Git target of the configuration."""
    usable = {n: t for n, t in config.targets.items() if target_kind(t.url) in ("s3", "git")}
    if name is not None:
        if name not in config.targets:
            hint = did_you_mean(name, list(config.targets))
            raise UsageError(f"no target {name!r} in the configuration{hint}")
        if name not in usable:
            raise UsageError(
                f"target {name!r} is a folder: Systems Manager reads cookbooks from S3, HTTP or "
                "Git; publish the release to an s3:// or Git target and name that one"
            )
        return usable[name]
    if len(usable) == 1:
        return next(iter(usable.values()))
    if not usable:
        raise UsageError(
            "no S3 or Git target in the configuration: add a [targets.NAME] table with an "
            "s3:// or Git url, release to it, then run migrate export"
        )
    raise UsageError(f"several S3/Git targets ({', '.join(usable)}): choose one with --target")


def release_source(
    config: Config, target: TargetConfig, version: str | None, *, commit: str | None = None,
    ssh_key_parameter: str = "cookbook-deploy-key",
) -> ReleaseSource:
    """The pinned source of ``version`` (default: the configuration's ``[bundle] version``)."""
    chosen = version or config.bundle_version
    if not chosen:
        raise UsageError(
            "no release version: pass --version (the version you released) or set "
            "[bundle] version; the associations are pinned to one release, never to 'current'"
        )
    try:
        check_name("version", chosen)
        name = check_name("bundle name", config.bundle_name)
    except LocalError as exc:  # a --version the user typed: a usage error
        raise UsageError(exc.message) from exc
    if target_kind(target.url) == "s3":
        return _s3_source(config, target, name, chosen)
    return _git_source(target, name, chosen, commit, ssh_key_parameter)


def _s3_source(config: Config, target: TargetConfig, name: str, version: str) -> ReleaseSource:
    parsed = urlparse(target.url)
    if parsed.username or parsed.password:
        raise UsageError(f"{mask_url(target.url)}: an S3 target URL must not hold credentials")
    prefix = parsed.path.strip("/")
    key = release_key(name, version, config.archive_format)
    key = f"{prefix}/{key}" if prefix else key
    options = target.options
    url = s3_object_url(parsed.netloc, key, options.get("region"), options.get("endpoint_url"))
    return ReleaseSource(target.name, "s3", name, version, "S3", {"path": url}, url)


def _git_source(
    target: TargetConfig, name: str, version: str, commit: str | None, ssh_key_parameter: str
) -> ReleaseSource:
    options = target.options
    git = parse_target(target.url, options.get("branch"))
    tag = TagPattern(options.get("tag_pattern", DEFAULT_TAG_PATTERN)).tag(name, version)
    if commit is None or not _SHA.match(commit):
        got = "" if commit is None else f" ({commit!r} is not a full 40-hex commit id)"
        raise UsageError(
            f"a Git release is pinned by its commit{got}: pass --commit SHA, the commit of tag "
            f"{tag!r} (git ls-remote {git.consumer_url} refs/tags/{tag}^{{}})"
        )
    info: dict[str, str] = {"repository": git.consumer_url}
    secrets: tuple[str, ...] = ()
    if git.scheme == "ssh":
        check_parameter_name(ssh_key_parameter)
        info["privateSSHKey"] = "{{ssm-secure:" + ssh_key_parameter + "}}"
        secrets = (ssh_key_parameter,)
    info["getOptions"] = f"commitID:{commit}"
    return ReleaseSource(target.name, "git", name, version, "Git", info, f"{tag} ({commit})",
                         secrets)


def check_parameter_name(name: str) -> str:
    """A Parameter Store name: letters, digits, ``_.-`` and ``/`` between path parts."""
    if not _PARAMETER_NAME.match(name) or name.lstrip("/").lower().startswith(("aws", "ssm")):
        raise UsageError(
            f"{name!r} is not a usable Parameter Store name: letters, digits, '_', '.', '-' and "
            "'/' between parts, not starting with aws or ssm"
        )
    return name
