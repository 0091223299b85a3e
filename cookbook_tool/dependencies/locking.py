"""``cookbook-tool lock``: resolve the repository's community cookbooks and write
``cookbook-tool.lock`` (``lock_repository``), or check that the lock still satisfies the
metadata (``check_lock``).

An existing lock is honoured: its versions are tried alone first, and only when they no longer
satisfy the constraints (or ``--update`` names them) are the sources asked for others. A lock
that already satisfies everything is left as it is without any network access.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.archive.atomic import write_atomically
from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.constraints import Constraint, ConstraintError, Version
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.dependencies.cache import Cache
from cookbook_tool.dependencies.declared import (
    GIT,
    PATH,
    SUPERMARKET,
    Declared,
    DependencySettings,
    dependency_settings,
)
from cookbook_tool.dependencies.lockfile import (
    Lock,
    LockedCookbook,
    content_identity,
    lock_path,
    lock_problems,
    read_lock,
    render_lock,
    root_needs,
)
from cookbook_tool.dependencies.resolve import (
    Candidate,
    DependencyConflict,
    resolve_needs,
)
from cookbook_tool.dependencies.sources import (
    NO_CREDENTIALS,
    Credentials,
    Files,
    Http,
    fetch_git,
    files_from_folder,
    files_from_tarball,
)
from cookbook_tool.dependencies.universe import (
    MalformedUniverse,
    Universe,
    UniverseVersion,
    parse_universe,
    universe_url,
)
from cookbook_tool.errors import LocalError, RemoteError, UsageError
from cookbook_tool.metadata.read import read_metadata_files
from cookbook_tool.text import mask_url_credentials


@dataclass(frozen=True)
class LockRequest:
    root: Path  # the repository root
    cookbooks: Sequence[Cookbook]  # the repository's own
    config: Config
    cache: Cache
    update: bool = False
    names: tuple[str, ...] = ()  # with update: only these (empty: all)
    credentials: Credentials = NO_CREDENTIALS


@dataclass(frozen=True)
class LockResult:
    path: Path
    lock: Lock
    changes: list[str] = field(default_factory=list)  # "apt 7.4.0 -> 7.5.0", "+ mysql 8.6.0"
    written: bool = False


def external_names(config: Config) -> frozenset[str]:
    return config.external_cookbooks | config.builtin_cookbooks


def check_lock(root: Path, cookbooks: Sequence[Cookbook], config: Config) -> list[str]:
    """Why the lock does not satisfy the repository (empty: it does)."""
    return lock_problems(
        read_lock(lock_path(root)), cookbooks, dependency_settings(config), external_names(config)
    )


def lock_repository(request: LockRequest) -> LockResult:
    settings = dependency_settings(request.config)
    path = lock_path(request.root)
    existing = read_lock(path) or Lock()
    external = external_names(request.config)
    own = {c.name for c in request.cookbooks}
    unknown = [
        n for n in request.names if n not in existing.cookbooks and n not in settings.declared
    ]
    if unknown:
        raise UsageError(f"--update {unknown[0]}: not a locked or declared cookbook")
    stale = lock_problems(existing, request.cookbooks, settings, external)
    if not request.update and not stale:
        return LockResult(path, existing)  # honoured as it is: no network
    index = _Index(request, settings, existing)
    needs = root_needs(request.cookbooks, settings, external)
    moving = set(request.names or (existing.cookbooks if request.update else ()))
    skip = external.__contains__
    try:
        chosen = resolve_needs(needs, index.candidates(moving, locked_only=True), skip)
    except DependencyConflict:
        chosen = resolve_needs(needs, index.candidates(moving, locked_only=False), skip)
    entries = {
        name: index.locked(candidate)
        for name, candidate in chosen.items() if name not in own
    }
    lock = Lock(dict(sorted(entries.items())))
    changes = changes_between(existing, lock)
    rendered = render_lock(lock)
    written = not path.is_file() or path.read_bytes() != rendered
    if written:
        write_atomically(path, lambda out: out.write(rendered))
    return LockResult(path, lock, changes, written)


def changes_between(before: Lock, after: Lock) -> list[str]:
    changes = []
    for name in sorted(set(before.cookbooks) | set(after.cookbooks)):
        old, new = before.cookbooks.get(name), after.cookbooks.get(name)
        if old is None and new is not None:
            changes.append(f"+ {name} {new.version} ({new.origin})")
        elif new is None and old is not None:
            changes.append(f"- {name} {old.version}")
        elif old is not None and new is not None and (old.version, old.sha256) != (
            new.version, new.sha256
        ):
            changes.append(f"~ {name} {old.version} -> {new.version}")
    return changes


class _Index:
    """The candidates of every name, fetched when first asked for (one universe per source)."""

    def __init__(self, request: LockRequest, settings: DependencySettings, existing: Lock) -> None:
        self._request = request
        self._settings = settings
        self._existing = existing
        self._universes: dict[str, Universe] = {}
        self._fetched: dict[str, Candidate] = {}
        self._http = Http(request.credentials)
        self._own: dict[str, Candidate] = {}
        for cookbook in request.cookbooks:
            self._own.setdefault(cookbook.name, _repository_candidate(cookbook))

    def candidates(self, moving: set[str], locked_only: bool) -> Callable[[str], list[Candidate]]:
        def offered(name: str) -> list[Candidate]:
            if name in self._own:
                return [self._own[name]]
            entry = self._existing.cookbooks.get(name)
            first = [] if entry is None or name in moving or not self._declared_as(entry) else [
                _locked_candidate(entry)
            ]
            if first and locked_only:
                return first
            others = self._offered(name)
            return first + [c for c in others if not first or c.version != first[0].version]

        return offered

    def _declared_as(self, entry: LockedCookbook) -> bool:
        declared = self._settings.declared.get(entry.name)
        if declared is None:
            return entry.kind == SUPERMARKET
        if declared.kind == GIT:
            return entry.kind == GIT and entry.source == declared.git and entry.ref == declared.ref
        return entry.kind == declared.kind

    def _offered(self, name: str) -> list[Candidate]:
        declared = self._settings.declared.get(name)
        if declared is not None and declared.kind in (GIT, PATH):
            return [self._fetched_candidate(declared)]
        source = self._settings.source_of(name)
        if source is None:
            return []
        versions = self._universe(source).get(name, {})
        ordered = sorted(versions.values(), key=lambda v: v.version.key, reverse=True)
        return [
            Candidate(name, v.version, SUPERMARKET, v.dependencies, (source, v)) for v in ordered
        ]

    def _universe(self, source: str) -> Universe:
        if source not in self._universes:
            url = universe_url(source)
            data = self._http.get(url, f"source {mask_url_credentials(source)}")
            try:
                self._universes[source] = parse_universe(data, source)
            except MalformedUniverse as exc:
                raise RemoteError(
                    f"source {mask_url_credentials(source)}: malformed universe at "
                    f"{mask_url_credentials(url)}: {exc}"
                ) from None
        return self._universes[source]

    def _fetched_candidate(self, declared: Declared) -> Candidate:
        if declared.name not in self._fetched:
            work = self._request.cache.work
            what = f"dependency {declared.name}"
            if declared.kind == GIT:
                assert declared.git is not None
                commit, files = fetch_git(declared.git, declared.ref, declared.rel, what, work,
                                          environment=self._request.credentials.environment)
            else:
                assert declared.path is not None
                commit, files = None, files_from_folder(declared.path, what)
            version, dependencies = _metadata_of(declared.name, files, what)
            self._fetched[declared.name] = Candidate(
                declared.name, version, declared.kind, dependencies, (declared, commit, files)
            )
        return self._fetched[declared.name]

    def locked(self, candidate: Candidate) -> LockedCookbook:
        """The lock entry of a chosen candidate (downloaded once to learn its content sha256)."""
        if candidate.origin == "locked":
            entry: LockedCookbook = candidate.ref
            return entry
        dependencies = {n: str(c) for n, c in candidate.dependencies}
        if candidate.origin == SUPERMARKET:
            source, version = candidate.ref
            files = self._download(version)
            identity = content_identity(files)
            self._request.cache.store(candidate.name, str(candidate.version), identity, files)
            return LockedCookbook(candidate.name, str(candidate.version), SUPERMARKET, source,
                                  identity, url=version.download_url, dependencies=dependencies)
        declared, commit, files = candidate.ref
        identity = content_identity(files)
        if declared.kind == GIT:
            self._request.cache.store(candidate.name, str(candidate.version), identity, files)
            return LockedCookbook(candidate.name, str(candidate.version), GIT, declared.git,
                                  identity, ref=declared.ref, commit=commit, rel=declared.rel,
                                  dependencies=dependencies)
        base = self._settings.file.parent if self._settings.file else self._request.root
        shown = Path(_relative(declared.path, base))
        return LockedCookbook(candidate.name, str(candidate.version), PATH, shown.as_posix(),
                              identity, dependencies=dependencies)

    def _download(self, version: UniverseVersion) -> Files:
        what = f"{version.name} {version.version}"
        data = self._http.get(version.download_url, what)
        return files_from_tarball(data, what, self._request.cache.work)


def _relative(path: Path, base: Path) -> str:
    return os.path.relpath(path, base)


def _repository_candidate(cookbook: Cookbook) -> Candidate:
    try:
        version = Version.parse(cookbook.version or "0.0.0")
    except ConstraintError:
        version = Version(0, 0, 0)
    return Candidate(cookbook.name, version, "repository",
                     tuple((d.name, d.constraint) for d in cookbook.depends))


def _locked_candidate(entry: LockedCookbook) -> Candidate:
    dependencies = []
    for name, text in entry.dependencies.items():
        try:
            dependencies.append((name, Constraint.parse(text)))
        except ConstraintError:
            dependencies.append((name, Constraint.any()))
    return Candidate(entry.name, Version.parse(entry.version), "locked", tuple(dependencies),
                     entry)


def _metadata_of(
    name: str, files: Files, what: str
) -> tuple[Version, tuple[tuple[str, Constraint], ...]]:
    metadata, _ = read_metadata_files(name, files, name)
    if metadata is None:
        raise LocalError(f"{what}: no metadata.rb or metadata.json in the cookbook")
    try:
        version = Version.parse(metadata.version or "0.0.0")
    except ConstraintError as exc:
        raise LocalError(f"{what}: {exc}") from None
    return version, tuple((d.name, d.constraint) for d in metadata.depends)


@dataclass(frozen=True)
class LockSettings:
    """What the ``lock`` command was asked (paths relative to ``cwd``)."""

    repo: Path
    cwd: Path
    cache_dir: Path
    config_file: Path | None = None
    update: bool = False
    names: tuple[str, ...] = ()
    check: bool = False
    import_file: Path | None = None
    credentials: Credentials = NO_CREDENTIALS


@dataclass(frozen=True)
class LockOutcome:
    path: Path
    result: LockResult | None = None
    problems: list[str] = field(default_factory=list)  # --check: why the lock is stale


def run_lock(settings: LockSettings) -> LockOutcome:
    """Open the repository once, then check, import or (re)write its lock."""
    from cookbook_tool.config.load import resolve_config
    from cookbook_tool.cookbook.discovery import find_repository_root
    from cookbook_tool.cookbook.repository import open_repository

    folder = (settings.cwd / settings.repo).resolve()
    if not folder.is_dir():
        raise LocalError(f"{settings.repo}: no such folder")
    root = find_repository_root(folder)
    config = resolve_config(settings.config_file, root, settings.cwd)
    cookbooks = open_repository(root, config).cookbooks
    if settings.check:
        return LockOutcome(lock_path(root), problems=check_lock(root, cookbooks, config))
    cache = Cache(settings.cache_dir)
    if settings.import_file is not None:
        from cookbook_tool.dependencies.importers import import_lock

        own = frozenset(c.name for c in cookbooks)
        result = import_lock(settings.cwd / settings.import_file, root, cache,
                             settings.credentials, own)
        return LockOutcome(result.path, result)
    request = LockRequest(root, cookbooks, config, cache, settings.update, settings.names,
                          settings.credentials)
    return LockOutcome(lock_path(root), lock_repository(request))
