"""Parallel, deterministic gzip: the compressor behind the tar.gz writer.

The stream is compressed in fixed-size chunks on a thread pool (zlib-ng and ISA-L release the
GIL): each chunk is a raw-deflate run primed with the previous 32 KiB and ended with a sync
flush, the last one with a final block; the result is ONE standard gzip member (the pigz
technique), readable by gzip, tar, Python and Ruby alike. Chunk boundaries depend only on the
stream offset, so the bytes do not depend on the number of threads. Memory is bounded by a few
chunks in flight whatever the file sizes. The gzip header carries mtime 0 and no file name.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from isal import isal_zlib
from zlib_ng import zlib_ng

# zlib-ng level 5: the size of gzip -6 (level 4 is 2-4 % larger on recipe text, at the same
# speed; level 6 costs a quarter more CPU for under 1 %)
GZIP_LEVEL = 5
CHUNK_SIZE = 1 << 20  # fixed: part of the byte-for-byte format
_WINDOW = 1 << 15
# Compressibility is judged per 64 KiB block from its first 4 KiB; where a binary stretch ends
# inside a block (its last 2 KiB or the next block are text), that block is judged again per
# 8 KiB from their first 2 KiB, so that the text after a binary file is not left to the fast
# compressor (which cost 1.5 % of size on a recipe-heavy tree).
_PROBE_BLOCK, _PROBE = 64 << 10, 4 << 10
_FINE_BLOCK, _FINE_PROBE = 8 << 10, 2 << 10
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS unknown


class Readable(Protocol):
    def readinto(self, buffer: memoryview, /) -> int | None: ...


class Hash(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...

    def hexdigest(self) -> str: ...


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
        self._max_pending = threads + 2  # chunks in flight: every thread busy, one ready; each
        # holds 1 MiB and its deflated bytes (more buy no speed and cost memory at 1 GB)
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
    view = memoryview(chunk)
    for start, end, incompressible in _segments(chunk):
        library = isal_zlib if incompressible else zlib_ng
        chosen = 1 if incompressible else level
        primer = _primer(dictionary, view, start)
        if primer:
            compressor = library.compressobj(chosen, library.DEFLATED, -15, zdict=primer)
        else:
            compressor = library.compressobj(chosen, library.DEFLATED, -15)
        last = final and end == len(chunk)
        mode = library.Z_FINISH if last else library.Z_SYNC_FLUSH
        out.append(compressor.compress(view[start:end]) + compressor.flush(mode))
    return b"".join(out)


def _primer(dictionary: bytes, chunk: memoryview, start: int) -> bytes:
    """The 32 KiB of the stream before ``start`` (fewer at the stream's start), copied from
    the chunk and the previous one's tail only as far as needed."""
    if start >= _WINDOW:
        return bytes(chunk[start - _WINDOW : start])
    return dictionary[max(0, len(dictionary) - (_WINDOW - start)) :] + bytes(chunk[:start])


def _segments(chunk: bytes | bytearray) -> list[tuple[int, int, bool]]:
    """Split a chunk into runs of blocks that are (or are not) incompressible: 64 KiB blocks,
    and 8 KiB ones where an incompressible stretch ends."""
    size = len(chunk)
    coarse = [(start, min(start + _PROBE_BLOCK, size), _incompressible(chunk, start, _PROBE))
              for start in range(0, max(size, 1), _PROBE_BLOCK)]
    runs: list[tuple[int, int, bool]] = []
    for index, (start, end, flat) in enumerate(coarse):
        ends_here = flat and (
            (index + 1 < len(coarse) and not coarse[index + 1][2])
            or not _incompressible(chunk, max(start, end - _FINE_PROBE), _FINE_PROBE)
        )  # text follows in the next block, or at this one's end
        blocks = (
            [(fine, min(fine + _FINE_BLOCK, end), _incompressible(chunk, fine, _FINE_PROBE))
             for fine in range(start, end, _FINE_BLOCK)]
            if ends_here else [(start, end, flat)]
        )
        for block in blocks:
            if runs and runs[-1][2] == block[2]:
                runs[-1] = (runs[-1][0], block[1], block[2])
            else:
                runs.append(block)
    return runs


def _incompressible(chunk: bytes | bytearray, start: int, probe: int) -> bool:
    """Whether the ``probe`` bytes at ``start`` barely compress (a whole sample only)."""
    sample = chunk[start : start + probe]
    return len(sample) == probe and len(isal_zlib.compress(sample, 1, -15)) > 0.9 * probe
