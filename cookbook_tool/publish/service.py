"""The publishing operations the CLI (``publish``, ``releases``, ``rollback``, ``prune``) and the
``release`` command call: each takes a target URL and options and returns values."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.artifact import Artifact, checked_artifact
from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.config.target_kinds import PROMOTE_FROM
from cookbook_tool.errors import UsageError
from cookbook_tool.publish.base import (
    ConsumerInfo,
    ProgressCallback,
    PublishResult,
    Release,
    TargetOptions,
)
from cookbook_tool.publish.configured import TargetRequest, resolve_target
from cookbook_tool.publish.promote import PromoteResult
from cookbook_tool.publish.targets import open_publisher
from cookbook_tool.text import did_you_mean


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
    allow_foreign_branch: bool = False,
) -> PublishResult:
    return open_publisher(target, options).publish(
        artifact, force_current=force_current, on_progress=on_progress,
        allow_foreign_branch=allow_foreign_branch,
    )


def publish_bundle(
    bundle: str,
    target: str,
    options: TargetOptions,
    *,
    source_commit: str | None = None,
    force_current: bool = False,
    on_progress: ProgressCallback | None = None,
    external: Collection[str] = (),
    allow_foreign_branch: bool = False,
) -> PublishResult:
    """Verify the bundle file as ``cookbook-tool verify`` does (``BundleRejected`` with the
    findings: nothing uploaded), then publish it. ``external``: cookbooks the consumer provides."""
    artifact = checked_artifact(Path(bundle), external, source_commit=source_commit)
    return publish_artifact(
        artifact, target, options, force_current=force_current, on_progress=on_progress,
        allow_foreign_branch=allow_foreign_branch,
    )


def publish_to(
    bundle: Path,
    request: TargetRequest,
    *,
    source_commit: str | None = None,
    force_current: bool = False,
    on_progress: ProgressCallback | None = None,
    allow_foreign_branch: bool = False,
) -> PublishResult:
    """``cookbook-tool publish``: resolve the target as the user named it (the project's
    configuration, found from ``request.cwd``, is read once: for a named target and for the
    cookbooks the consumer provides), then ``publish_bundle``."""
    from cookbook_tool.verify import consumer_cookbooks

    config = resolve_config(None, None, request.cwd)
    target, options = resolve_target(request, config)
    return publish_bundle(
        str(bundle),
        target,
        options,
        source_commit=source_commit,
        force_current=force_current,
        on_progress=on_progress,
        external=consumer_cookbooks(config),
        allow_foreign_branch=allow_foreign_branch,
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
    target: str,
    options: TargetOptions,
    name: str,
    keep: int | None,
    *,
    dry_run: bool,
    planned: Sequence[str] | None = None,
) -> PruneResult:
    """Delete (or with ``dry_run`` list) the releases beyond the newest ``keep`` (default: the
    target's retention). ``planned``: the versions a dry run showed; the deletion refuses
    (``RemoteError``) when the history now gives another list."""
    keep = options.retention if keep is None else keep
    publisher = open_publisher(target, options)
    deleted = publisher.prune(name, keep, dry_run=dry_run, planned=planned)
    return PruneResult(publisher.url, name, keep, dry_run, deleted)


def promote_to(
    request: TargetRequest,
    source: str | None,
    name: str,
    version: str,
    *,
    dry_run: bool = False,
) -> PromoteResult:
    """``cookbook-tool promote``: ``request`` names the destination (``--to``), ``source`` the
    target to copy from (``--from``; default: the destination's ``promote_from`` in
    ``cookbook-tool.toml``). Options given on the command line apply to both."""
    from cookbook_tool.publish.promote import promote
    from cookbook_tool.verify import consumer_cookbooks

    config = resolve_config(None, None, request.cwd)
    source = source or promote_source(config, request.to)
    to, to_options = resolve_target(request, config)
    source_request = TargetRequest(source, request.values, request.cwd, request.environ)
    origin, origin_options = resolve_target(source_request, config)
    return promote(
        open_publisher(origin, origin_options),
        open_publisher(to, to_options),
        name,
        version,
        dry_run=dry_run,
        external=consumer_cookbooks(config),
    )


def promote_source(config: Config | None, to: str) -> str:
    """The ``promote_from`` of the configured target ``to``; ``UsageError`` without one."""
    target = config.targets.get(to) if config is not None else None
    found = target.options.get(PROMOTE_FROM) if target is not None else None
    if found is None:
        where = f"[targets.{to}]" if target is not None else "a [targets.NAME] table"
        raise UsageError(
            f"promote --to {to}: no source: give --from TARGET or set promote_from in {where} "
            "of cookbook-tool.toml"
        )
    if config is None or found not in config.targets:
        names = sorted(config.targets) if config else []
        raise UsageError(
            f"[targets.{to}] promote_from = {found!r} is not a configured target"
            f"{did_you_mean(str(found), names)}"
        )
    return str(found)
