"""Cookbook metadata, read without Ruby: ``metadata.json`` when present (as Chef prefers it),
else ``metadata.rb``.

Rule ids of the findings (severity):
``metadata-syntax`` (error), ``metadata-dynamic`` (warning), ``metadata-unknown-method``
(warning), ``metadata-missing-file`` (error), ``metadata-invalid-constraint`` (error),
``metadata-invalid-argument`` (error), ``metadata-json-invalid`` (error), ``metadata-duplicate``
(warning), ``metadata-unreadable`` (error), ``metadata-read-outside-cookbook`` (error),
``metadata-conditional`` (warning), ``metadata-rescued`` (warning).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cookbook_tool.cookbook.discovery import METADATA_FILES
from cookbook_tool.cookbook.model import Metadata
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.dsl import RULES
from cookbook_tool.metadata.files import ArchiveFiles, CookbookFiles, FolderFiles
from cookbook_tool.metadata.rb_reader import MetadataSyntaxError, parse_metadata_rb
from cookbook_tool.text import mask_aws_key_ids

if TYPE_CHECKING:  # imported when a metadata.json is read (it brings json): see __getattr__
    from cookbook_tool.metadata.json_reader import parse_metadata_json

__all__ = ["RULES", "MetadataSyntaxError", "parse_metadata_json", "parse_metadata_rb",
           "read_metadata", "read_metadata_files"]


def __getattr__(name: str) -> Any:
    """``parse_metadata_json``, imported on first use: most cookbooks have a metadata.rb."""
    if name == "parse_metadata_json":
        from cookbook_tool.metadata.json_reader import parse_metadata_json

        return parse_metadata_json
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MAX_METADATA_BYTES = 8_000_000  # metadata.json (it may embed a long README)
MAX_METADATA_RB_BYTES = 1 << 20  # metadata.rb: a real one is a few KB


def read_metadata(
    cookbook_dir: Path, read_bytes: Callable[[Path], bytes] = Path.read_bytes
) -> tuple[Metadata | None, list[Finding]]:
    """The metadata of the cookbook at ``cookbook_dir`` and the findings about it.

    ``read_bytes`` reads the file (a loaded repository passes its own, which keeps the bytes
    for the rules and the archive).

    ``(None, [])`` when the folder has neither ``metadata.json`` nor ``metadata.rb``. When the
    file cannot be read, the metadata is empty (``Metadata(source=file)``) and a
    ``metadata-unreadable`` finding says why. Never raises.
    """
    cookbook = cookbook_dir.name or None
    for name in METADATA_FILES:
        path = cookbook_dir / name
        try:
            if not (path.exists() or path.is_symlink()):
                continue
        except OSError:
            pass  # _read_text reports it
        files = FolderFiles(cookbook_dir)
        if os.path.islink(path) and not files.inside(name):
            return Metadata(source=path), [_outside(path, cookbook)]
        text, problem = _read_text(path, cookbook, read_bytes)
        return _parse(name, path, text, problem, cookbook, files)
    return None, []


def read_metadata_files(
    folder: str, files: Mapping[str, bytes], name: str | None = None
) -> tuple[Metadata | None, list[Finding]]:
    """``read_metadata`` of a cookbook given as its files (name relative to the cookbook folder
    -> content), such as a cookbook inside an archive: ``folder`` is how findings show the
    folder, ``name`` what ``File.basename(File.dirname(__FILE__))`` gives (by default the last
    part of ``folder``). metadata.rb reads only ``files``, never the disk."""
    view = ArchiveFiles(folder, files, PurePosixPath(folder).name if name is None else name)
    cookbook = view.name or None
    for file_name in METADATA_FILES:
        data = files.get(file_name)
        if data is None:
            continue
        path = Path(view.show(file_name))
        text: str | None
        problem: Finding | None
        if len(data) > _limit(file_name):
            text, problem = None, _too_large(path, cookbook)
        else:
            text, problem = _decode(data, path, cookbook)
        return _parse(file_name, path, text, problem, cookbook, view)
    return None, []


def _parse(
    file_name: str, path: Path, text: str | None, problem: Finding | None,
    cookbook: str | None, files: CookbookFiles,
) -> tuple[Metadata | None, list[Finding]]:
    """The metadata in ``text`` (the content of ``path``), or empty metadata with the
    ``problem`` that kept the file from being read."""
    if problem is not None or text is None:
        return Metadata(source=path), [problem] if problem is not None else []
    if file_name == "metadata.json":
        from cookbook_tool.metadata.json_reader import parse_metadata_json

        return parse_metadata_json(text, path, cookbook)
    return parse_metadata_rb(text, path, files)


def _read_text(
    path: Path, cookbook: str | None, read_bytes: Callable[[Path], bytes]
) -> tuple[str | None, Finding | None]:
    try:
        if not path.is_file():
            return None, _unreadable(path, cookbook, f"{path.name} is not a regular file (a "
                                     "directory, a broken symlink or a device): make it a text "
                                     "file")
        if path.stat().st_size > _limit(path.name):
            return None, _too_large(path, cookbook)
        data = read_bytes(path)
    except OSError as exc:
        return None, _unreadable(path, cookbook, f"cannot read {path.name}: "
                                 f"{exc.strerror or exc}")
    return _decode(data, path, cookbook)


def _decode(data: bytes, path: Path, cookbook: str | None) -> tuple[str | None, Finding | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, _unreadable(path, cookbook, f"{path.name} is not valid UTF-8 (byte "
                                 f"{exc.start}); save it as UTF-8", line)


def _unreadable(path: Path, cookbook: str | None, message: str, line: int | None = None,
                ) -> Finding:
    return Finding(path.as_posix(), line, None, "metadata-unreadable",
                   RULES["metadata-unreadable"], mask_aws_key_ids(message), cookbook)


def _limit(file_name: str) -> int:
    return MAX_METADATA_RB_BYTES if file_name == "metadata.rb" else MAX_METADATA_BYTES


def _too_large(path: Path, cookbook: str | None) -> Finding:
    limit = _limit(path.name)
    return _unreadable(path, cookbook, f"{path.name} is larger than {limit:,} bytes, the most "
                       "the tool reads (Chef would load it, but no real one is near that "
                       "size): make it smaller")


def _outside(path: Path, cookbook: str | None) -> Finding:
    return Finding(path.as_posix(), None, None, "metadata-read-outside-cookbook",
                   RULES["metadata-read-outside-cookbook"],
                   f"{path.name} is a symlink to a file outside the cookbook folder: the tool "
                   "never reads it, and a bundle of the cookbook does not carry it; put the "
                   "metadata file itself in the cookbook", cookbook)
