"""Which schema a file is checked against: globs relative to the project root.

Globs use ``/`` as separator; ``*`` and ``?`` never cross a ``/``; ``**`` matches any number of
folders (``**/*.json``, ``stack/**``); ``[abc]`` is a character class. The first mapping with a
matching glob wins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from cookbook_tool.errors import LocalError


@dataclass(frozen=True)
class SchemaMapping:
    """Files matching any of ``globs`` (relative to the project root) use ``schema``: a
    built-in schema name, a schema ``$id``, or a path relative to the project root."""

    globs: tuple[str, ...]
    schema: str


class MappingLike(Protocol):
    """Anything with ``globs`` and ``schema`` (``config.SchemaMapping`` too)."""

    @property
    def globs(self) -> tuple[str, ...]: ...

    @property
    def schema(self) -> str: ...


def glob_problem(glob: str) -> str | None:
    """Why a glob cannot be used, or None (for the configuration loader's messages)."""
    if not glob.strip():
        return "empty glob"
    if glob.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", glob):
        return f"glob {glob!r} must be relative to the project root"
    if ".." in PurePosixPath(glob).parts:
        return f"glob {glob!r} must not leave the project root ('..')"
    if "\\" in glob:
        return f"glob {glob!r}: use '/' as the path separator"
    depth = 0
    for char in glob:
        depth += char == "["
        depth -= char == "]" and depth > 0
    if depth:
        return f"glob {glob!r} has an unclosed '['"
    return None


@functools.cache
def compile_glob(glob: str) -> re.Pattern[str]:
    problem = glob_problem(glob)
    if problem is not None:
        raise LocalError(problem)
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[":
            end = glob.index("]", i + 1)
            body = glob[i + 1 : end].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def relative_name(path: Path, base_dir: Path) -> str:
    """``path`` relative to ``base_dir`` in posix form, as globs see it."""
    try:
        return path.absolute().relative_to(base_dir.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def schema_for(path: Path, mappings: Sequence[MappingLike], base_dir: Path) -> str | None:
    name = relative_name(path, base_dir)
    for mapping in mappings:
        if any(compile_glob(glob).match(name) for glob in mapping.globs):
            return mapping.schema
    return None
