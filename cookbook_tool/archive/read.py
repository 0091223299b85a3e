"""Read any cookbook archive (tar, tar.gz, tar.bz2, tar.xz, zip) once, as a stream, without
extracting it: every entry's kind, size and sha256, plus the small files ``verify`` needs
(metadata, the manifest) kept in memory. Safety problems are findings, found on the way:
unsafe paths, links that escape, special files, and sizes or ratios no cookbook has.

The same read gives what publishing needs: the container type (from the first bytes), the
sha256 of the file and the release identity (the sha256 of the uncompressed tar stream of a
gzip archive; of the file itself for a zip). The file is opened once.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, Protocol

from cookbook_tool.archive.kind import Kind, kind_from_head
from cookbook_tool.archive.links import escapes, is_absolute, written_through_links
from cookbook_tool.errors import LocalError
from cookbook_tool.findings import Finding, error, warning

EntryKind = Literal["file", "dir", "symlink", "hardlink", "special"]
_READ = 1 << 20
KEEP_MAX = 64 << 20  # largest file kept in memory (manifests, metadata), and all of them
# A name spelled otherwise than extraction writes it: "//", a "." component, a leading "/".
_RESPELL = re.compile(r"//|(?:^|/)\.(?:/|$)|^/|/$")
LINK_MAX = 4095  # the longest symlink target a file system holds (PATH_MAX, 4096 with its NUL)


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
    kind: Kind | None = None  # the container type, from the content (None: none known)
    head: bytes = b""  # the file's first bytes, which told the kind
    sha256: str | None = None  # of the file's bytes; None unless read to the end
    identity: str | None = None  # gzip: of the uncompressed tar stream; zip: of the file


class _Stop(Exception):
    """Reading further would be unsafe (a bomb): stop the scan."""


def require_archive_file(path: Path) -> None:
    """``LocalError`` unless ``path`` is a file (a folder gets its own message)."""
    if path.is_dir():
        raise LocalError(
            f"{path}: is a folder, not an archive: give a .tar.gz/.zip bundle "
            "(build one with `cookbook-tool bundle`)"
        )
    if path.exists() and not path.is_file():
        raise LocalError(
            f"{path}: not a regular file (a FIFO, a device or a socket): give the archive file"
        )
    if not path.is_file():
        raise LocalError(f"{path}: no such archive (run `cookbook-tool bundle` first)")


def scan_archive(path: Path, keep: Callable[[str, int], bool], limits: Limits) -> Scan:
    """Scan ``path``; ``keep(name, size)`` says which files to keep in memory. A file the
    system cannot read (permissions, an I/O error) is a ``LocalError`` naming it; content that
    is no readable archive is an ``archive-unreadable`` finding."""
    scan = Scan()
    try:
        with path.open("rb") as raw:
            _scan_file(raw, path, scan, keep, limits)
    except _Stop:
        pass
    except OSError as exc:
        if exc.errno is None:  # raised by a decoder about the content, not by the system
            scan.findings.append(_unreadable(path, exc))
        else:
            raise LocalError(f"{path}: cannot read the archive ({exc.strerror})") from exc
    except (EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error) as exc:
        scan.findings.append(_unreadable(path, exc))
    scan.findings.extend(link_findings(scan.entries))
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


def _unreadable(path: Path, exc: Exception) -> Finding:
    return error("archive-unreadable", f"not a readable tar or zip archive: {exc}", path.name)


def _scan_file(
    raw: BinaryIO, path: Path, scan: Scan, keep: Callable[[str, int], bool], limits: Limits
) -> None:
    """The one read of the open file: its kind, its entries, its digests."""
    if zipfile.is_zipfile(raw):
        scan.kind = "zip"
        raw.seek(0)
        scan.sha256 = scan.identity = _sha256_of(raw)
        _scan_zip(raw, path, scan, keep, limits)
        return
    raw.seek(0)
    scan.head = raw.read(8)
    raw.seek(0)
    scan.kind = kind_from_head(scan.head)
    compressed = HashingReader(raw)
    if scan.kind == "gzip":
        scan.identity = _scan_tar_gz(compressed, scan, keep, limits)
    else:
        _scan_tar(io.BufferedReader(compressed, _READ), "r|*", scan, keep, limits)
    compressed.drain()
    scan.sha256 = compressed.digest.hexdigest()


def _scan_tar_gz(
    compressed: HashingReader, scan: Scan, keep: Callable[[str, int], bool], limits: Limits
) -> str:
    """Scan the tar inside a gzip stream; the sha256 of the uncompressed tar stream. A broken
    gzip stream reads as ``tarfile`` says it ("unexpected end of data", "invalid compressed
    data"), whichever reader found the problem."""
    try:
        with gzip.GzipFile(fileobj=io.BufferedReader(compressed, _READ), mode="rb") as unzipped:
            plain = HashingReader(unzipped)
            _scan_tar(io.BufferedReader(plain, _READ), "r|", scan, keep, limits)
            plain.drain()
    except EOFError as exc:
        raise tarfile.ReadError("unexpected end of data") from exc
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise tarfile.ReadError("invalid compressed data") from exc
    return plain.digest.hexdigest()


def _scan_tar(
    stream: IO[bytes],
    mode: Literal["r|", "r|*"],
    scan: Scan,
    keep: Callable[[str, int], bool],
    limits: Limits,
) -> None:
    with tarfile.open(fileobj=stream, mode=mode) as archive:
        if scan.kind is None:
            scan.kind = "tar"  # no compression, and tar headers: an uncompressed tar
        for member in archive:
            entry = _tar_entry(member)
            if _is_root(entry):
                continue
            _admit(scan, entry, limits)
            if entry.kind == "file":
                extracted = archive.extractfile(member)
                if extracted is not None:
                    _read(scan, entry, extracted, keep(entry.name, entry.size), limits)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class HashingReader(io.RawIOBase):
    """A read-only stream that hashes what is read through it."""

    def __init__(self, stream: _Readable) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read (and hash) the rest of the stream."""
        while self.stream.read(_READ):
            pass


def _sha256_of(stream: _Readable) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_READ):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes, streamed."""
    with path.open("rb") as stream:
        return _sha256_of(stream)


def tar_stream_sha256(path: Path) -> str:
    """sha256 of the uncompressed content of a gzip file, streamed."""
    try:
        with gzip.open(path, "rb") as stream:
            return _sha256_of(stream)
    except (OSError, EOFError, zlib.error) as exc:
        raise LocalError(f"{path}: not a readable gzip archive ({exc})") from exc


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


def _scan_zip(
    raw: BinaryIO, path: Path, scan: Scan, keep: Callable[[str, int], bool], limits: Limits
) -> None:
    with zipfile.ZipFile(raw) as archive:
        for info in archive.infolist():
            mode = info.external_attr >> 16 if info.create_system == 3 else 0
            name = normalise(_zip_name(info.filename, path, scan))
            if info.is_dir() or info.filename.endswith("\\"):
                entry = ScannedEntry(name, "dir")
            elif stat.S_ISLNK(mode):
                link = _zip_link(archive, info, scan)
                entry = ScannedEntry(name, "symlink", info.file_size, link=link)
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


def _zip_link(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: Scan) -> str:
    """The target of a zip symlink entry (its content), read no further than a target can be
    long: an entry declaring a 1 GiB target is never expanded in memory."""
    with archive.open(info) as stream:
        data = stream.read(LINK_MAX + 1)
    scan.total_size += len(data)
    return data.decode("utf-8", "replace")


def normalise(name: str) -> str:
    """The name as extraction writes it: ``./a//b/./c/`` -> ``a/b/c``; the archive's root
    (``./``, ``.``) -> ``""``. An absolute name keeps its leading ``/``; ``..`` is kept (it is
    refused as ``archive-unsafe-path``, never resolved)."""
    if not _RESPELL.search(name):
        return name  # already in its one spelling (nearly every name)
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return ("/" if name.startswith("/") else "") + "/".join(parts)


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
            error(
                "archive-duplicate-entry",
                "appears more than once in the archive (spellings such as 'a/./b', 'a//b' and "
                "'a/b' are one path): extraction keeps the last copy",
                entry.name,
            )
        )
        dropped = scan.kept.pop(entry.name, None)  # the checks read the copy extraction keeps
        scan.kept_size -= len(dropped or b"")
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
    """Unsafe paths, special files and link targets no file system holds (where links lead is
    ``link_findings``'s, once every link is known)."""
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
    if entry.kind == "symlink" and _too_long(entry):
        yield error(
            "archive-bomb",
            f"a symlink target of more than {LINK_MAX} bytes, which no file system holds: "
            "not read further",
            entry.name,
        )


