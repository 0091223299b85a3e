"""What one cookbook contributes to a bundle: its entries, mapped to archive paths.

Wraps ``walk_cookbook`` (chefignore and the always-excluded files) with the bundle's own rules:
the bundle output folder is left out; a symlink whose target stays inside the cookbook is stored
as the file it points to; links that leave the cookbook, broken links, loops, links to folders,
FIFOs, sockets and devices are refused (``LocalError`` naming the path), and so are file names
that are not valid UTF-8. Links to folders inside the cookbook are stored as folders.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cookbook_tool.archive import Member
from cookbook_tool.chefignore import load_chefignore
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.model import Cookbook
from cookbook_tool.walk import Entry, walk_cookbook

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class PlannedEntry:
    """One directory or file of the archive and where its bytes come from."""

    name: str  # path inside the archive
    kind: Literal["dir", "file"]
    source: Path | None
    size: int
    executable: bool
    note: str  # "" or how it was derived, e.g. "symlink to recipes/x.rb"

    @property
    def sort_key(self) -> tuple[str, ...]:
        """Tree order, by name within each folder (as ``tar --sort=name``)."""
        return tuple(self.name.split("/"))

    def member(self) -> Member:
        return Member(self.name, self.kind, self.size, self.executable, self.source)


def cookbook_members(
    cookbook: Cookbook,
    prefix: tuple[str, ...],
    output_dir: Path | None,
    walked: Iterable[Entry] | None = None,
) -> Iterator[tuple[PlannedEntry, str | None]]:
    """Every entry of ``cookbook`` with ``None`` (included) or the reason it is left out.

    Raises ``LocalError`` for the first entry that cannot ship (see the module docstring).
    """
    base = "/".join((*prefix, _checked_name(cookbook)))
    root = cookbook.path.resolve()
    if output_dir is not None and output_dir.resolve() == root:
        raise UsageError(f"{output_dir}: the output folder cannot be a cookbook folder")
    extra = (output_dir,) if output_dir is not None else ()
    yield PlannedEntry(base, "dir", cookbook.path, 0, False, ""), None
    if walked is None:
        walked = walk_cookbook(cookbook.path, load_chefignore(cookbook.path), extra)
    for entry in walked:
        name = f"{base}/{entry.relpath}"
        if entry.excluded is not None:
            kind: Literal["dir", "file"] = "dir" if entry.kind == "dir" else "file"
            yield PlannedEntry(name, kind, entry.path, 0, False, ""), entry.excluded
        elif entry.problem is not None:
            raise LocalError(
                f"{display(entry.path)}: {entry.problem}: it cannot go into a bundle "
                "(fix it, remove it, or list it in chefignore)"
            )
        else:
            yield _planned(name, entry, root), None


def _checked_name(cookbook: Cookbook) -> str:
    if not _SAFE_NAME.fullmatch(cookbook.name):
        where = cookbook.metadata_file or cookbook.path
        raise LocalError(
            f"{where}: cookbook name {cookbook.name!r} cannot be a folder name in a bundle "
            "(use letters, digits, _ - and .)"
        )
    return cookbook.name


def _planned(name: str, entry: Entry, root: Path) -> PlannedEntry:
    if entry.kind == "dir":
        return PlannedEntry(name, "dir", entry.path, 0, False, "")
    if entry.kind == "file":
        return PlannedEntry(name, "file", entry.path, entry.size, entry.executable, "")
    target = entry.target
    if entry.kind == "symlink" and target is not None and target.is_relative_to(root):
        note = f"symlink to {target.relative_to(root).as_posix() or '.'}"
        if target.is_dir():
            return PlannedEntry(name, "dir", target, 0, False, note)
        return PlannedEntry(name, "file", target, entry.size, entry.executable, note)
    raise LocalError(f"{display(entry.path)}: {entry.kind} entry cannot go into a bundle")


def display(path: Path) -> str:
    """A path as printable text, with undecodable bytes shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
