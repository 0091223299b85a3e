"""What one cookbook contributes to a bundle: its entries, mapped to archive paths.

Wraps ``walk_cookbook`` (chefignore and the always-excluded files) with the bundle's own rules:
the bundle output folder is left out; a symlink whose target stays inside the cookbook is stored
as the file it points to; links that leave the cookbook, broken links, loops, FIFOs, sockets and
devices cannot ship, and neither can file names that are not valid UTF-8: such entries are
yielded as *refused* with the problem, never raised, so that the caller can first report every
validation finding (validation reports the same entries under ``special-file``,
``filename-not-utf8``, ``symlink-loop``, ``symlink-escape``, ``symlink-broken``). Links to
folders inside the cookbook are stored as folders.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cookbook_tool.archive.tar import Member
from cookbook_tool.cookbook.chefignore import load_chefignore
from cookbook_tool.cookbook.model import COOKBOOK_NAME, Cookbook
from cookbook_tool.cookbook.walk import Entry, walk_cookbook
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.text import printable


@dataclass(frozen=True)
class Verdict:
    """Why an entry is not in the bundle: ``excluded`` (left out on purpose: chefignore, the
    output folder) or ``refused`` (it cannot ship: the problem; validation reports it)."""

    kind: Literal["excluded", "refused"]
    reason: str


def cookbook_members(
    cookbook: Cookbook,
    prefix: tuple[str, ...],
    output_dir: Path | None,
    walked: Iterable[Entry] | None = None,
) -> Iterator[tuple[Member, Verdict | None]]:
    """Every entry of ``cookbook`` with ``None`` (included) or why it is not included.

    Entries that cannot ship are yielded as refused, not raised (see the module docstring).
    """
    base = "/".join((*prefix, _checked_name(cookbook)))
    root = cookbook.path.resolve()
    if output_dir is not None and output_dir.resolve() == root:
        raise UsageError(f"{output_dir}: the output folder cannot be a cookbook folder")
    extra = (output_dir,) if output_dir is not None else ()
    yield Member(base, "dir", source=cookbook.path), None
    if walked is None:
        walked = walk_cookbook(cookbook.path, load_chefignore(cookbook.path), extra)
    for entry in walked:
        name = f"{base}/{entry.relpath}"
        if entry.excluded is not None:
            kind: Literal["dir", "file"] = "dir" if entry.kind == "dir" else "file"
            verdict = Verdict("excluded", entry.excluded)
            yield Member(name, kind, source=entry.fspath), verdict
        else:
            yield _planned(name, entry, root)


def _checked_name(cookbook: Cookbook) -> str:
    if not COOKBOOK_NAME.fullmatch(cookbook.name):
        where = cookbook.metadata_file or cookbook.path
        raise LocalError(
            f"{where}: cookbook name {cookbook.name!r} cannot be a folder name in a bundle "
            "(use letters, digits, _ - and .)"
        )
    return cookbook.name


def _planned(name: str, entry: Entry, root: Path) -> tuple[Member, Verdict | None]:
    if entry.problem is not None:
        return Member(name, "file", source=entry.fspath), Verdict("refused", entry.problem)
    if entry.kind == "file":
        return Member(name, "file", entry.size, entry.executable, entry.fspath), None
    if entry.kind == "dir":
        return Member(name, "dir", source=entry.fspath), None
    target = entry.target
    if entry.kind == "symlink" and target is not None and target.is_relative_to(root):
        note = f"symlink to {target.relative_to(root).as_posix() or '.'}"
        if target.is_dir():
            return Member(name, "dir", source=target, note=note), None
        return Member(name, "file", entry.size, entry.executable, target, note=note), None
    return Member(name, "file", source=entry.fspath), Verdict("refused", f"{entry.kind} entry")


def refusal(path: Path, problem: str) -> LocalError:
    """The error for an entry that cannot ship, when no validation finding refused the bundle
    (the last line of defence: something changed between validation and writing)."""
    return LocalError(
        f"{printable(str(path))}: {problem}: it cannot go into a bundle "
        "(fix it, remove it, or list it in chefignore)"
    )


