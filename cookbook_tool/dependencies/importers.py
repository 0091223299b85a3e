"""``cookbook-tool lock --import``: turn a Berkshelf ``Berksfile.lock`` or a Policyfile
``Policyfile.lock.json`` into ``cookbook-tool.lock`` with the same versions (no resolution).

Berksfile.lock (Berkshelf 3+; its ``source`` lines come from the ``Berksfile`` beside it)::

    DEPENDENCIES
      apt (~> 7.0)
      my_lib
        git: https://git.example/my_lib.git
        revision: 0123...
        tag: v1.2.0
      web
        path: cookbooks/web

    GRAPH
      apt (7.4.0)
      my_lib (1.2.0)
        chef-sugar (~> 3.6)

Policyfile.lock.json: ``cookbook_locks`` (each with ``version`` and ``source_options``:
``artifactserver``, ``git``/``revision``/``rel``, or ``path``) and
``solution_dependencies.dependencies`` (``"name (version)": [[dep, constraint], ...]``).

Every cookbook is downloaded once to record its content sha256 (and fill the cache); the
repository's own cookbooks are left out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookbook_tool.archive.atomic import write_atomically
from cookbook_tool.dependencies.cache import Cache
from cookbook_tool.dependencies.declared import GIT, PATH, SUPERMARKET
from cookbook_tool.dependencies.lockfile import (
    Lock,
    LockedCookbook,
    content_identity,
    lock_path,
    read_lock,
    render_lock,
)
from cookbook_tool.dependencies.locking import LockResult, changes_between
from cookbook_tool.dependencies.sources import (
    Credentials,
    Files,
    Http,
    fetch_git,
    files_from_folder,
    files_from_tarball,
)
from cookbook_tool.dependencies.universe import MalformedUniverse, parse_universe, universe_url
from cookbook_tool.errors import LocalError, RemoteError

_ENTRY = re.compile(r"^  (\S+)(?: \((.+)\))?$")
_OPTION = re.compile(r"^    (\w+): (.+)$")
_CHILD = re.compile(r"^    (\S+)(?: \((.+)\))?$")
_SOURCE = re.compile(r"""^\s*source\s+['"]([^'"]+)['"]""", re.MULTILINE)
_KEY = re.compile(r"^(\S+) \((\S+)\)$")


@dataclass(frozen=True)
class Pinned:
    """One cookbook of an imported lock, before it is fetched."""

    name: str
    version: str
    kind: str
    source: str  # supermarket URL, git URL, or path (relative to the lock file)
    dependencies: Mapping[str, str]
    url: str | None = None
    commit: str | None = None
    ref: str | None = None
    rel: str | None = None


def import_lock(file: Path, root: Path, cache: Cache, credentials: Credentials,
                own: frozenset[str] = frozenset()) -> LockResult:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LocalError(f"{file}: cannot read ({exc})") from exc
    if file.name.endswith(".json"):
        pinned = policyfile_pins(text, file)
    else:
        pinned = berksfile_pins(text, file, _berksfile_sources(file.parent / "Berksfile"))
    path = lock_path(root)
    before = read_lock(path) or Lock()
    fetch = _Fetch(cache, credentials, file.parent, root)
    entries = {p.name: fetch.locked(p) for p in pinned if p.name not in own}
    lock = Lock(dict(sorted(entries.items())))
    rendered = render_lock(lock)
    write_atomically(path, lambda out: out.write(rendered))
    return LockResult(path, lock, changes_between(before, lock), True)


def _berksfile_sources(berksfile: Path) -> list[str]:
    try:
        return _SOURCE.findall(berksfile.read_text(encoding="utf-8"))
    except OSError:
        return []


def berksfile_pins(text: str, file: Path, sources: list[str]) -> list[Pinned]:
    """The cookbooks of a Berksfile.lock (``sources``: the Berksfile's ``source`` lines)."""
    options: dict[str, dict[str, str]] = {}
    graph: dict[str, tuple[str, dict[str, str]]] = {}
    section, current = "", ""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if not line.startswith(" "):
            section = line.strip()
            continue
        entry, option, child = _ENTRY.match(line), _OPTION.match(line), _CHILD.match(line)
        if entry:
            current = entry.group(1)
            if section == "GRAPH":
                graph[current] = (entry.group(2) or "", {})
            else:
                options.setdefault(current, {})
        elif section == "DEPENDENCIES" and option and current:
            options[current][option.group(1)] = option.group(2).strip()
        elif section == "GRAPH" and child and current in graph:
            graph[current][1][child.group(1)] = child.group(2) or ">= 0.0.0"
        else:
            raise LocalError(f"{file}:{number}: not a Berksfile.lock line: {line.strip()!r}")
    if not graph:
        raise LocalError(f"{file}: no GRAPH section: not a Berksfile.lock")
    pins = []
    for name, (version, dependencies) in sorted(graph.items()):
        given = options.get(name, {})
        if "path" in given or given.get("metadata") == "true":
            continue  # the repository's own (or a folder next to it): not vendored
        if "git" in given:
            ref = given.get("tag") or given.get("branch") or given.get("ref")
            pins.append(Pinned(name, version, GIT, given["git"], dependencies,
                               commit=given.get("revision"), ref=ref, rel=given.get("rel")))
            continue
        if not sources:
            raise LocalError(
                f"{file}: {name} comes from a Supermarket, but the Berksfile beside it names no "
                "`source`"
            )
        pins.append(Pinned(name, version, SUPERMARKET, sources[0], dependencies))
    return pins


def policyfile_pins(text: str, file: Path) -> list[Pinned]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise LocalError(f"{file}: not JSON ({exc})") from exc
    locks = document.get("cookbook_locks") if isinstance(document, dict) else None
    if not isinstance(locks, dict):
        raise LocalError(f"{file}: no cookbook_locks object: not a Policyfile.lock.json")
    solution = document.get("solution_dependencies", {}).get("dependencies", {})
    dependencies: dict[str, dict[str, str]] = {}
    for key, pairs in solution.items():
        match = _KEY.match(key)
        if match and isinstance(pairs, list):
            dependencies[match.group(1)] = {str(d): str(c) for d, c in pairs}
    pins = []
    for name, entry in sorted(locks.items()):
        pins.extend(_policy_pin(name, entry, dependencies.get(name, {}), file))
    return pins


def _policy_pin(name: str, entry: Any, dependencies: dict[str, str], file: Path) -> list[Pinned]:
    options = entry.get("source_options") if isinstance(entry, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    if not isinstance(options, dict) or not isinstance(version, str):
        raise LocalError(f"{file}: cookbook_locks.{name}: no version or source_options")
    if "path" in options:
        return []  # the policy's own cookbooks
    if "git" in options:
        ref = options.get("tag") or options.get("branch") or options.get("ref")
        return [Pinned(name, version, GIT, options["git"], dependencies,
                       commit=options.get("revision"), ref=ref, rel=options.get("rel"))]
    url = options.get("artifactserver")
    if not isinstance(url, str):
        raise LocalError(f"{file}: cookbook_locks.{name}: unknown source_options {options}")
    source = url.split("/api/v1/", 1)[0]
    return [Pinned(name, version, SUPERMARKET, source, dependencies, url=url)]


class _Fetch:
    def __init__(self, cache: Cache, credentials: Credentials, base: Path, root: Path) -> None:
        self._cache = cache
        self._credentials = credentials
        self._http = Http(credentials)
        self._base = base
        self._root = root
        self._universes: dict[str, Any] = {}

    def locked(self, pin: Pinned) -> LockedCookbook:
        what = f"{pin.name} {pin.version}"
        files, url, commit = self._files(pin, what)
        identity = content_identity(files)
        self._cache.store(pin.name, pin.version, identity, files)
        source = pin.source
        if pin.kind == PATH:
            source = os.path.relpath((self._base / pin.source).resolve(), self._root)
        return LockedCookbook(pin.name, pin.version, pin.kind, source, identity, url=url,
                              ref=pin.ref, commit=commit, rel=pin.rel,
                              dependencies=dict(sorted(pin.dependencies.items())))

    def _files(self, pin: Pinned, what: str) -> tuple[Files, str | None, str | None]:
        if pin.kind == GIT:
            commit, files = fetch_git(pin.source, pin.ref, pin.rel, what, self._cache.work,
                                      commit=pin.commit, environment=self._credentials.environment)
            return files, None, commit
        if pin.kind == PATH:
            return files_from_folder(self._base / pin.source, what), None, None
        url = pin.url or self._download_url(pin, what)
        return files_from_tarball(self._http.get(url, what), what, self._cache.work), url, None

    def _download_url(self, pin: Pinned, what: str) -> str:
        if pin.source not in self._universes:
            data = self._http.get(universe_url(pin.source), f"source {pin.source}")
            try:
                self._universes[pin.source] = parse_universe(data, pin.source)
            except MalformedUniverse as exc:
                raise RemoteError(f"source {pin.source}: malformed universe: {exc}") from None
        entry = self._universes[pin.source].get(pin.name, {}).get(pin.version)
        if entry is None:
            raise RemoteError(f"{what}: {pin.source} does not offer this version")
        url: str = entry.download_url
        return url
