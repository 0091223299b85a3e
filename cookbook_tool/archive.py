"""Deterministic, streaming archive writers: tar.gz (parallel zlib-ng deflate); zip in
``archive_zip``.

The same members give the same bytes whatever the machine, umask, clock or filesystem order:
members are written in the order given (the caller sorts them), every header is built here
from fixed values (uid/gid 0, empty owner names, mode 0644/0755, one mtime), and the gzip header
carries mtime 0 and no file name.

The tar stream is compressed with zlib-ng in fixed-size chunks on a thread pool (zlib-ng
releases the GIL): each chunk is a raw-deflate run primed with the previous 32 KiB and ended
with a sync flush, the last one with a final block; the result is ONE standard gzip member (the pigz
technique), readable by gzip, tar, Python and Ruby alike. Chunk boundaries depend only on the
stream offset, so the bytes do not depend on the number of threads. Memory is bounded by a few
chunks in flight whatever the file sizes.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

from isal import isal_zlib
from zlib_ng import zlib_ng

from cookbook_tool.errors import LocalError

DEFAULT_MTIME = 315532800  # 1980-01-01T00:00:00Z: the earliest date a zip can hold
GZIP_LEVEL = 4  # zlib-ng level 4: within ~4% of gzip -6 on code, several times faster
CHUNK_SIZE = 1 << 20  # fixed: part of the byte-for-byte format
_WINDOW = 1 << 15
_PROBE_BLOCK = 64 << 10  # compressibility is judged per 64 KiB block ...
_PROBE = 4 << 10  # ... from its first 4 KiB
_READ_SIZE = 1 << 20
_BLOCK = 512
_RECORD = 20 * _BLOCK
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS unknown
_USTAR_MAX_SIZE = 8**11 - 1

MemberKind = Literal["dir", "file"]


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class Readable(Protocol):
    def readinto(self, buffer: memoryview, /) -> int | None: ...


class Hash(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...

    def hexdigest(self) -> str: ...



@dataclass(frozen=True)
class Member:
    """One archive entry: a directory, a file read from ``source``, or generated ``data``."""

    name: str  # posix path inside the archive, no trailing slash
    kind: MemberKind
    size: int = 0
    executable: bool = False
    source: Path | None = None
    data: bytes | None = None

    @property
    def mode(self) -> int:
        return 0o755 if self.kind == "dir" or self.executable else 0o644


OnFile = Callable[[Member, str], None]  # a file member has been written: (member, its sha256)


# --------------------------------------------------------------------------- gzip


@dataclass(frozen=True)
class Digests:
    """sha256 of a written .tar.gz: of the uncompressed tar stream (the identity) and of the
    compressed file, both taken while writing (the archive is never read back)."""

    identity: str
    sha256: str


class ParallelGzipWriter:
    """A write-only binary sink that gzips into ``out`` and hashes both the uncompressed bytes
    (``sha256``) and the compressed bytes it writes (``archive_sha256``).

    The calling thread only fills 1 MiB chunks (``readfrom`` reads files straight into them);
    a thread pool deflates them and one writer thread hashes each chunk and writes its
    compressed bytes, in order.
    """

    def __init__(self, out: BinaryIO, *, level: int = GZIP_LEVEL, workers: int | None = None):
        self._out = out
        self._level = level
        self._chunk = bytearray(CHUNK_SIZE)
        self._filled = 0
        self._previous_tail = b""
        self._crc = 0
        self._length = 0
        self.sha256 = hashlib.sha256()
        self.archive_sha256 = hashlib.sha256()
        threads = workers or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="deflate")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gzip-writer")
        self._pending: deque[Future[None]] = deque()
        self._max_pending = 2 * threads + 2
        self._emit(_GZIP_HEADER)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        while view:
            room = CHUNK_SIZE - self._filled
            self._chunk[self._filled : self._filled + min(room, len(view))] = view[:room]
            taken = min(room, len(view))
            self._filled += taken
            view = view[taken:]
            if self._filled == CHUNK_SIZE:
                self._dispatch(final=False)

    def readfrom(self, stream: Readable, size: int, digest: Hash) -> int:
        """Copy up to ``size`` bytes of ``stream`` in, reading into the chunk itself, and hash
        them into ``digest`` on the way (each byte is read once)."""
        done = 0
        while done < size:
            room = min(CHUNK_SIZE - self._filled, size - done)
            view = memoryview(self._chunk)[self._filled : self._filled + room]
            read = stream.readinto(view)
            if not read:
                break
            digest.update(view[:read])
            self._filled += read
            done += read
            if self._filled == CHUNK_SIZE:
                self._dispatch(final=False)
        return done

    def close(self) -> None:
        """Compress what is left, write the trailer and stop the threads."""
        try:
            self._dispatch(final=True)
            while self._pending:
                self._pending.popleft().result()
            self._emit(struct.pack("<II", self._crc, self._length & 0xFFFFFFFF))
        finally:
            self.abort()

    def abort(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._writer.shutdown(wait=True, cancel_futures=True)

    def _dispatch(self, *, final: bool) -> None:
        chunk = bytes(self._chunk[: self._filled]) if final else self._chunk
        if not final:
            self._chunk = bytearray(CHUNK_SIZE)  # the full one now belongs to the threads
        self._filled = 0
        deflated = self._pool.submit(_deflate, chunk, self._previous_tail, self._level, final)
        self._previous_tail = bytes(chunk[-_WINDOW:])
        self._pending.append(self._writer.submit(self._finish, chunk, deflated))
        while len(self._pending) > self._max_pending:
            self._pending.popleft().result()

    def _finish(self, chunk: bytes | bytearray, deflated: Future[bytes]) -> None:
        self.sha256.update(chunk)
        self._crc = zlib_ng.crc32(chunk, self._crc)
        self._length += len(chunk)
        self._emit(deflated.result())

    def _emit(self, compressed: bytes) -> None:
        """Write compressed bytes out (one thread at a time, in order) and hash them."""
        self.archive_sha256.update(compressed)
        self._out.write(compressed)


def _deflate(chunk: bytes | bytearray, dictionary: bytes, level: int, final: bool) -> bytes:
    """One chunk as raw deflate, primed with the 32 KiB before it, ended by a sync flush
    (a final block for the last chunk).

    Text goes through zlib-ng (close to gzip -6 in size); stretches that sample as
    incompressible (vendored archives, images) go through ISA-L, which is several times faster
    on them. The split depends only on the chunk's bytes: the output is a function of the input.
    """
    out: list[bytes] = []
    history = dictionary + chunk
    base = len(dictionary)
    for start, end, incompressible in _segments(chunk):
        library = isal_zlib if incompressible else zlib_ng
        chosen = 1 if incompressible else level
        primer = history[max(0, base + start - _WINDOW) : base + start]
        if primer:
            compressor = library.compressobj(chosen, library.DEFLATED, -15, zdict=primer)
        else:
            compressor = library.compressobj(chosen, library.DEFLATED, -15)
        last = final and end == len(chunk)
        mode = library.Z_FINISH if last else library.Z_SYNC_FLUSH
        out.append(compressor.compress(chunk[start:end]) + compressor.flush(mode))
    return b"".join(out)


def _segments(chunk: bytes | bytearray) -> list[tuple[int, int, bool]]:
    """Split a chunk into runs of 64 KiB blocks that are (or are not) incompressible."""
    runs: list[tuple[int, int, bool]] = []
    for start in range(0, max(len(chunk), 1), _PROBE_BLOCK):
        end = min(start + _PROBE_BLOCK, len(chunk))
        sample = chunk[start : start + _PROBE]
        flat = len(sample) == _PROBE and len(isal_zlib.compress(sample, 1, -15)) > 0.9 * _PROBE
        if runs and runs[-1][2] == flat:
            runs[-1] = (runs[-1][0], end, flat)
        else:
            runs.append((start, end, flat))
    return runs


# --------------------------------------------------------------------------- tar


def tar_header(member: Member, mtime: int) -> bytes:
    """The header block(s) of one member: a pax header first when ustar cannot hold it."""
    name = member.name + "/" if member.kind == "dir" else member.name
    encoded = name.encode("utf-8")
    size = member.size if member.kind == "file" else 0
    split = _split_ustar_name(encoded) if encoded.isascii() else None
    pax: dict[str, str] = {}
    if split is None:
        pax["path"] = name
        split = (b"", encoded[-100:].lstrip(b"/") or b"x")
    if size > _USTAR_MAX_SIZE:
        pax["size"] = str(size)
    typeflag = b"5" if member.kind == "dir" else b"0"
    block = _ustar_block(split, member.mode, 0 if pax.get("size") else size, mtime, typeflag)
    if not pax:
        return block
    records = b"".join(_pax_record(key, value) for key, value in pax.items())
    pax_block = _ustar_block((b"", b"././@PaxHeader"), 0o644, len(records), mtime, b"x")
    return pax_block + _padded(records) + block


def _split_ustar_name(name: bytes) -> tuple[bytes, bytes] | None:
    if len(name) <= 100:
        return b"", name
    for index in range(len(name) - 1, 0, -1):
        if name[index : index + 1] == b"/" and index <= 155 and len(name) - index - 1 <= 100:
            return name[:index], name[index + 1 :]
    return None


def _ustar_block(
    split: tuple[bytes, bytes], mode: int, size: int, mtime: int, typeflag: bytes
) -> bytes:
    prefix, name = split
    fields = [
        name.ljust(100, b"\0"),
        b"%07o\0" % mode,
        b"0000000\0",  # uid
        b"0000000\0",  # gid
        b"%011o\0" % size,
        b"%011o\0" % mtime,
        b" " * 8,  # checksum placeholder
        typeflag,
        b"\0" * 100,  # linkname
        b"ustar\x0000",
        b"\0" * 32,  # uname
        b"\0" * 32,  # gname
        b"0000000\0",  # devmajor
        b"0000000\0",  # devminor
        prefix.ljust(155, b"\0"),
        b"\0" * 12,
    ]
    block = bytearray(b"".join(fields))
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def _pax_record(key: str, value: str) -> bytes:
    body = f" {key}={value}\n".encode()
    length = len(body) + len(str(len(body)))
    if len(str(length)) != len(str(len(body))):
        length += 1
    return str(length).encode() + body


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % _BLOCK)


def write_tar(
    members: Iterable[Member], sink: ParallelGzipWriter, mtime: int, on_file: OnFile | None = None
) -> int:
    """Write a tar stream of ``members`` into ``sink``; return the uncompressed length.

    ``on_file(member, sha256)`` is called after each file's content is written, before the next
    member is asked for (so a generator of members may end with one built from the hashes).
    """
    length = 0
    for member in members:
        header = tar_header(member, mtime)
        sink.write(header)
        length += len(header)
        if member.kind == "file":
            written = copy_content(member, sink, on_file)
            padding = b"\0" * (-written % _BLOCK)
            sink.write(padding)
            length += written + len(padding)
    trailer = b"\0" * (2 * _BLOCK)
    trailer += b"\0" * (-(length + len(trailer)) % _RECORD)
    sink.write(trailer)
    return length + len(trailer)


def copy_content(member: Member, sink: Sink, on_file: OnFile | None = None) -> int:
    """Copy a file member's bytes into ``sink``, hashing them; report to ``on_file``."""
    digest = hashlib.sha256()
    if member.data is not None:
        sink.write(member.data)
        digest.update(member.data)
    else:
        _copy_file(member, sink, digest)
    if on_file is not None:
        on_file(member, digest.hexdigest())
    return member.size


