"""Deterministic zip archives: the same members give the same bytes.

Entries in the order given, DOS timestamp from the one mtime (clamped to 1980..2107), unix
modes 0644/0755 and folders 0755 in the external attributes, deflate at zlib's default level 6
(the standard library's zipfile, one file at a time: slower than the tar.gz writer).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from cookbook_tool.archive import tar
from cookbook_tool.archive.tar import DEFAULT_MTIME, Member, OnFile


def write_zip(
    members: Iterable[Member],
    out: BinaryIO,
    *,
    mtime: int = DEFAULT_MTIME,
    on_file: OnFile | None = None,
) -> None:
    """Write a deterministic zip to the seekable ``out``; ``on_file`` as for ``write_tar``."""
    date_time = _dos_date_time(mtime)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zipped:
        for member in members:
            info = zipfile.ZipInfo(member.name + ("/" if member.kind == "dir" else ""), date_time)
            info.create_system = 3  # unix: the mode below is meaningful
            if member.kind == "dir":
                info.external_attr = (0o040000 | member.mode) << 16 | 0x10
                info.compress_type = zipfile.ZIP_STORED
                zipped.writestr(info, b"")
                continue
            info.external_attr = (0o100000 | member.mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = member.size
            with zipped.open(info, "w", force_zip64=member.size >= 1 << 31) as target:
                tar.copy_content(member, target, on_file)


def _dos_date_time(mtime: int) -> tuple[int, int, int, int, int, int]:
    stamp = time.gmtime(max(mtime, DEFAULT_MTIME))
    year = min(stamp.tm_year, 2107)
    return (year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec & ~1)
