"""``cookbook-tool.lock``: the resolved community cookbooks, as sorted, diff-friendly JSON.

::

    {"lockfile_version": 1,
     "cookbooks": {
       "apt": {"version": "7.5.0", "kind": "supermarket", "source": "https://supermarket.chef.io",
               "url": "https://.../apt/versions/7.5.0/download",
               "sha256": "...", "dependencies": {}},
       "my_lib": {"version": "1.2.0", "kind": "git", "source": "https://git.example/my_lib.git",
                  "ref": "v1.2.0", "commit": "<40 hex>", "rel": null, "sha256": "...", ...},
       "shared": {"version": "0.3.0", "kind": "path", "source": "../shared", ...}}}

``sha256`` is the cookbook's **content identity** (``content_identity``): the sha256 of the
sorted list of its files with their sizes and sha256, whatever the container it came in (a
Supermarket tarball, a git tree, a folder). Pure: no network.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cookbook_tool.cookbook.constraints import Constraint, ConstraintError, Version
from cookbook_tool.cookbook.discovery import LOCK_FILE
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.dependencies.declared import GIT, PATH, SUPERMARKET, DependencySettings
from cookbook_tool.errors import LocalError

LOCK_VERSION = 1
_KINDS = (SUPERMARKET, GIT, PATH)
_SHA256 = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class LockedCookbook:
    """One cookbook of the lock: where it came from, and its content identity."""

    name: str
    version: str
    kind: str  # supermarket | git | path
    source: str  # the Supermarket URL, the git URL, the path as declared
    sha256: str  # content identity
    url: str | None = None  # supermarket: the download URL
    ref: str | None = None  # git: as declared
    commit: str | None = None  # git: the commit the ref named when locked
    rel: str | None = None  # git: the cookbook's folder in the repository
    dependencies: Mapping[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        """Where it came from, for people and the bundle manifest."""
        if self.kind == GIT:
            where = f"{self.source}@{self.commit}"
            return f"git {where}" + (f":{self.rel}" if self.rel else "")
        if self.kind == PATH:
            return f"path {self.source}"
        return f"supermarket {self.url}"


@dataclass(frozen=True)
class Lock:
    """The cookbooks of ``cookbook-tool.lock``, by name."""

    cookbooks: Mapping[str, LockedCookbook] = field(default_factory=dict)


def content_identity(files: Mapping[str, bytes]) -> str:
    """The sha256 of a cookbook's content: its files (path relative to the cookbook, posix),
    sorted, each with its size and sha256."""
    import hashlib  # bundling and locking only: validate reads no content identities

    digest = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        digest.update(f"{hashlib.sha256(data).hexdigest()} {len(data)} {path}\n".encode())
    return digest.hexdigest()


def lock_path(root: Path) -> Path:
    return root / LOCK_FILE


def read_lock(path: Path) -> Lock | None:
    """The lock at ``path``, None when there is none; ``LocalError`` naming the problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LocalError(f"{path}: cannot read the lock ({exc.strerror or exc})") from exc
    try:
        return parse_lock(data)
    except ValueError as exc:
        raise LocalError(
            f"{path}: not a cookbook-tool lock ({exc}): run `cookbook-tool lock --update` to "
            "write it again"
        ) from exc


def parse_lock(data: bytes) -> Lock:
    import json

    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"invalid JSON: {str(exc)[:80]}") from None
    if not isinstance(document, dict) or document.get("lockfile_version") != LOCK_VERSION:
        raise ValueError(f"lockfile_version must be {LOCK_VERSION}")
    cookbooks = document.get("cookbooks")
    if not isinstance(cookbooks, dict):
        raise ValueError("no cookbooks object")
    return Lock({name: _entry(name, value) for name, value in sorted(cookbooks.items())})


def _entry(name: str, value: object) -> LockedCookbook:
    if not isinstance(value, dict):
        raise ValueError(f"cookbooks.{name} is not an object")
    text = {k: v for k, v in value.items() if isinstance(v, str)}
    for key in ("version", "kind", "source", "sha256"):
        if key not in text:
            raise ValueError(f"cookbooks.{name}.{key} is missing")
    if text["kind"] not in _KINDS or not _valid_version(text["version"]):
        raise ValueError(f"cookbooks.{name}: bad kind or version")
    if len(text["sha256"]) != 64 or not set(text["sha256"]) <= _SHA256:
        raise ValueError(f"cookbooks.{name}.sha256 is not a sha256")
    dependencies = value.get("dependencies", {})
    if not isinstance(dependencies, dict) or not all(
        isinstance(v, str) for v in dependencies.values()
    ):
        raise ValueError(f"cookbooks.{name}.dependencies is not an object of constraints")
    return LockedCookbook(
        name, text["version"], text["kind"], text["source"], text["sha256"], text.get("url"),
        text.get("ref"), text.get("commit"), text.get("rel"), dict(sorted(dependencies.items())),
    )


