"""Which schema a file is checked against: globs relative to the project root, and the files
they name.

Globs use ``/`` as separator; ``*`` and ``?`` never cross a ``/`` (and match names starting with
``.``); ``**`` as a whole path component matches any number of folders (``**/*.json``,
``stack/**``); ``[abc]``, ``[a-z]`` and ``[!abc]`` (or ``[^abc]``) are character classes, a ``]``
right after the opening ``[`` (or ``[!``) is a member (``[]x]``). A ``./`` prefix is ignored.
``**`` inside a name (``stack/**.json``) is refused, as are globs that cannot be compiled.
The first mapping with a matching glob wins.

One matcher serves both questions: :func:`schema_for` (which schema for this file?) and
:func:`mapped_files` (which files under the root do the mappings name?).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from cookbook_tool.errors import LocalError

_MAGIC = re.compile(r"[*?\[]")
_SKIPPED = ".git"


class SchemaMapping(NamedTuple):
    """Files matching any of ``globs`` (relative to the project root) use ``schema``: a
    built-in schema name, a schema ``$id``, or a path relative to the project root. A
    NamedTuple: see ``cookbook.chefignore.Pattern``."""

    globs: tuple[str, ...]
    schema: str


class _GlobError(Exception):
    pass


def glob_problem(glob: str) -> str | None:
    """Why a glob cannot be used, or None (for the configuration loader's messages)."""
    compiled = _compile(glob)
    return compiled if isinstance(compiled, str) else None


def compile_glob(glob: str) -> re.Pattern[str]:
    """The regular expression matching the relative posix names a glob names."""
    compiled = _compile(glob)
    if isinstance(compiled, str):
        raise LocalError(compiled)
    return compiled


@functools.cache
def _compile(glob: str) -> re.Pattern[str] | str:
    try:
        parts = _parts(glob)
        return re.compile(_join(parts, glob) + r"\Z", re.DOTALL)
    except _GlobError as exc:
        return str(exc)
    except re.error as exc:
        return f"glob {glob!r} cannot be used: {exc.msg}"


def _parts(glob: str) -> list[str]:
    """The path components of a usable glob (``.`` dropped), or ``_GlobError``."""
    if not glob.strip():
        raise _GlobError("empty glob")
    if glob.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", glob):
        raise _GlobError(f"glob {glob!r} must be relative to the project root")
    if ".." in PurePosixPath(glob).parts:
        raise _GlobError(f"glob {glob!r} must not leave the project root ('..')")
    if "\\" in glob:
        raise _GlobError(f"glob {glob!r}: use '/' as the path separator")
    parts = [part for part in glob.split("/") if part != "."]
    if not parts:
        raise _GlobError(f"glob {glob!r} names no file")
    if parts[-1] == "":
        raise _GlobError(f"glob {glob!r} ends with '/': name files, e.g. {glob + '**'!r}")
    if "" in parts:
        raise _GlobError(f"glob {glob!r} has an empty path component ('//')")
    return parts


def _join(parts: list[str], glob: str) -> str:
    out = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:.*/)?")
        elif "**" in part:
            single = re.sub(r"\*{2,}", "*", part)
            deep = "/".join([*parts[:index], "**", single, *parts[index + 1 :]])
            flat = "/".join([*parts[:index], single, *parts[index + 1 :]])
            raise _GlobError(f"glob {glob!r}: '**' must be a whole path component; write "
                             f"{deep!r} for any number of folders, or {flat!r} for one")
        else:
            out.append(_component(part, glob) + ("" if last else "/"))
    return "".join(out)


