"""Find the cookbooks of a repository, and the cookbook each changed file belongs to.

A repository keeps its cookbooks at its top level or under ``cookbooks/`` (also
``site-cookbooks/``). A cookbook is a folder with ``metadata.rb`` or ``metadata.json`` — or, so
that a missing metadata file is reported rather than silently skipped, a folder with
``recipes/`` or ``attributes/``. Cookbooks nested inside another cookbook (test fixtures such as
``mycb/test/fixtures/cookbooks/x``) are files of that cookbook, not cookbooks of the repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.errors import LocalError

DEFAULT_COOKBOOK_DIRS = ("cookbooks", "site-cookbooks")
METADATA_FILES = ("metadata.json", "metadata.rb")
CONFIG_FILE = "cookbook-tool.toml"
LOCK_FILE = "cookbook-tool.lock"  # dependencies.lockfile reads it; named here for the rules
_COOKBOOK_MARKERS = ("recipes", "attributes")


@dataclass
class Repository:
    """A cookbook repository: its root folder and its cookbooks, sorted by folder path."""

    root: Path
    cookbooks: list[Cookbook] = field(default_factory=list)

    def by_name(self) -> dict[str, list[Cookbook]]:
        named: dict[str, list[Cookbook]] = {}
        for cookbook in self.cookbooks:
            named.setdefault(cookbook.name, []).append(cookbook)
        return named

    def owner_of(self, path: Path) -> Cookbook | None:
        """The cookbook a file or folder belongs to, or None. A symbolic link belongs to the
        cookbook it lies in, wherever it points."""
        located = own_location(path)
        for cookbook in self.cookbooks:
            if located == cookbook.path or cookbook.path in located.parents:
                return cookbook
        return None


def own_location(path: Path) -> Path:
    """Where ``path`` itself lies: its folder resolved, its last component kept. A symbolic link
    is placed where the link is, never where it points (a link to ``/etc/passwd`` inside a
    cookbook belongs to that cookbook; a symlink loop is not followed)."""
    absolute = path.absolute()
    try:
        if absolute.name in ("", ".."):  # the root, or ``x/..``: a folder, not a link
            return absolute.resolve()
        return absolute.parent.resolve() / absolute.name
    except (OSError, RuntimeError):  # a loop among the folders above: keep the path as given
        return Path(os.path.normpath(absolute))


def looks_like_cookbook(folder: Path) -> bool:
    if any((folder / name).is_file() for name in METADATA_FILES):
        return True
    return any((folder / name).is_dir() for name in _COOKBOOK_MARKERS)


class Discoveries:
    """The repositories discovered during one command, each discovered once."""

    def __init__(self) -> None:
        self._found: dict[tuple[Path, tuple[str, ...]], Repository] = {}

    def __call__(
        self, root: Path, cookbook_dirs: Sequence[str] = DEFAULT_COOKBOOK_DIRS
    ) -> Repository:
        key = (root.resolve(), tuple(cookbook_dirs))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = discover(*key)
        return found


def find_repository_root(path: Path, discovered: Discoveries | None = None) -> Path:
    """The repository a path belongs to.

    A folder outside any cookbook is itself the repository. For a cookbook (or a file inside
    one): the nearest folder above it with ``cookbook-tool.toml`` (or ``.git``) from which the
    cookbook is discovered; else the folder holding it (above ``cookbooks/`` when it sits in
    one). A file outside any cookbook belongs to the nearest folder with a configuration or
    ``.git``.
    """
    start = own_location(path)
    folder = start if start.is_dir() else start.parent
    cookbook = outermost_cookbook(folder)
    if cookbook is None:
        if start.is_dir():
            return start
        return _nearest_marked(folder) or folder
    if _is_marked(cookbook):
        return cookbook
    marked = _nearest_marked(cookbook.parent)
    if marked is not None:
        repository = (discovered or discover)(marked)
        if any(c.path == cookbook for c in repository.cookbooks):
            return marked
    if cookbook.parent.name in DEFAULT_COOKBOOK_DIRS:
        return cookbook.parent.parent
    return cookbook.parent


def outermost_cookbook(folder: Path) -> Path | None:
    """The outermost cookbook folder at or above ``folder`` (nested fixtures belong to it)."""
    found = folder if looks_like_cookbook(folder) else None
    for parent in folder.parents:
        if any((parent / name).is_file() for name in METADATA_FILES):
            found = parent
    return found


def _is_marked(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() or (folder / ".git").exists()


def _nearest_marked(folder: Path) -> Path | None:
    return next((c for c in (folder, *folder.parents) if _is_marked(c)), None)


def discover(root: Path, cookbook_dirs: Sequence[str] = DEFAULT_COOKBOOK_DIRS) -> Repository:
    """The cookbooks of the repository at ``root`` (metadata not read yet).

    ``root`` may itself be a single cookbook. Raises ``LocalError`` when ``root`` is not a
    readable folder.
    """
    root = root.resolve()
    if not root.is_dir():
        raise LocalError(f"{root}: not a folder (give a cookbook or a cookbook repository)")
    if looks_like_cookbook(root) and any((root / n).is_file() for n in METADATA_FILES):
        return Repository(root, [Cookbook(root)])
    folders = [root, *(root / name for name in cookbook_dirs)]
    found: dict[Path, Cookbook] = {}
    for folder in folders:
        for child in _subfolders(folder):
            if child.name not in cookbook_dirs and looks_like_cookbook(child):
                found.setdefault(child, Cookbook(child))
    return Repository(root, sorted(found.values(), key=lambda c: c.path))


def _subfolders(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    try:
        children = sorted(folder.iterdir())
    except OSError as exc:
        raise LocalError(f"{folder}: cannot list folder ({exc.strerror})") from exc
    return [c for c in children if c.is_dir() and not c.name.startswith(".")]


def group_by_repository(
    paths: Iterable[Path], discovered: Discoveries | None = None
) -> dict[Path, list[Path]]:
    """Paths by repository root. Files of one folder share a root: it is looked up once per
    folder (pre-commit may pass thousands of files); ``discovered`` keeps the repositories
    discovered on the way, for the caller to use."""
    groups: dict[Path, list[Path]] = {}
    folders: dict[Path, Path] = {}  # a folder as given -> where it is
    roots: dict[Path, Path] = {}  # a file's folder -> its repository root
    for path in paths:
        known = folders.get(path.parent)
        if known is not None and path.name not in ("", ".", ".."):
            location = known / path.name
        else:
            location = own_location(path)
            folders[path.parent] = location.parent
        if location.is_dir():
            root = find_repository_root(location, discovered)
        else:
            root = roots.get(location.parent) or roots.setdefault(
                location.parent, find_repository_root(location, discovered)
            )
        groups.setdefault(root, []).append(location)
    return groups
