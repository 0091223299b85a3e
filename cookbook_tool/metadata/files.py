"""The files of a cookbook as ``metadata.rb`` sees them (``IO.read(File.join(File.dirname(
__FILE__), 'VERSION'))``, ``File.exist?``): a folder on disk, or the files of a cookbook inside
an archive, which never reaches the machine's disk.

Paths are relative to the cookbook folder (``README.md``, ``""`` for the folder itself) or
absolute (``/etc/hostname``); ``show`` gives the text that findings print for them.

The sandbox: a view reads only the files of its cookbook. An absolute path, a path that leaves
the folder through ``..``, or (on disk) a symlink that resolves outside the folder raises
:class:`OutsideCookbook` (a :class:`FileUnavailable`) before anything is opened; ``exists`` and
``is_file`` answer ``False`` for such a path.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Protocol

__all__ = ["ArchiveFiles", "CookbookFiles", "FileUnavailable", "FolderFiles", "OutsideCookbook",
           "leaves_folder"]


class FileUnavailable(OSError):
    """A path this view of the cookbook never reads (outside the files it was given)."""


class OutsideCookbook(FileUnavailable):
    """A path outside the cookbook folder on disk: absolute, through ``..``, or a symlink that
    resolves outside it. Nothing at that path is opened."""


def leaves_folder(path: str) -> bool:
    """Whether ``path`` (relative to a folder) is absolute or climbs out of the folder with
    ``..``, by its spelling alone."""
    if path.startswith("/"):
        return True
    normal = posixpath.normpath(path)
    return normal == ".." or normal.startswith("../")


class CookbookFiles(Protocol):
    """What the metadata.rb evaluator may ask about the cookbook's files."""

    @property
    def name(self) -> str:
        """The cookbook folder's name (``File.basename(File.dirname(__FILE__))``)."""
        ...

    def show(self, path: str) -> str:
        """``path`` as findings print it."""
        ...

    def inside(self, path: str) -> bool:
        """Whether ``path`` lies inside the cookbook folder (the sandbox), nothing opened."""
        ...

    def exists(self, path: str) -> bool:
        """Whether a file or folder is at ``path`` (``File.exist?``)."""
        ...

    def is_file(self, path: str) -> bool:
        """Whether a regular file is at ``path`` (``File.file?``)."""
        ...

    def size(self, path: str) -> int:
        """The size of the regular file at ``path``: ``FileNotFoundError`` when nothing is
        there, ``IsADirectoryError`` when it is no regular file, ``FileUnavailable`` when this
        view never reads it."""
        ...

    def read_bytes(self, path: str) -> bytes:
        """The content of the regular file at ``path`` (the errors of ``size``)."""
        ...


class FolderFiles:
    """The cookbook folder ``root`` on disk. Only what resolves inside ``root`` is read: a path
    through a symlink or ``..`` is resolved (symlinks followed) and checked, then that real
    path is opened."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._checked: dict[str, str] = {}  # path -> the path to open, checked once

    @property
    def name(self) -> str:
        return self.root.name

    def show(self, path: str) -> str:
        return (self.root / path).as_posix()

    def inside(self, path: str) -> bool:
        try:
            self._inside(path)
        except OutsideCookbook:
            return False
        return True

    def exists(self, path: str) -> bool:
        try:
            return os.path.exists(self._inside(path))
        except OutsideCookbook:
            return False

    def is_file(self, path: str) -> bool:
        try:
            return os.path.isfile(self._inside(path))
        except OutsideCookbook:
            return False

    def size(self, path: str) -> int:
        info = os.stat(self._inside(path))
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(self.show(path))
        return info.st_size

    def read_bytes(self, path: str) -> bytes:
        with open(self._inside(path), "rb") as handle:
            return handle.read()

    def _inside(self, path: str) -> str:
        """The path to open for ``path``, which must lie inside the cookbook folder."""
        if leaves_folder(path):
            raise OutsideCookbook(f"{self.show(path)} is outside the cookbook folder")
        checked = self._checked.get(path)
        if checked is None:
            checked = self._plain_path(path) or self._real_path(path)
            self._checked[path] = checked
        return checked

    def _plain_path(self, path: str) -> str | None:
        """``path`` under the folder when no part of it is a symlink or ``..`` (one ``lstat``
        per part: the common case), else ``None``."""
        parts = [part for part in path.split("/") if part not in ("", ".")]
        if ".." in parts:
            return None
        current = str(self.root)
        for part in parts:
            current = os.path.join(current, part)
            try:
                if stat.S_ISLNK(os.lstat(current).st_mode):
                    return None
            except OSError:  # nothing there: nothing to follow
                return os.path.join(self.root, *parts)
        return current

    def _real_path(self, path: str) -> str:
        """The real path (symlinks followed) of ``path``, which must lie in the real folder."""
        root = os.path.realpath(self.root)
        real = os.path.realpath(os.path.join(root, path))
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            raise OutsideCookbook(f"{self.show(path)} is a symlink out of the cookbook folder")
        return real


class ArchiveFiles:
    """The files at the top of a cookbook folder inside an archive (``files``: name relative to
    the folder -> content), shown under ``folder`` (the folder's path inside the archive, ``.``
    for a cookbook at its root). Nothing else exists: an absolute path, or one that leaves the
    folder, is ``FileUnavailable``, so an untrusted archive never reads the machine's disk."""

    def __init__(self, folder: str, files: Mapping[str, bytes], name: str) -> None:
        self.folder = folder
        self.files = files
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def show(self, path: str) -> str:
        if path.startswith("/"):
            return path
        return "/".join([self.folder, *PurePosixPath(path).parts])

    def inside(self, path: str) -> bool:
        return not leaves_folder(path)

    def exists(self, path: str) -> bool:
        member = self._member(path)
        return member == "." or member in self.files

    def is_file(self, path: str) -> bool:
        return self._member(path) in self.files

    def size(self, path: str) -> int:
        return len(self.read_bytes(path))

    def read_bytes(self, path: str) -> bytes:
        member = self._member(path)
        if member == ".":
            raise IsADirectoryError(self.show(path))
        if member not in self.files:
            raise FileNotFoundError(self.show(path))
        return self.files[member]

    def _member(self, path: str) -> str:
        """The name of ``path`` in ``files`` ("." for the folder itself), ``..`` inside it kept
        as it is: a path through a folder that ``files`` does not hold names nothing, as on
        disk."""
        parts = PurePosixPath(path).parts
        if leaves_folder(path):
            raise OutsideCookbook(
                f"{self.show(path)} is outside the cookbook folder: verify reads only the "
                "cookbook's own files inside the archive, never the machine's disk"
            )
        return "/".join(parts) or "."
