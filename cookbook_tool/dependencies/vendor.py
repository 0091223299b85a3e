"""The locked cookbooks a bundle carries, from the cache or downloaded again, each checked
against the lock's sha256 before it is used.

A download whose content identity is not the locked one is an error naming the cookbook and
both digests; nothing of it is written (the cache stores only checked content).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.dependencies.cache import Cache
from cookbook_tool.dependencies.declared import GIT, PATH
from cookbook_tool.dependencies.lockfile import LockedCookbook, content_identity
from cookbook_tool.dependencies.sources import (
    NO_CREDENTIALS,
    Credentials,
    Files,
    Http,
    fetch_git,
    files_from_folder,
    files_from_tarball,
)
from cookbook_tool.errors import LocalError, RemoteError


@dataclass(frozen=True)
class VendoredCookbook:
    """A locked cookbook ready to go into a bundle."""

    entry: LockedCookbook
    files: Mapping[str, bytes]

    @property
    def name(self) -> str:
        return self.entry.name


@dataclass(frozen=True)
class Fetcher:
    """Downloads a locked cookbook again (``offline``: never; says what is missing)."""

    cache: Cache
    base: Path  # the folder path sources are relative to (the configuration's)
    credentials: Credentials = NO_CREDENTIALS
    offline: bool = False

    def fetch(self, entry: LockedCookbook) -> Files:
        what = f"{entry.name} {entry.version}"
        if entry.kind == PATH:
            return files_from_folder((self.base / entry.source).resolve(), what)
        if entry.kind == GIT:
            _, files = fetch_git(entry.source, entry.ref, entry.rel, what, self.cache.work,
                                 commit=entry.commit, environment=self.credentials.environment)
            return files
        if entry.url is None:
            raise LocalError(f"{what}: the lock has no download URL: run `cookbook-tool lock`")
        data = Http(self.credentials).get(entry.url, what)
        return files_from_tarball(data, what, self.cache.work)


def vendor(entries: Iterable[LockedCookbook], fetcher: Fetcher) -> list[VendoredCookbook]:
    """Every entry's checked files (path sources are read fresh: they are the user's folders)."""
    entries = list(entries)
    missing = [
        e for e in entries
        if e.kind != PATH and fetcher.cache.load(e.name, e.version, e.sha256) is None
    ]
    if fetcher.offline and missing:
        names = ", ".join(f"{e.name} {e.version}" for e in missing)
        raise LocalError(
            f"--offline: not in the cache {fetcher.cache.root}: {names} (run "
            "`cookbook-tool bundle` once online, or `cookbook-tool lock`)"
        )
    vendored = []
    for entry in entries:
        files = fetcher.cache.load(entry.name, entry.version, entry.sha256)
        if files is None:
            files = checked(entry, fetcher.fetch(entry))
            if entry.kind != PATH:
                fetcher.cache.store(entry.name, entry.version, entry.sha256, files)
        vendored.append(VendoredCookbook(entry, files))
    return vendored


def checked(entry: LockedCookbook, files: Files) -> Files:
    """``files`` when their identity is the locked one, else ``RemoteError`` (a local folder:
    ``LocalError``) naming the cookbook and both digests."""
    actual = content_identity(files)
    if actual != entry.sha256:
        kind = LocalError if entry.kind == PATH else RemoteError
        raise kind(
            f"{entry.name} {entry.version} from {entry.origin}: content sha256 {actual} is not "
            f"the locked {entry.sha256}: it changed since it was locked; nothing was written "
            "(check the source, then `cookbook-tool lock --update " + entry.name + "`)"
        )
    return files
