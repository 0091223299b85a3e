"""Promote one released version from a target to another (blue/green): the exact bytes that
passed on green become current on blue, never a rebuild.

1. Refuse two targets that are one place, then read the source's release (unknown version:
   an error, nothing touched at the destination).
2. S3 to S3 reachable by one client: a server-side copy (CopyObject, ``If-None-Match: *``),
   checked by the identity and the SHA-256 checksum the server keeps; no byte of the archive
   goes through this machine.
3. Otherwise the archive is downloaded into a temporary folder, checked as ``verify`` does and
   against the identity the source recorded (a Git source gives its tree back as an archive,
   checked to make the same tree), and published at the destination.
4. Either way the destination's own compare-and-swap makes it current and records a
   ``promote`` event naming the source (credentials masked) and when the source published it.
   What the destination already holds with the same identity is not uploaded again; other
   bytes under that version are a ``ReleaseConflict`` (exit 4).
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.artifact import Artifact, BundleRejected, checked_artifact
from cookbook_tool.errors import RemoteError, ToolError, UsageError
from cookbook_tool.publish.base import (
    Origin,
    Publisher,
    PublishResult,
    Release,
    ReleaseState,
)


@dataclass(frozen=True)
class PromoteResult:
    source: str  # URLs, credentials masked
    destination: str
    name: str
    version: str
    sha256: str
    already_there: bool  # the destination held this release: nothing uploaded
    server_side_copy: bool
    bytes_downloaded: int  # through this machine
    bytes_uploaded: int
    dry_run: bool
    result: PublishResult | None  # None with dry_run


def promote(
    source: Publisher,
    destination: Publisher,
    name: str,
    version: str,
    *,
    dry_run: bool = False,
    external: Collection[str] = (),
) -> PromoteResult:
    """Copy release ``version`` of ``name`` from ``source`` to ``destination`` and make it
    current there. ``external``: cookbooks the consumer provides (for the verify step)."""
    if source.place == destination.place:
        raise UsageError(
            f"--from and --to are the same place ({destination.url}): promote copies a "
            "release between two targets"
        )
    release = _release(source, name, version)
    origin = Origin(source.url, release.version, release.published_at)
    # Git gives its releases back rebuilt and builds its tree from the file: both need the bytes
    if not (getattr(source, "rebuilds_archives", False)
            or getattr(destination, "rebuilds_archives", False)):
        state = _checked_state(destination, _recorded(release), release)
        if dry_run:
            return _planned(source, destination, release, state)
        if state is ReleaseState.SAME:  # made current, nothing downloaded
            published = destination.publish(_recorded(release), force_current=True,
                                            origin=origin)
            return _result(source, destination, release, published, False, 0)
        copied = _server_side(source, destination, release, origin)
        if copied is not None:
            return _result(source, destination, release, copied, True, 0)
    with tempfile.TemporaryDirectory(prefix="cookbook-tool-promote-") as folder:
        path = source.download(name, version, Path(folder))
        artifact = _verified(source, path, release, external)
        if dry_run:
            state = _checked_state(destination, artifact, release)
            return _planned(source, destination, release, state)
        published = destination.publish(artifact, force_current=True, origin=origin)
        size = path.stat().st_size
    return _result(source, destination, release, published, False, size)


def _checked_state(destination: Publisher, artifact: Artifact, release: Release) -> ReleaseState:
    state = destination.state(artifact)
    if state is ReleaseState.DIFFERENT:
        raise _conflict(destination, release)
    return state


def _release(source: Publisher, name: str, version: str) -> Release:
    releases = source.releases(name)
    found = next((r for r in releases if r.version == version), None)
    if found is None:
        kept = ", ".join(r.version for r in releases) or "none"
        raise RemoteError(
            f"{source.url}: no release {name} {version} to promote (kept: {kept}): list them "
            f"with `cookbook-tool releases --to {source.url}`"
        )
    return found


def _verified(
    source: Publisher, path: Path, release: Release, external: Collection[str]
) -> Artifact:
    """The downloaded archive, checked as ``verify`` does and against the source's record."""
    error = _source_error(source)
    where = f"{source.url}: {release.name} {release.version}"
    try:
        artifact = checked_artifact(path, external)
    except BundleRejected as rejected:
        errors = [f for f in rejected.findings if f.is_error]
        first = errors[0] if errors else rejected.findings[0]
        raise error(
            f"{where} fails verify ({len(errors)} error(s); first: {first.rule}: "
            f"{first.message}): nothing promoted, the destination is unchanged"
        ) from rejected
    rebuilt = getattr(source, "rebuilds_archives", False)
    if artifact.name != release.name or artifact.version != release.version:
        raise error(
            f"{where}: the archive holds {artifact.name} {artifact.version}: nothing promoted"
        )
    if not rebuilt and artifact.sha256 != release.sha256:
        raise error(
            f"{where}: the archive's identity {artifact.sha256[:12]} is not the one its history "
            f"records ({release.sha256[:12]}): nothing promoted, the destination is unchanged"
        )
    return artifact


