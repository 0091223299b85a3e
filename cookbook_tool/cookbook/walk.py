"""Walk a cookbook's files in a stable order, saying for each what it is and whether it ships.

Validation and bundling share this walk, so that what is checked is exactly what is bundled.
Symlinks that stay inside the cookbook are followed (bundles store the file they point to);
links that leave the cookbook, broken links, loops and special files are reported, not followed.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.cookbook.chefignore import Chefignore, always_excluded_reason


class Entry:
    """One thing below a cookbook folder.

    ``kind`` is ``file``, ``dir``, ``symlink`` (to a file or folder inside the cookbook;
    ``target`` is where it leads) or ``special``. ``excluded`` says why the entry is left out
    (None: it ships); ``problem`` says why it cannot ship at all (a link out of the cookbook, a
    FIFO, a name that is not UTF-8) — such entries are errors unless excluded.

    The walk keeps the path as a string (``fspath``, what ``os.scandir`` gives): a ``Path`` is
    built only for the entries someone asks ``path`` of (a finding, a bundle member), not for
    each of the tens of thousands of files a walk passes. Entries do not change once made.
    """

    __slots__ = (
        "_path",
        "excluded",
        "executable",
        "fspath",
        "kind",
        "problem",
        "relpath",
        "size",
        "target",
    )

    def __init__(
        self, relpath: str, path: str | Path, kind: str, target: Path | None = None,
        excluded: str | None = None, problem: str | None = None, executable: bool = False,
        size: int = 0,
    ) -> None:
        self.relpath = relpath
        self.fspath = os.fspath(path)
        self.kind = kind
        self.target = target
        self.excluded = excluded
        self.problem = problem
        self.executable = executable
        self.size = size
        self._path = path if isinstance(path, Path) else None

    def __repr__(self) -> str:
        return f"Entry({self.relpath!r}, {self.kind!r}, excluded={self.excluded!r}, " \
               f"problem={self.problem!r})"

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.fspath)
        return self._path

    @property
    def posix(self) -> str:
        """The path with ``/`` separators (``Path.as_posix``), as findings name files."""
        return self.fspath if os.sep == "/" else self.path.as_posix()

    @property
    def ships(self) -> bool:
        return self.excluded is None and self.problem is None

    @property
    def is_file_like(self) -> bool:
        """A regular file, or a link to one: something with bytes to read."""
        return self.kind == "file" or (self.kind == "symlink" and self.is_link_to_file)

    @property
    def is_link_to_file(self) -> bool:
        return self.target is not None and self.target.is_file()

    @property
    def content_path(self) -> Path:
        """The path to read the bytes from (the link's target for a symlink)."""
        return self.target if self.kind == "symlink" and self.target else self.path

    @property
    def content_fspath(self) -> str:
        """``content_path`` as a string (no ``Path`` built for a regular file)."""
        return os.fspath(self.target) if self.kind == "symlink" and self.target else self.fspath


def walk_cookbook(
    cookbook: Path, ignore: Chefignore | None = None, extra_excluded: tuple[Path, ...] = ()
) -> Iterator[Entry]:
    """Every entry below ``cookbook``, sorted by path (byte order of the UTF-8 names).

    Excluded folders are yielded once and not descended into. ``extra_excluded`` are absolute
    folders to leave out as well (the bundle output folder).
    """
    root = cookbook.resolve()
    walker = _Walker(root, ignore, frozenset(_identity(p) for p in extra_excluded if p.exists()))
    yield from walker.walk(str(root), "")


def walk_recipes_folder(
    cookbook: Path, ignore: Chefignore | None = None, extra_excluded: tuple[Path, ...] = ()
) -> list[Entry]:
    """The entries ``walk_cookbook`` gives for ``recipes`` and the names right inside it (the
    same verdicts: chefignore, links, special files), without walking the rest of the
    cookbook: what an ``include_recipe`` of another cookbook needs to know."""
    root = cookbook.resolve()
    walker = _Walker(root, ignore, frozenset(_identity(p) for p in extra_excluded if p.exists()))
    try:
        with os.scandir(root) as scan:
            found = next((child for child in scan if child.name == "recipes"), None)
    except OSError:
        found = None
    if found is None:
        return []
    folder = walker.classify(found.path, "recipes", found)
    if not (folder.ships and (folder.kind == "dir" or _is_dir_link(folder))):
        return [folder]
    return [folder, *walker.walk(found.path, "recipes/", descend=False)]


def _identity(path: Path) -> tuple[int, int]:
    """A folder's (device, inode): compared without resolving every folder's path."""
    info = path.stat()
    return info.st_dev, info.st_ino


@dataclass(frozen=True)
class _Walker:
    root: Path
    ignore: Chefignore | None
    excluded_dirs: frozenset[tuple[int, int]]

    def walk(self, directory: str, prefix: str, descend: bool = True) -> Iterator[Entry]:
        try:
            with os.scandir(directory) as scan:
                children = sorted(scan, key=_name_bytes)
        except OSError as exc:
            where = prefix.rstrip("/") or "."
            yield Entry(where, directory, "dir", problem=f"unreadable: {exc.strerror}")
            return
        for child in children:
            path = child.path
            entry = self.classify(path, prefix + child.name, child)
            yield entry
            if descend and entry.ships and (entry.kind == "dir" or _is_dir_link(entry)):
                yield from self.walk(path, entry.relpath + "/")

    def classify(self, path: str, relpath: str, dirent: os.DirEntry[str]) -> Entry:
        excluded = _exclusion(relpath, dirent.name, self.ignore)
        if _is_plain_dir(dirent) and not _has_surrogates(dirent.name):  # no stat: d_type says
            if excluded is None and self._output_folder(dirent):
                excluded = "bundle output folder"
            return Entry(relpath, path, "dir", excluded=excluded)
        try:
            info = dirent.stat(follow_symlinks=False)
        except OSError as exc:
            problem = f"unreadable: {exc.strerror}"
            return Entry(relpath, path, "special", excluded=excluded, problem=problem)
        if _has_surrogates(dirent.name):  # its folders were checked before it
            problem = "file name is not valid UTF-8"
            return Entry(relpath, path, "special", excluded=excluded, problem=problem)
        if stat.S_ISLNK(info.st_mode):
            return self.classify_link(Path(path), relpath, excluded)
        if stat.S_ISDIR(info.st_mode):
            if excluded is None and (info.st_dev, info.st_ino) in self.excluded_dirs:
                excluded = "bundle output folder"
            return Entry(relpath, path, "dir", excluded=excluded)
        if stat.S_ISREG(info.st_mode):
            return Entry(
                relpath,
                path,
                "file",
                excluded=excluded,
                executable=bool(info.st_mode & 0o111),
                size=info.st_size,
            )
        problem = _special_kind(info.st_mode)
        return Entry(relpath, path, "special", excluded=excluded, problem=problem)

    def _output_folder(self, dirent: os.DirEntry[str]) -> bool:
        """Whether the folder is one of ``excluded_dirs`` (its inode from the folder listing;
        a stat only when an inode matches)."""
        if not any(inode == dirent.inode() for _, inode in self.excluded_dirs):
            return False
        info = dirent.stat(follow_symlinks=False)
        return (info.st_dev, info.st_ino) in self.excluded_dirs

    def classify_link(self, path: Path, relpath: str, excluded: str | None) -> Entry:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
            problem = "symlink loop" if loop else "broken symlink"
            return Entry(relpath, path, "symlink", excluded=excluded, problem=problem)
        if target != self.root and self.root not in target.parents:
            problem = "symlink points outside the cookbook"
            return Entry(relpath, path, "symlink", target, excluded, problem)
        if target.is_dir() and path.parent.resolve().is_relative_to(target):
            return Entry(relpath, path, "symlink", target, excluded, "symlink loop")
        try:
            info = target.stat()
        except OSError as exc:
            problem = f"unreadable: {exc.strerror}"
            return Entry(relpath, path, "symlink", target, excluded, problem)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            return Entry(relpath, path, "symlink", target, excluded, _special_kind(info.st_mode))
        executable = stat.S_ISREG(info.st_mode) and bool(info.st_mode & 0o111)
        return Entry(relpath, path, "symlink", target, excluded, None, executable, info.st_size)


_NAME_ENCODING = (sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())


def _name_bytes(dirent: os.DirEntry[str]) -> bytes:
    """``os.fsencode(dirent.name)`` without its checks: the bytes that order the names."""
    return dirent.name.encode(*_NAME_ENCODING)


def _is_plain_dir(dirent: os.DirEntry[str]) -> bool:
    """A folder, not a link to one, as the listing's file type says (no system call where the
    file system gives the type)."""
    try:
        return dirent.is_dir(follow_symlinks=False)
    except OSError:
        return False  # classified the long way, which reports why


def _is_dir_link(entry: Entry) -> bool:
    return entry.kind == "symlink" and entry.target is not None and entry.target.is_dir()


def _exclusion(relpath: str, name: str, ignore: Chefignore | None) -> str | None:
    reason = always_excluded_reason(name)
    if reason:
        return reason
    if ignore is not None:
        pattern = ignore.match(relpath)
        if pattern is not None:
            return f"chefignore line {pattern.line}: {pattern.glob}"
    return None


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "not a regular file"


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
