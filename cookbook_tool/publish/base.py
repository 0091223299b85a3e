"""The one interface every publish target implements.

A target is a URL (``file://DIR``, ``s3://bucket/prefix``, ``git+ssh://...``). Each scheme is one
module with one ``Publisher`` class; ``cookbook_tool.publish.targets.open_publisher`` picks it.
Publishers never print: they return values and raise ``ToolError`` subclasses
(``RemoteError`` for remote failures, ``ReleaseConflict`` when a version exists with other bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from cookbook_tool.artifact import Artifact


class ReleaseState(StrEnum):
    ABSENT = "absent"  # this version was never published here
    SAME = "same"  # published with the same identity: nothing to do
    DIFFERENT = "different"  # published with other bytes: refuse


@dataclass(frozen=True)
class Release:
    """One entry of a target's release history."""

    name: str
    version: str
    sha256: str
    size: int
    published_at: str  # ISO 8601, UTC
    source_commit: str | None = None
    current: bool = False
    origin: str | None = None  # promoted: the target it came from (credentials masked)
    origin_published_at: str | None = None  # promoted: when that target published it
    archive_format: str = "tar.gz"  # what ``download`` gives: "tar.gz" or "zip"
    archive_sha256: str = ""  # of the archive file, where the target records it
    layout: str = "cookbooks"


@dataclass(frozen=True)
class Origin:
    """Where a promoted release comes from: recorded with it at the destination."""

    target: str  # the source target's URL, credentials masked
    version: str
    published_at: str  # when the source published it


@dataclass(frozen=True)
class ConsumerInfo:
    """How consumers point at a release: OpsWorks, Systems Manager, chef-solo.

    ``custom_cookbooks_source`` is the OpsWorks ``CustomCookbooksSource`` object;
    ``ssm_apply_chef_recipes`` the ``AWS-ApplyChefRecipes`` parameters (``SourceType``,
    ``SourceInfo``); ``chef_solo`` a command line; ``extra`` anything target-specific
    (e.g. ``presigned_url``, ``tag``). Never contains a secret.
    """

    custom_cookbooks_source: dict[str, Any]
    ssm_apply_chef_recipes: dict[str, Any]
    chef_solo: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishResult:
    target: str  # the target URL with any credentials masked
    name: str
    version: str
    sha256: str
    already_published: bool  # True: nothing was uploaded (same identity already there)
    bytes_uploaded: int
    current: bool  # True when this release is now the current one
    location: str  # where the immutable release object lives (URL/path/tag)
    consumer: ConsumerInfo | None = None


ProgressCallback = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class TargetOptions:
    """Every option a target may take; each publisher reads the ones it understands."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    sse: str | None = None  # "AES256" | "aws:kms"
    sse_kms_key_id: str | None = None
    presign_seconds: int | None = None
    branch: str | None = None
    tag_pattern: str = "{name}-{version}"
    ssh_key: Path | None = None
    known_hosts: Path | None = None
    token_env: str | None = None
    author_name: str | None = None
    author_email: str | None = None
    retention: int = 5
    # The environment the publisher runs with (git's PATH, HOME, SSH agent; AWS_ENDPOINT_URL):
    # the caller passes it (the CLI: the process's); the core never reads os.environ itself.
    environ: Mapping[str, str] = field(default_factory=dict)


class Publisher(Protocol):
    """What every target implements. ``url`` is safe to print (credentials masked);
    ``place`` names where releases live (two publishers with one place are one target)."""

    url: str
    place: str

    def state(self, artifact: Artifact) -> ReleaseState: ...

    def publish(
        self,
        artifact: Artifact,
        *,
        force_current: bool = False,
        on_progress: ProgressCallback | None = None,
        allow_foreign_branch: bool = False,
        origin: Origin | None = None,
    ) -> PublishResult:
        """``allow_foreign_branch``: Git only, publish onto a branch holding other commits.
        ``origin``: a promoted release, recorded with where it comes from."""
        ...

    def download(self, name: str, version: str, directory: Path) -> Path:
        """The archive of a kept release, written into ``directory``; ``RemoteError`` (for a
        folder: ``LocalError``) when there is no such release."""
        ...

    def releases(self, name: str) -> list[Release]:
        """The release history, newest first, the current one marked."""
        ...

    def rollback(self, name: str, version: str) -> Release:
        """Make a kept release current again; returns it."""
        ...

    def prune(
        self,
        name: str,
        keep: int,
        *,
        dry_run: bool = False,
        planned: Sequence[str] | None = None,
    ) -> list[Release]:
        """Delete releases beyond the newest ``keep`` (never the current); returns them.
        With ``planned`` (the versions shown to the user), delete exactly those or, when the
        history now gives another list, nothing (``RemoteError``)."""
        ...

    def consumer_info(self, name: str, version: str | None = None) -> ConsumerInfo:
        """Snippets for the current release (``version=None``) or a pinned one."""
        ...
