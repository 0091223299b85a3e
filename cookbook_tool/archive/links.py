"""Where the entries and links of an archive land once it is extracted, symlinks followed as
the file system follows them: a chain of links is resolved as a whole.

One link may stay inside the archive and still open a way out for the next one:
``a/l -> ..`` lands on the archive's root, so ``a/l/l2 -> ../..`` (written at ``l2`` of the
root) points above it. Each link is therefore resolved through every link of the archive
(whatever their order in it, as a later extraction may follow them), and so is the folder of
every entry written below a link. A ``..`` above the archive's root or an absolute target is
an escape; a loop (more than 40 links in one lookup, Linux's ``ELOOP`` limit) is not, since a
loop reaches nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Literal

_MAX_HOPS = 40  # links followed in one lookup before Linux answers ELOOP
Landing = list[str] | Literal["outside", "loop"]


def resolve(parts: list[str], links: Mapping[str, str], *, follow_last: bool) -> Landing:
    """The components of where ``parts`` (a path from the archive's root) lands, ``"outside"``
    when it leaves the root, ``"loop"`` when the links go round. ``links``: symlink name ->
    target, names normalised (no ``.``, no empty components); ``follow_last``: whether a link
    in the last component is followed too."""
    pending = list(reversed(parts))
    current: list[str] = []
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not current:
                return "outside"
            current.pop()
            continue
        target = links.get("/".join([*current, part]))
        if target is None or (not pending and not follow_last):
            current.append(part)
            continue
        hops += 1
        if hops > _MAX_HOPS:
            return "loop"
        if is_absolute(target):
            return "outside"
        pending.extend(reversed(target.split("/")))
    return current


def escapes(name: str, link: str, links: Mapping[str, str], *, hard: bool) -> bool:
    """Whether the link ``name -> link`` points outside the archive: a symlink's target is
    relative to its folder and followed to the end; a hard link's target is a member name
    (from the root), the link it may name is not followed."""
    if is_absolute(link):
        return True
    if hard:
        return resolve(link.split("/"), links, follow_last=False) == "outside"
    folder = name.split("/")[:-1]
    return resolve([*folder, *link.split("/")], links, follow_last=True) == "outside"


def is_absolute(target: str) -> bool:
    """``/x``, ``\\x`` or a drive letter (``C:``): a target outside any extraction folder."""
    return target.startswith(("/", "\\")) or (len(target) > 1 and target[1] == ":")


def written_through_links(names: Iterator[str], links: Mapping[str, str]) -> Iterator[str]:
    """The names whose folder lies below a symlink of the archive and lands outside it once
    the links are followed (extracting them would write outside the folder)."""
    for name in names:
        end = name.find("/")
        while end > 0 and name[:end] not in links:
            end = name.find("/", end + 1)
        if end > 0 and resolve(name.split("/")[:-1], links, follow_last=True) == "outside":
            yield name
