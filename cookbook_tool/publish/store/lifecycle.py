"""The release lifecycle shared by every object-store target (S3, a local folder).

Order of writes, chosen so that an interrupted run never leaves a wrong state and a re-run
completes it:

1. the immutable release object, created only if absent (a lost race is re-checked: same
   identity -> already published, other identity -> ``ReleaseConflict``);
2. ``releases.json``, updated by compare-and-swap (re-read and re-applied on conflict);
3. the current object, re-synced from the history until the history is stable, so that
   concurrent publishers and rollbacks converge on what ``releases.json`` says.

Round trips: the history read that decides the state is also the first compare-and-swap
attempt (a stale read only costs a refused write and a re-read), and the current object is
synced from the history just written, then checked against a fresh read.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cookbook_tool.artifact import Artifact
from cookbook_tool.cookbook.constraints import ConstraintError, Version
from cookbook_tool.errors import ReleaseConflict, RemoteError
from cookbook_tool.publish import history as hist
from cookbook_tool.publish.base import (
    ConsumerInfo,
    Origin,
    ProgressCallback,
    PublishResult,
    Release,
    ReleaseState,
    TargetOptions,
)
from cookbook_tool.publish.store.base import (
    ObjectExists,
    ReleaseStore,
    check_name,
    current_key,
    history_key,
    release_key,
)

CAS_ATTEMPTS = 20
Read = tuple[bytes | None, str | None]  # a document and its compare-and-swap token
_FORMATS = frozenset({"tar.gz", "zip"})


class StorePublisher:
    """``Publisher`` on top of a ``ReleaseStore``; subclasses add ``consumer_info``."""

    def __init__(self, store: ReleaseStore, options: TargetOptions) -> None:
        self.store = store
        self.options = options
        self.url = store.url

    # -- Publisher -----------------------------------------------------------------------------
    def state(self, artifact: Artifact) -> ReleaseState:
        """Read-only: the target itself (``store.check``), then the history, then the object."""
        self.store.check()
        return self._state(artifact, self.load(_name(artifact.name)))

    def _state(self, artifact: Artifact, history: hist.History) -> ReleaseState:
        version = _version(artifact.version)
        recorded = history.find(version)
        if recorded is not None and _differs(recorded, artifact):
            return ReleaseState.DIFFERENT
        stored = self.store.stat(release_key(artifact.name, version, artifact.archive_format))
        if stored is None:
            return ReleaseState.DIFFERENT if self._other_format(artifact) else ReleaseState.ABSENT
        return ReleaseState.SAME if stored.sha256 == artifact.sha256 else ReleaseState.DIFFERENT

    def _other_format(self, artifact: Artifact) -> str | None:
        """The other archive format this version already has an object in (a run that was
        interrupted before the history was written)."""
        for fmt in _FORMATS - {artifact.archive_format}:
            if self.store.stat(release_key(artifact.name, artifact.version, fmt)) is not None:
                return fmt
        return None

    def publish(
        self,
        artifact: Artifact,
        *,
        force_current: bool = False,
        on_progress: ProgressCallback | None = None,
        allow_foreign_branch: bool = False,  # Git only: an object store has no branch
        origin: Origin | None = None,
    ) -> PublishResult:
        def upload(key: str) -> int:
            return self.store.put_new(key, artifact, on_progress)

        return self.publish_with(artifact, upload, force_current=force_current, origin=origin)

    def download(self, name: str, version: str, directory: Path) -> Path:
        entry = self.entry(name, version)
        path = directory / f"{name}-{version}.{entry.archive_format}"
        self.store.download(release_key(name, version, entry.archive_format), path)
        return path

    @property
    def place(self) -> str:
        return self.store.place

    def entry(self, name: str, version: str) -> hist.Entry:
        """The recorded release ``version`` of ``name``; ``history_error`` when unknown."""
        history = self.load(_name(name))
        found = history.find(_version(version))
        if found is None:
            kept = ", ".join(e.version for e in hist.newest_first(history)) or "none"
            raise self.store.history_error(
                f"{self.url}: no release {name} {version} (kept: {kept}): list them with "
                "`cookbook-tool releases`"
            )
        return found

    def publish_with(
        self,
        artifact: Artifact,
        create: Callable[[str], int],
        *,
        force_current: bool = False,
        origin: Origin | None = None,
    ) -> PublishResult:
        """Publish ``artifact`` (its identity, size and format), the release object made by
        ``create(key)`` (an upload, a server-side copy; ``ObjectExists`` when it lost a race;
        returns the bytes sent)."""
        self.store.check()  # fails early on a missing bucket
        key = release_key(artifact.name, _version(artifact.version), artifact.archive_format)
        sent, created = 0, False
        data, token = self.store.read_doc(history_key(_name(artifact.name)))
        read: Read | None = (data, token)
        # the history first: nothing is written on a conflict
        state = self._state(artifact, self._parse(data, artifact.name))
        if state is ReleaseState.ABSENT:
            try:
                sent, created = create(key), True
            except ObjectExists:
                state, read = self.state(artifact), None
        if state is ReleaseState.DIFFERENT:
            raise self._conflict(artifact, self.load(artifact.name).find(artifact.version))
        entry = hist.Entry.of(artifact, hist.now_iso(), origin)
        action = "promote" if origin else "force-current"
        source = origin.target if origin else None

        def record(history: hist.History) -> hist.History:
            recorded = history.find(artifact.version)
            if recorded is not None and _differs(recorded, artifact):
                raise self._conflict(artifact, recorded)
            if recorded is not None:
                if force_current:
                    return hist.set_current(
                        history, artifact.version, action=action, at=entry.published_at,
                        source=source,
                    )
                return history
            return hist.add_release(
                history, entry, make_current=force_current or _is_newest(history, entry.version)
            )

        history = self.update(artifact.name, record, read)
        self.sync_current(artifact.name, history)
        return PublishResult(
            target=self.url,
            name=artifact.name,
            version=artifact.version,
            sha256=artifact.sha256,
            already_published=not created,
            bytes_uploaded=sent,
            current=history.current == artifact.version,
            location=self.store.location(key),
            consumer=self.consumer_info(artifact.name),
        )

    def releases(self, name: str) -> list[Release]:
        return hist.to_releases(self.load(_name(name)))

    def rollback(self, name: str, version: str) -> Release:
        entry = self.load(_name(name)).find(_version(version))
        if entry is not None and self.store.stat(
            release_key(name, version, entry.archive_format)
        ) is None:
            raise RemoteError(
                f"{name} {version} is in the history but its archive is missing at "
                f"{self.url}: publish it again or roll back to another release"
            )
        at = hist.now_iso()
        history = self.update(
            name, lambda h: hist.set_current(h, version, action="rollback", at=at)
        )
        self.sync_current(name, history)
        return next(r for r in hist.to_releases(history) if r.version == version)

    def prune(
        self,
        name: str,
        keep: int,
        *,
        dry_run: bool = False,
        planned: Sequence[str] | None = None,
    ) -> list[Release]:
        plan = hist.prune_plan(self.load(_name(name)), keep)
        where = self.store.location(history_key(name))
        if dry_run or (not plan and not planned):
            return _as_releases(name, plan)
        at = hist.now_iso()
        removed: list[hist.Entry] = []

        def drop(history: hist.History) -> hist.History:
            removed[:] = hist.prune_plan(history, keep)
            hist.check_plan([e.version for e in removed], planned, where)
            return hist.remove(history, {e.version for e in removed}, at)

        self.update(name, drop)
        for entry in removed:  # after the history: a crash leaves an orphan, never a dangling entry
            self.store.delete(release_key(name, entry.version, entry.archive_format))
        return _as_releases(name, removed)

    def consumer_info(self, name: str, version: str | None = None) -> ConsumerInfo:
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------------------
    def load(self, name: str) -> hist.History:
        data, _ = self.store.read_doc(history_key(name))
        return self._parse(data, name)

    def _parse(self, data: bytes | None, name: str) -> hist.History:
        where = self.store.location(history_key(name))
        return hist.parse(data, name, where, self.store.history_error)

    def update(
        self,
        name: str,
        change: Callable[[hist.History], hist.History],
        read: Read | None = None,
    ) -> hist.History:
        """Apply ``change`` to ``releases.json`` with compare-and-swap, retrying on conflict.
        ``read``: the document and token read earlier, tried first; when ``change`` leaves it
        as it was, a fresh read decides (an earlier read cannot prove nothing is to be done)."""
        key = history_key(name)
        for attempt in range(CAS_ATTEMPTS):
            data, token = read or self.store.read_doc(key)
            before = self._parse(data, name)
            after = change(before)
            if after == before and data is not None:
                if read is None:
                    return after
                read = None
                continue
            read = None
            if self.store.write_doc(key, hist.dump(after), token):
                return after
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise RemoteError(
            f"{self.store.location(key)} kept changing while updating it (another publisher is "
            "busy): run the command again"
        )

    def sync_current(self, name: str, history: hist.History | None = None) -> None:
        """Make the current object a copy of the release ``releases.json`` marks current, until
        a fresh read still marks the same release. ``history``: the document just written."""
        key = history_key(name)
        for _ in range(CAS_ATTEMPTS):
            entry = (history if history is not None else self.load(name)).current_entry
            if entry is None:
                return
            target = current_key(name, entry.archive_format)
            stored = self.store.stat(target)
            if stored is None or stored.sha256 != entry.sha256:
                source = release_key(name, entry.version, entry.archive_format)
                self.store.copy(source, target)
            history = self.load(name)
            if history.current_entry == entry:
                return
        raise RemoteError(f"{self.store.location(key)} kept changing: run the command again")

    def _conflict(self, artifact: Artifact, recorded: hist.Entry | None) -> ReleaseConflict:
        fmt = recorded.archive_format if recorded else self._other_format(artifact)
        fmt = fmt or artifact.archive_format
        where = self.store.location(release_key(artifact.name, artifact.version, fmt))
        if fmt != artifact.archive_format:
            why = f"as {fmt}, this bundle is {artifact.archive_format}"
        else:
            why = "with different content (sha256 differs)"
        return ReleaseConflict(
            f"{artifact.name} {artifact.version} is already published at {where} {why}: "
            "released versions are immutable, bump the version in the bundle"
        )


def _differs(recorded: hist.Entry, artifact: Artifact) -> bool:
    return recorded.sha256 != artifact.sha256 or recorded.archive_format != artifact.archive_format


def _is_newest(history: hist.History, version: str) -> bool:
    """A new release becomes current unless it is older than the current one."""
    if history.current is None:
        return True
    try:
        return Version.parse(version).key >= Version.parse(history.current).key
    except ConstraintError:
        return True


def _as_releases(name: str, entries: list[hist.Entry]) -> list[Release]:
    return hist.to_releases(hist.History(name=name, entries=tuple(reversed(entries))))


def _name(value: str) -> str:
    return check_name("bundle name", value)


def _version(value: str) -> str:
    return check_name("version", value)
