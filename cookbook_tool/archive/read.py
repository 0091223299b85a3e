"""Read any cookbook archive (tar, tar.gz, tar.bz2, tar.xz, zip) once, as a stream, without
extracting it: every entry's kind, size and sha256, plus the small files ``verify`` needs
(metadata, the manifest) kept in memory. Safety problems are findings, found on the way:
unsafe paths, links that escape, special files, and sizes or ratios no cookbook has.
"""

from __future__ import annotations

import hashlib
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from cookbook_tool.findings import Finding, error, warning

EntryKind = Literal["file", "dir", "symlink", "hardlink", "special"]
_READ = 1 << 20
KEEP_MAX = 64 << 20  # largest file kept in memory (manifests, metadata), and all of them


@dataclass(frozen=True)
class Limits:
    """What ``verify`` calls absurd for a cookbook archive."""

    max_file_size: int = 2 << 30
    max_total_size: int = 8 << 30
    max_ratio: float = 200.0  # uncompressed bytes per compressed byte, over the archive ...
    ratio_floor: int = 16 << 20  # ... once it expands to more than this
    max_entries: int = 500_000


@dataclass
class ScannedEntry:
    name: str  # normalised: no leading "./", no trailing "/"
    kind: EntryKind
    size: int = 0
    sha256: str | None = None
    link: str | None = None


@dataclass
class Scan:
    entries: dict[str, ScannedEntry] = field(default_factory=dict)
    kept: dict[str, bytes] = field(default_factory=dict)
    kept_size: int = 0
    findings: list[Finding] = field(default_factory=list)
    total_size: int = 0


class _Stop(Exception):
    """Reading further would be unsafe (a bomb): stop the scan."""


def scan_archive(path: Path, keep: Callable[[str, int], bool], limits: Limits) -> Scan:
    """Scan ``path``; ``keep(name, size)`` says which files to keep in memory."""
    scan = Scan()
    try:
        if zipfile.is_zipfile(path):
            _scan_zip(path, scan, keep, limits)
        else:
            _scan_tar(path, scan, keep, limits)
    except _Stop:
        pass
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error) as exc:
        scan.findings.append(
            error("archive-unreadable", f"not a readable tar or zip archive: {exc}", path.name)
        )
    compressed = max(path.stat().st_size, 1)
    if scan.total_size > limits.ratio_floor and scan.total_size / compressed > limits.max_ratio:
        scan.findings.append(
            error(
                "archive-bomb",
                f"expands {scan.total_size / compressed:.0f} times its size "
                f"(limit {limits.max_ratio:.0f}): refusing to trust it",
                path.name,
            )
        )
    return scan


def _scan_tar(path: Path, scan: Scan, keep: Callable[[str, int], bool], limits: Limits) -> None:
    with tarfile.open(path, "r|*") as archive:
        for member in archive:
            entry = _tar_entry(member)
            if _is_root(entry):
                continue
            _admit(scan, entry, limits)
            if entry.kind == "file":
                stream = archive.extractfile(member)
                if stream is not None:
                    _read(scan, entry, stream, keep(entry.name, entry.size), limits)


def _tar_entry(member: tarfile.TarInfo) -> ScannedEntry:
    name = normalise(member.name)
    if member.isreg():
        return ScannedEntry(name, "file", member.size)
    if member.isdir():
        return ScannedEntry(name, "dir")
    if member.issym():
        return ScannedEntry(name, "symlink", link=member.linkname)
    if member.islnk():
        return ScannedEntry(name, "hardlink", link=member.linkname)
    return ScannedEntry(name, "special")


def _scan_zip(path: Path, scan: Scan, keep: Callable[[str, int], bool], limits: Limits) -> None:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            mode = info.external_attr >> 16 if info.create_system == 3 else 0
            name = normalise(_zip_name(info.filename, path, scan))
            if info.is_dir() or info.filename.endswith("\\"):
                entry = ScannedEntry(name, "dir")
            elif stat.S_ISLNK(mode):
                target = archive.read(info)[:4096].decode("utf-8", "replace")
                entry = ScannedEntry(name, "symlink", link=target)
            elif stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                entry = ScannedEntry(name, "special")
            else:
                entry = ScannedEntry(name, "file", info.file_size)
            if _is_root(entry):
                continue
            _admit(scan, entry, limits)
            if entry.kind == "file":
                with archive.open(info) as stream:
                    _read(scan, entry, stream, keep(entry.name, entry.size), limits)