def _too_long(entry: ScannedEntry) -> bool:
    """A symlink whose target (as declared, or as read) is longer than any target can be."""
    link = entry.link or ""
    return max(entry.size, len(link.encode("utf-8", "replace"))) > LINK_MAX


def link_findings(entries: dict[str, ScannedEntry]) -> Iterator[Finding]:
    """Links that point outside the archive, every link of it followed (``archive.links``),
    and entries that a link makes land outside it."""
    links = {
        name: entry.link
        for name, entry in entries.items()
        if entry.kind == "symlink" and entry.link is not None and not _too_long(entry)
    }
    for name, entry in entries.items():
        if entry.link is None or (entry.kind == "symlink" and name not in links):
            continue  # no link, or a target too long: refused already, never followed
        if escapes(name, entry.link, links, hard=entry.kind == "hardlink"):
            yield error(
                "archive-link-escape",
                f"link to {entry.link!r} points outside the archive (its links followed)",
                name,
            )
    if not links:
        return
    for name in written_through_links(iter(entries), links):
        yield error(
            "archive-link-escape",
            "lies below a link that leads outside the archive: extracting it would write "
            "outside the folder",
            name,
        )


def is_unsafe_path(name: str) -> bool:
    """An absolute name, a drive letter or a ``..`` component: it would land outside."""
    return is_absolute(name) or ".." in name.replace("\\", "/").split("/")


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
