"""The publishing operations the CLI (``publish``, ``releases``, ``rollback``, ``prune``) and the
``release`` command call: each takes a target URL and options and returns values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.artifact import open_artifact
from cookbook_tool.publish.base import (
    Artifact,
    ConsumerInfo,
    ProgressCallback,
    PublishResult,
    Release,
    TargetOptions,
)
from cookbook_tool.publish.targets import open_publisher


@dataclass(frozen=True)
class PruneResult:
    target: str
    name: str
    keep: int
    dry_run: bool
    deleted: list[Release]  # with dry_run: what would be deleted


@dataclass(frozen=True)
class ReleaseList:
    target: str
    name: str
    releases: list[Release]  # newest first

    @property
    def current(self) -> str | None:
        return next((r.version for r in self.releases if r.current), None)


@dataclass(frozen=True)
class RollbackResult:
    target: str
    release: Release
    consumer: ConsumerInfo


def publish_artifact(
    artifact: Artifact,
    target: str,
    options: TargetOptions,
    *,
    force_current: bool = False,
    on_progress: ProgressCallback | None = None,
) -> PublishResult:
    return open_publisher(target, options).publish(
        artifact, force_current=force_current, on_progress=on_progress
    )


def publish_bundle(
    bundle: str,
    target: str,
    options: TargetOptions,
    *,
    source_commit: str | None = None,
    force_current: bool = False,
    on_progress: ProgressCallback | None = None,
) -> PublishResult:
    artifact = open_artifact(Path(bundle), source_commit=source_commit)
    return publish_artifact(
        artifact, target, options, force_current=force_current, on_progress=on_progress
    )


def list_releases(target: str, options: TargetOptions, name: str) -> ReleaseList:
    publisher = open_publisher(target, options)
    return ReleaseList(publisher.url, name, publisher.releases(name))


def rollback_release(
    target: str, options: TargetOptions, name: str, version: str
) -> RollbackResult:
    publisher = open_publisher(target, options)
    release = publisher.rollback(name, version)
    return RollbackResult(publisher.url, release, publisher.consumer_info(name))


def prune_releases(
    target: str, options: TargetOptions, name: str, keep: int | None, *, dry_run: bool
) -> PruneResult:
    keep = options.retention if keep is None else keep
    publisher = open_publisher(target, options)
    deleted = publisher.prune(name, keep, dry_run=dry_run)
    return PruneResult(publisher.url, name, keep, dry_run, deleted)
