"""Archives written by hand for tests: any layout, any compression, nothing of ours involved.

``files`` maps an archive name (written as given: ``a/./b``, ``a//b`` and duplicates are
kept) to its text, or to a ``Symlink``/``Hardlink``; a list of pairs allows a name twice."""

from __future__ import annotations

import io
import tarfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Symlink:
    target: str | bytes  # bytes: a zip entry's raw content, however long


@dataclass(frozen=True)
class Hardlink:
    target: str  # a member name, from the archive's root


Content = str | bytes | Symlink | Hardlink
Files = Mapping[str, Content] | Iterable[tuple[str, Content]]


def _pairs(files: Files) -> list[tuple[str, Content]]:
    return list(files.items()) if isinstance(files, Mapping) else list(files)


def write_tar(path: Path, files: Files, mode: str = "w:gz") -> Path:
    """A tar archive at ``path`` holding ``files``."""
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for name, content in _pairs(files):
            info = tarfile.TarInfo(name)
            if isinstance(content, Symlink | Hardlink):
                info.type = tarfile.SYMTYPE if isinstance(content, Symlink) else tarfile.LNKTYPE
                target = content.target
                info.linkname = target.decode() if isinstance(target, bytes) else target
                archive.addfile(info)
                continue
            data = content.encode() if isinstance(content, str) else content
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def write_zip(path: Path, files: Files) -> Path:
    """A zip archive at ``path`` holding ``files`` (symlinks as unzip reads them: Unix mode
    bits ``S_IFLNK`` and the target as the entry's content; no hard links in zip)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": wanted here
        for name, content in _pairs(files):
            if isinstance(content, Hardlink):
                raise ValueError("zip has no hard links")
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if isinstance(content, Symlink):
                info.create_system = 3
                info.external_attr = 0o120777 << 16
            archive.writestr(info, content.target if isinstance(content, Symlink) else content)
    return path