def _copy_file(member: Member, sink: Sink, digest: Hash) -> None:
    assert member.source is not None
    written = 0
    try:
        with member.source.open("rb", buffering=0) as stream:
            if isinstance(sink, ParallelGzipWriter):
                written = sink.readfrom(stream, member.size, digest)
            else:
                while written < member.size and (
                    block := stream.read(min(_READ_SIZE, member.size - written))
                ):
                    sink.write(block)
                    digest.update(block)
                    written += len(block)
            extra = stream.read(1)
    except OSError as exc:
        raise LocalError(f"{member.source}: cannot read ({exc.strerror or exc})") from exc
    if written != member.size or extra:
        raise LocalError(f"{member.source}: file changed while bundling; run the bundle again")


def write_tar_gz(
    members: Iterable[Member],
    out: BinaryIO,
    *,
    mtime: int = DEFAULT_MTIME,
    workers: int | None = None,
    on_file: OnFile | None = None,
) -> Digests:
    """Write a deterministic .tar.gz to ``out``; return the sha256 of the uncompressed tar (the
    identity) and of the bytes written to ``out``."""
    sink = ParallelGzipWriter(out, workers=workers)
    try:
        write_tar(members, sink, mtime, on_file)
    except BaseException:
        sink.abort()
        raise
    sink.close()
    return Digests(sink.sha256.hexdigest(), sink.archive_sha256.hexdigest())