def normalise(name: str) -> str:
    """``./a/b/`` -> ``a/b``; the archive's root (``./``, ``.``) -> ``""``."""
    while name.startswith("./"):
        name = name[2:]
    if name == ".":
        return ""
    return name.rstrip("/") if name not in ("/", "") else name


def _is_root(entry: ScannedEntry) -> bool:
    """The entry for the archive's own root folder (``tar czf x.tgz -C dir .`` writes one)."""
    return entry.name == "" and entry.kind == "dir"


def _zip_name(name: str, path: Path, scan: Scan) -> str:
    """Backslashes (old Windows zip tools) read as separators, as unzip does, with one warning."""
    if "\\" not in name:
        return name
    if not any(f.rule == "archive-backslash-paths" for f in scan.findings):
        scan.findings.append(
            warning(
                "archive-backslash-paths",
                f"entry names use Windows separators ({name!r}): read as '/', as unzip does; "
                "rebuild it with cookbook-tool bundle or a zip tool that writes '/'",
                path.name,
            )
        )
    return name.replace("\\", "/")


def _admit(scan: Scan, entry: ScannedEntry, limits: Limits) -> None:
    """Record ``entry`` with its safety findings; stop the scan at an absurd size."""
    if len(scan.entries) >= limits.max_entries:
        scan.findings.append(
            error("archive-bomb", f"more than {limits.max_entries} entries", entry.name)
        )
        raise _Stop
    scan.findings.extend(safety_findings(entry))
    if entry.name in scan.entries:
        scan.findings.append(
            error("archive-duplicate-entry", "appears more than once in the archive", entry.name)
        )
    scan.entries[entry.name] = entry
    if entry.size > limits.max_file_size:
        scan.findings.append(
            error(
                "archive-bomb",
                f"declares {entry.size} bytes (limit {limits.max_file_size}): stopped reading",
                entry.name,
            )
        )
        raise _Stop


def safety_findings(entry: ScannedEntry) -> Iterator[Finding]:
    """Unsafe paths, escaping links and special files."""
    if is_unsafe_path(entry.name):
        yield error(
            "archive-unsafe-path",
            "absolute path or '..' component: extracting it would write outside the folder",
            entry.name,
        )
    if entry.kind == "special":
        yield error(
            "archive-special-file", "device, FIFO or other special file in the archive", entry.name
        )
    if entry.kind in ("symlink", "hardlink") and entry.link is not None:
        base = posixpath.dirname(entry.name) if entry.kind == "symlink" else ""
        target = posixpath.normpath(posixpath.join(base, entry.link))
        if is_unsafe_path(entry.link if entry.link.startswith("/") else target):
            yield error(
                "archive-link-escape",
                f"link to {entry.link!r} points outside the archive",
                entry.name,
            )


def is_unsafe_path(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in name.replace("\\", "/").split("/")


def _read(scan: Scan, entry: ScannedEntry, stream: IO[bytes], keep: bool, limits: Limits) -> None:
    digest = hashlib.sha256()
    kept = bytearray()
    size = 0
    while block := stream.read(_READ):
        size += len(block)
        scan.total_size += len(block)
        if scan.total_size > limits.max_total_size:
            scan.findings.append(
                error(
                    "archive-bomb",
                    f"expands to more than {limits.max_total_size} bytes: stopped reading",
                    entry.name,
                )
            )
            raise _Stop
        digest.update(block)
        if keep and len(kept) <= KEEP_MAX:
            kept += block
    entry.size = size
    entry.sha256 = digest.hexdigest()
    if keep and len(kept) <= KEEP_MAX - scan.kept_size:
        scan.kept[entry.name] = bytes(kept)
        scan.kept_size += len(kept)
