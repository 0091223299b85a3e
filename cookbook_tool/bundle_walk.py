"""What one cookbook contributes to a bundle: its entries, mapped to archive paths.

Wraps ``walk_cookbook`` (chefignore and the always-excluded files) with the bundle's own rules:
the bundle output folder is left out; a symlink whose target stays inside the cookbook is stored
as the file it points to; links that leave the cookbook, broken links, loops, links to folders,
FIFOs, sockets and devices are refused (``LocalError`` naming the path), and so are file names
that are not valid UTF-8.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cookbook_tool.archive import Member
from cookbook_tool.errors import LocalError
from cookbook_tool.model import Cookbook
from cookbook_tool.walk import Entry, walk_cookbook

OUTPUT_FOLDER_REASON = "bundle output folder"


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
    cookbook: Cookbook, prefix: tuple[str, ...], output_dir: Path | None
) -> Iterator[tuple[PlannedEntry, str | None]]:
    """Every entry of ``cookbook`` with ``None`` (included) or the reason it is left out."""
    base = "/".join((*prefix, cookbook.name))
    root = cookbook.path.resolve()
    output = output_dir.resolve() if output_dir is not None else None
    yield PlannedEntry(base, "dir", cookbook.path, 0, False, ""), None
    skipped: list[str] = []
    for entry in walk_cookbook(cookbook.path):
        name = f"{base}/{_checked_name(entry)}"
        if any(entry.relpath.startswith(s + "/") for s in skipped):
            continue
        if entry.excluded is not None:
            yield _placeholder(name, entry), entry.excluded
            continue
        if output is not None and _inside(_real_parent(entry.path), output):
            skipped.append(entry.relpath)
            yield _placeholder(name, entry), OUTPUT_FOLDER_REASON
            continue
        yield _planned(name, entry, root), None


def _checked_name(entry: Entry) -> str:
    try:
        entry.relpath.encode("utf-8")
    except UnicodeEncodeError:
        raise LocalError(
            f"{os.fsencode(entry.path)!r}: file name is not valid UTF-8 and cannot be stored "
            "unchanged in a bundle; rename it"
        ) from None
    return entry.relpath


def _placeholder(name: str, entry: Entry) -> PlannedEntry:
    kind: Literal["dir", "file"] = "dir" if entry.kind == "dir" else "file"
    return PlannedEntry(name, kind, entry.path, 0, False, "")


def _planned(name: str, entry: Entry, root: Path) -> PlannedEntry:
    if entry.kind == "dir":
        return PlannedEntry(name, "dir", entry.path, 0, False, "")
    if entry.kind == "file":
        info = _stat(entry.path, follow=False)
        return PlannedEntry(name, "file", entry.path, info.st_size, _executable(info), "")
    if entry.kind == "symlink":
        return _link(name, entry, root)
    raise LocalError(
        f"{entry.path}: {_describe_special(entry.path)} cannot go into a bundle; "
        "remove it or add it to chefignore"
    )


def _link(name: str, entry: Entry, root: Path) -> PlannedEntry:
    target = entry.target
    where = f"{entry.path}: symlink"
    if target is None:
        raise LocalError(f"{where} is broken or loops; fix or remove it")
    if not _inside(target, root):
        raise LocalError(
            f"{where} points outside its cookbook ({target}); bundles only follow links that "
            "stay inside the cookbook: copy the file in instead"
        )
    info = _stat(target, follow=True)
    if stat.S_ISDIR(info.st_mode):
        raise LocalError(
            f"{where} points to a folder ({target}); bundles store links to files only: "
            "replace the link with the folder"
        )
    if not stat.S_ISREG(info.st_mode):
        raise LocalError(f"{where} points to {_describe_special(target)}; remove it")
    relative = target.relative_to(root).as_posix()
    return PlannedEntry(
        name, "file", target, info.st_size, _executable(info), f"symlink to {relative}"
    )


def _real_parent(path: Path) -> Path:
    return Path(os.path.realpath(path.parent)) / path.name


def _stat(path: Path, *, follow: bool) -> os.stat_result:
    try:
        return path.stat() if follow else path.lstat()
    except OSError as exc:
        raise LocalError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def _executable(info: os.stat_result) -> bool:
    return bool(info.st_mode & 0o111)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _describe_special(path: Path) -> str:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "an unreadable entry"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "a special file"