def _source_error(source: Publisher) -> type[ToolError]:
    store = getattr(source, "store", None)
    found: type[ToolError] = getattr(store, "history_error", RemoteError)
    return found


def _server_side(
    source: Publisher, destination: Publisher, release: Release, origin: Origin
) -> PublishResult | None:
    """A server-side copy when both are S3 buckets one client reaches; None otherwise."""
    from cookbook_tool.publish.store.s3.store import S3Publisher  # lazy: boto3

    if not (isinstance(source, S3Publisher) and isinstance(destination, S3Publisher)):
        return None
    entry = source.entry(release.name, release.version)
    artifact = Artifact(
        path=Path(source.s3.location(f"{release.name}/{release.version}")),
        name=release.name, version=release.version, sha256=entry.sha256,
        archive_sha256=entry.archive_sha256, size=entry.size,
        archive_format=entry.archive_format, layout=entry.layout,
        source_commit=entry.source_commit,
    )
    return destination.promote_copy(source, artifact, origin)


def _recorded(release: Release) -> Artifact:
    """The release as its source records it, without its bytes (for ``state`` and for making
    a release the destination already holds current; neither reads the file)."""
    return Artifact(
        path=Path(f"{release.name}-{release.version}.{release.archive_format}"),
        name=release.name, version=release.version, sha256=release.sha256,
        archive_sha256=release.archive_sha256, size=release.size,
        archive_format=release.archive_format, layout=release.layout,
        source_commit=release.source_commit,
    )


def _planned(
    source: Publisher, destination: Publisher, release: Release, state: ReleaseState
) -> PromoteResult:
    """What a promote would do: the destination's state for this identity, nothing written."""
    return PromoteResult(
        source.url, destination.url, release.name, release.version, release.sha256,
        already_there=state is ReleaseState.SAME, server_side_copy=False, bytes_downloaded=0,
        bytes_uploaded=0, dry_run=True, result=None,
    )


def _conflict(destination: Publisher, release: Release) -> ToolError:
    from cookbook_tool.errors import ReleaseConflict

    return ReleaseConflict(
        f"{destination.url} already holds {release.name} {release.version} with other bytes: "
        "released versions are immutable, nothing promoted"
    )


def _result(
    source: Publisher,
    destination: Publisher,
    release: Release,
    published: PublishResult,
    server_side: bool,
    downloaded: int,
) -> PromoteResult:
    return PromoteResult(
        source.url, destination.url, release.name, release.version, published.sha256,
        already_there=published.already_published, server_side_copy=server_side,
        bytes_downloaded=0 if published.already_published and server_side else downloaded,
        bytes_uploaded=published.bytes_uploaded, dry_run=False, result=published,
    )
