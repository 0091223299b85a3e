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
from pathlib import Path

from cookbook_tool.customjson.jsonpos import special_kind
from cookbook_tool.errors import LocalError, UsageError


def schema_inputs(paths: Sequence[Path], cwd: Path, schema: Path | None = None) -> list[Path]:
    """The files to check against a schema: ``paths`` (relative to ``cwd``) with each folder
    replaced by the JSON files under it. ``schema`` (the schema's own file) is never one."""
    if not paths:
        raise UsageError("--schema needs the JSON files (or folders of them) to check, e.g. "
                         "cookbook-tool validate --schema opsworks-custom-json stack/")
    found: list[Path] = []
    for given in paths:
        path = given if given.is_absolute() else cwd / given
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError as exc:
            raise LocalError(f"{path}: no such file or folder") from exc
        except OSError:
            found.append(path)  # unreadable: reading it says why
            continue
        if stat.S_ISDIR(mode):
            found.extend(_folder(path, schema))
        elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            found.append(path)
        else:
            raise LocalError(f"{path}: is {special_kind(mode)}, not a JSON file")
    return found


def _folder(folder: Path, schema: Path | None) -> list[Path]:
    files = sorted(p for p in _json_files(folder) if schema is None or p != schema)
    if not files:
        raise LocalError(f"{folder}: no JSON files (*.json) in this folder to check against "
                         "the schema; name the files to check")
    return files


def _json_files(folder: Path) -> Iterator[Path]:
    for parent, folders, names in os.walk(folder, onerror=_walk_error):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in names:
            if not name.lower().endswith(".json"):
                continue
            path = Path(parent, name)
            mode = path.lstat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                raise LocalError(f"{path}: is {special_kind(mode)}, not a JSON file")
            yield path


def _walk_error(exc: OSError) -> None:
    raise LocalError(f"{exc.filename}: cannot read the folder: {exc.strerror or exc}") from exc
