"""Deterministic, streaming archive writers: tar.gz (compressed by ``archive_gzip``); zip in
``archive_zip``.

The same members give the same bytes whatever the machine, umask, clock or filesystem order:
members are written in the order given (the caller sorts them), every header is built here
from fixed values (uid/gid 0, empty owner names, mode 0644/0755, one mtime), and the gzip header
carries mtime 0 and no file name.

Each file is read once: its bytes go into the compressor and into its sha256 together (the
bundle manifest is built from those hashes and written last).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

from cookbook_tool.archive.gzip import Digests, Hash, ParallelGzipWriter
from cookbook_tool.errors import LocalError

DEFAULT_MTIME = 315532800  # 1980-01-01T00:00:00Z: the earliest date a zip can hold
_READ_SIZE = 1 << 20
_BLOCK = 512
_RECORD = 20 * _BLOCK
_USTAR_MAX_SIZE = 8**11 - 1

MemberKind = Literal["dir", "file"]


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...



@dataclass(frozen=True, slots=True)  # one per file of the tree: no __dict__ each
class Member:
    """One archive entry: a directory, a file read from ``source``, or generated ``data``."""

    name: str  # posix path inside the archive, no trailing slash
    kind: MemberKind
    size: int = 0
    executable: bool = False
    source: str | Path | None = None  # a string from the walk (no Path per file kept)
    data: bytes | None = None
    note: str = ""  # how it was derived, for people (e.g. "symlink to recipes/x.rb"); not stored

    @property
    def mode(self) -> int:
        return 0o755 if self.kind == "dir" or self.executable else 0o644

    @property
    def sort_key(self) -> str:
        """Tree order, by name within each folder (as ``tar --sort=name``): the name with each
        ``/`` as NUL, which sorts before any character a name can hold (so ``a/b`` comes
        before ``a-c``, as the tuples of their parts would)."""
        return self.name.replace("/", "\0")


OnFile = Callable[[Member, str], None]  # a file member has been written: (member, its sha256)


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
    numbers = b"%07o\0" % mode + _IDS + b"%011o\0%011o\0" % (size, mtime)
    # The checksum is the sum of the block's bytes with its own field as spaces: NUL padding
    # adds nothing, so only the variable fields are summed (a header is built per file).
    checksum = sum(name) + sum(numbers) + sum(typeflag) + sum(prefix) + _CONSTANT_SUM
    return b"".join((
        name.ljust(100, b"\0"), numbers, b"%06o\0 " % checksum, typeflag, _LINK_TO_DEVICES,
        prefix.ljust(155, b"\0"), b"\0" * 12,
    ))


_IDS = b"0000000\0" * 2  # uid, gid
# linkname, magic and version, uname, gname, devmajor, devminor
_LINK_TO_DEVICES = b"\0" * 100 + b"ustar\x0000" + b"\0" * 64 + b"0000000\0" * 2
_CONSTANT_SUM = sum(b" " * 8) + sum(_LINK_TO_DEVICES)


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
        with open(member.source, "rb", buffering=0) as stream:
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