def _component(part: str, glob: str) -> str:
    """The regular expression for one path component (never matching ``/``)."""
    out, i = [], 0
    while i < len(part):
        char = part[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = _class_end(part, i)
            if end < 0:
                raise _GlobError(f"glob {glob!r} has an unclosed '[' in {part!r}")
            out.append(_char_class(part[i + 1 : end]))
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _class_end(part: str, start: int) -> int:
    """Index of the ``]`` closing the class opened at ``start``, or -1."""
    i = start + 1
    if i < len(part) and part[i] in "!^":
        i += 1
    if i < len(part) and part[i] == "]":
        i += 1  # a leading ']' is a member
    return part.find("]", i)


def _char_class(body: str) -> str:
    negate = body[:1] in ("!", "^")
    members = "".join(_class_members(body[negate:]))
    # A class never matches '/', not even through a range such as [+-0] or a negation.
    return f"(?!/)[{'^' if negate else ''}{members}]"


def _class_members(body: str) -> Iterator[str]:
    """Each range ``a-z`` and each single member of a class body, escaped for ``re``: every
    ``-`` that is a member is escaped, so no ``--`` (nor ``&&``, ``~~``, ``||``: ``re.escape``
    escapes those characters) reaches ``re``, which reserves them for set operations."""
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            yield f"{re.escape(body[i])}-{re.escape(body[i + 2])}"
            i += 3
        else:
            yield re.escape(body[i])
            i += 1


def relative_name(path: Path, base_dir: Path) -> str:
    """``path`` relative to ``base_dir`` in posix form, as globs see it."""
    try:
        return path.absolute().relative_to(base_dir.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def matches(name: str, globs: Sequence[str]) -> bool:
    """Whether a relative posix name matches any of ``globs``."""
    return any(compile_glob(glob).match(name) for glob in globs)


def schema_for(path: Path, mappings: Sequence[SchemaMapping], base_dir: Path) -> str | None:
    name = relative_name(path, base_dir)
    for mapping in mappings:
        if matches(name, mapping.globs):
            return mapping.schema
    return None


def mapped_files(base_dir: Path, mappings: Sequence[SchemaMapping]) -> list[Path]:
    """Every file under ``base_dir`` that a mapping's glob names, sorted, as ``base_dir / name``.

    Only the folders a glob can reach are listed (``stack/*.json`` lists ``stack/`` only);
    ``.git`` is skipped, and ``**`` does not follow symbolic links to folders. Broken symbolic
    links and loops are named too (they cannot be read: the caller reports them). Each candidate
    is decided by the matcher :func:`schema_for` uses."""
    names: set[str] = set()
    for mapping in mappings:
        for glob in mapping.globs:
            compile_glob(glob)  # a bad glob is a LocalError, as in schema_for
            names.update(n for n in _candidates(base_dir, _parts(glob), "")
                         if matches(n, (glob,)))
    return [base_dir / name for name in sorted(names)]


def _candidates(folder: Path, parts: list[str], prefix: str) -> Iterator[str]:
    """Relative names of the files below ``folder`` that may match ``parts``."""
    part, rest = parts[0], parts[1:]
    if part == "**":
        yield from _all_files(folder, prefix)
        return
    if part == _SKIPPED:
        return
    if _MAGIC.search(part):
        component = _component_regex(part)
        entries = [(e.name, Path(e.path)) for e in _listing(folder)
                   if e.name != _SKIPPED and component.match(e.name)]
    else:
        entries = [(part, folder / part)]
    for name, path in entries:
        if rest and path.is_dir():
            yield from _candidates(path, rest, f"{prefix}{name}/")
        elif not rest and (path.is_file() or _dangling(path)):
            yield prefix + name


@functools.cache
def _component_regex(part: str) -> re.Pattern[str]:
    return re.compile(_component(part, part) + r"\Z", re.DOTALL)


def _all_files(folder: Path, prefix: str) -> Iterator[str]:
    stack = [(folder, prefix)]
    while stack:
        current, at = stack.pop()
        for entry in _listing(current):
            if entry.name == _SKIPPED:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), f"{at}{entry.name}/"))
            elif entry.is_file() or _dangling(Path(entry.path)):
                yield at + entry.name


def _dangling(path: Path) -> bool:
    """A broken symbolic link or a loop: named, so that the check reports it."""
    return path.is_symlink() and not path.exists()


def _listing(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise LocalError(f"{folder}: cannot list the folder: {exc.strerror or exc}") from exc