def _valid_version(text: str) -> bool:
    try:
        Version.parse(text)
    except ConstraintError:
        return False
    return True


def render_lock(lock: Lock) -> bytes:
    """The lock as deterministic JSON: keys sorted, two-space indent, a final newline."""
    cookbooks: dict[str, Any] = {}
    for name, entry in sorted(lock.cookbooks.items()):
        item: dict[str, Any] = {
            "version": entry.version, "kind": entry.kind, "source": entry.source,
            "sha256": entry.sha256, "dependencies": dict(sorted(entry.dependencies.items())),
        }
        for key in ("url", "ref", "commit", "rel"):
            if getattr(entry, key) is not None:
                item[key] = getattr(entry, key)
        cookbooks[name] = item
    document = {"lockfile_version": LOCK_VERSION, "cookbooks": cookbooks}
    import json  # only when a lock is read or written: validate without one never needs it

    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


@dataclass(frozen=True)
class Need:
    """One constraint that the lock must satisfy, and who sets it."""

    name: str
    constraint: Constraint
    wanted_by: str


def root_needs(
    cookbooks: Iterable[Cookbook], settings: DependencySettings, external: Collection[str]
) -> list[Need]:
    """What the repository asks for: every ``depends`` of its cookbooks on a cookbook it does not
    hold and that is not external, and every ``[dependencies]`` entry."""
    own = {c.name for c in cookbooks}
    needs = [
        Need(name, declared.constraint, "cookbook-tool.toml [dependencies]")
        for name, declared in settings.declared.items()
        if name not in own
    ]
    for cookbook in sorted(cookbooks, key=lambda c: c.name):
        for dependency in cookbook.depends:
            if dependency.name not in own and dependency.name not in external:
                label = f"{cookbook.name} {cookbook.version or '0.0.0'}"
                needs.append(Need(dependency.name, dependency.constraint, label))
    return needs


def lock_problems(
    lock: Lock | None,
    cookbooks: Collection[Cookbook],
    settings: DependencySettings,
    external: Collection[str],
) -> list[str]:
    """Why ``lock`` does not satisfy the repository (empty: it does). Each problem is one short
    sentence; the caller says which command fixes them."""
    needs = root_needs(cookbooks, settings, external)
    if lock is None:
        return [f"no {LOCK_FILE} ({needs[0].wanted_by} needs {needs[0].name})"] if needs else []
    own = {c.name: c for c in cookbooks}
    problems = []
    for name, declared in settings.declared.items():
        entry = lock.cookbooks.get(name)
        if entry is not None and entry.kind != declared.kind:
            problems.append(
                f"{name} is declared as a {declared.kind} source, locked as {entry.kind}"
            )
        elif entry is not None and declared.kind == GIT and entry.source != declared.git:
            problems.append(f"{name} is declared from {declared.git}, locked from {entry.source}")
    for entry in lock.cookbooks.values():
        for dependency, text in entry.dependencies.items():
            if dependency in own or dependency in external:
                continue
            try:
                constraint = Constraint.parse(text)
            except ConstraintError:
                constraint = Constraint.any()
            needs.append(Need(dependency, constraint, f"{entry.name} {entry.version}"))
    for need in needs:
        entry = lock.cookbooks.get(need.name)
        if entry is None:
            problems.append(f"{need.wanted_by} needs {need.name} {need.constraint}, not locked")
        elif not need.constraint.allows(Version.parse(entry.version)):
            problems.append(
                f"{need.wanted_by} needs {need.name} {need.constraint}, the lock has "
                f"{entry.version}"
            )
    return list(dict.fromkeys(problems))


def closure(lock: Lock, names: Iterable[str]) -> list[LockedCookbook]:
    """The locked cookbooks ``names`` need, with their own locked dependencies, by name."""
    seen: dict[str, LockedCookbook] = {}
    pending = [n for n in names if n in lock.cookbooks]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen[name] = lock.cookbooks[name]
        pending.extend(d for d in seen[name].dependencies if d in lock.cookbooks)
    return [seen[name] for name in sorted(seen)]
