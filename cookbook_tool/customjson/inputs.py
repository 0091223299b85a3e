"""What ``validate --schema SCHEMA PATH...`` checks: the files named, and the JSON files found
in the folders named.

A folder stands for every ``*.json`` file under it (any case, at any depth; hidden folders such
as ``.git`` are skipped, and folder links are not followed), the schema file itself excepted:
that is what a user naming a folder of stack files expects, and how ``validate`` treats a
folder of cookbooks. A folder without any is refused, and so is anything that is neither a
regular file nor a folder (a FIFO, ``/dev/zero``, a socket): reading one would block or never
end. A symbolic link named on the command line is left as it is: it is checked where it lies,
and a dangling one is a finding.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.customjson.jsonpos import special_kind
from cookbook_tool.errors import LocalError, UsageError


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)
    regular: set[str] = field(default_factory=set)  # those seen to be regular files (no link)


def schema_inputs(paths: Sequence[Path], cwd: Path, schema: Path | None = None) -> list[Path]:
    """The files to check against a schema: ``paths`` (relative to ``cwd``) with each folder
    replaced by the JSON files under it. ``schema`` (the schema's own file) is never one."""
    return expand_inputs(paths, cwd, schema).files


def expand_inputs(paths: Sequence[Path], cwd: Path, schema: Path | None = None) -> Inputs:
    """:func:`schema_inputs`, also telling which files were seen to be regular files (not
    links): their folder alone decides their repository, and they cannot dangle."""
    if not paths:
        raise UsageError("--schema needs the JSON files (or folders of them) to check, e.g. "
                         "cookbook-tool validate --schema opsworks-custom-json stack/")
    found = Inputs()
    for given in paths:
        path = given if given.is_absolute() else cwd / given
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError as exc:
            raise LocalError(f"{path}: no such file or folder") from exc
        except OSError:
            found.files.append(path)  # unreadable: reading it says why
            continue
        if stat.S_ISDIR(mode):
            _folder(path, schema, found)
        elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            found.files.append(path)
            if stat.S_ISREG(mode):
                found.regular.add(str(path))
        else:
            raise LocalError(f"{path}: is {special_kind(mode)}, not a JSON file")
    return found


def _folder(folder: Path, schema: Path | None, found: Inputs) -> None:
    skip = str(schema) if schema is not None else None
    files = sorted(_json_files(str(folder), ()))  # by path components, as Paths sort
    files = [file for file in files if file[1] != skip]
    if not files:
        raise LocalError(f"{folder}: no JSON files (*.json) in this folder to check against "
                         "the schema; name the files to check")
    found.files.extend(Path(text) for _, text, _ in files)
    found.regular.update(text for _, text, regular in files if regular)


def _json_files(
    folder: str, parts: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """``(components below the folder named, path, is a regular file)`` of each JSON file
    under ``folder``, as ``os.walk`` finds them (its files first, then its subfolders, links
    never followed); one ``scandir`` per folder and no ``stat`` for a regular file or a
    link."""
    subfolders = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if _is_dir(entry):
                    if not entry.name.startswith(".") and not entry.is_symlink():
                        subfolders.append(entry.name)
                elif entry.name.lower().endswith(".json"):
                    regular = entry.is_file(follow_symlinks=False)
                    if not (regular or entry.is_symlink()):
                        mode = entry.stat(follow_symlinks=False).st_mode
                        raise LocalError(f"{entry.path}: is {special_kind(mode)}, "
                                         "not a JSON file")
                    yield (*parts, entry.name), entry.path, regular
    except OSError as exc:
        _walk_error(exc)
    for name in sorted(subfolders):
        yield from _json_files(os.path.join(folder, name), (*parts, name))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # as os.walk: a link whose target cannot be looked at is no folder
        return False


def _walk_error(exc: OSError) -> None:
    raise LocalError(f"{exc.filename}: cannot read the folder: {exc.strerror or exc}") from exc
