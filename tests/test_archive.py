"""The deterministic archive writers: tar headers, the parallel gzip stream, zip."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from cookbook_tool.archive.gzip import CHUNK_SIZE, ParallelGzipWriter
from cookbook_tool.archive.tar import DEFAULT_MTIME, Member, tar_header, write_tar_gz
from cookbook_tool.archive.zip import write_zip
from cookbook_tool.errors import LocalError


def _members(tmp_path: Path) -> list[Member]:
    text = tmp_path / "text.rb"
    text.write_bytes(b"package 'nginx'\n" * 200_000)  # > 3 chunks of tar stream
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(CHUNK_SIZE + 12345))
    deep = "cookbooks/" + "/".join(["d" * 60] * 3) + "/f.txt"  # needs the ustar prefix
    deeper = "cookbooks/" + "x" * 150 + "/" + "y" * 120  # needs a pax path
    return [
        Member("cookbooks", "dir"),
        Member("cookbooks/a", "dir"),
        Member("cookbooks/a/noise.bin", "file", CHUNK_SIZE + 12345, True, noise),
        Member("cookbooks/a/text.rb", "file", text.stat().st_size, False, text),
        Member("cookbooks/a/ünïcode.txt", "file", 3, data=b"abc"),
        Member(deep, "file", 1, data=b"1"),
        Member(deeper, "file", 2, data=b"22"),
        Member("cookbooks/empty", "file", 0, data=b""),
    ]


def _tar_gz(members: list[Member], **kwargs: object) -> tuple[bytes, str]:
    out = io.BytesIO()
    digests = write_tar_gz(members, out, **kwargs)  # type: ignore[arg-type]
    assert digests.sha256 == hashlib.sha256(out.getvalue()).hexdigest()  # hashed while written
    return out.getvalue(), digests.identity


def test_identity_is_the_sha256_of_the_uncompressed_tar(tmp_path):
    data, identity = _tar_gz(_members(tmp_path))
    assert identity == hashlib.sha256(gzip.decompress(data)).hexdigest()


def test_bytes_do_not_depend_on_the_number_of_threads(tmp_path):
    members = _members(tmp_path)
    one, _ = _tar_gz(members, workers=1)
    three, _ = _tar_gz(members, workers=3)
    assert one == three


def test_gzip_header_has_no_name_and_no_mtime(tmp_path):
    data, _ = _tar_gz(_members(tmp_path))
    assert data[:4] == b"\x1f\x8b\x08\x00"  # deflate, no FNAME/FEXTRA/FCOMMENT flags
    assert data[4:8] == b"\0\0\0\0"  # mtime 0


def test_one_gzip_member_readable_by_gzip_and_tar(tmp_path):
    data, _ = _tar_gz(_members(tmp_path))
    archive = tmp_path / "b.tar.gz"
    archive.write_bytes(data)
    subprocess.run(["gzip", "-t", str(archive)], check=True)
    listing = subprocess.run(
        ["tar", "tzf", str(archive)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert [name.rstrip("/") for name in listing] == [m.name for m in _members(tmp_path)]
    # a single member: zlib stops at the end of the first member and leaves nothing unused
    decompressor = __import__("zlib").decompressobj(31)
    decompressor.decompress(data)
    assert decompressor.eof and decompressor.unused_data == b""


def test_headers_are_normalised(tmp_path):
    members = _members(tmp_path)
    data, _ = _tar_gz(members, mtime=1_700_000_000)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        infos = archive.getmembers()
        assert [i.name for i in infos] == [m.name for m in members]
        for info in infos:
            assert (info.uid, info.gid, info.uname, info.gname) == (0, 0, "", "")
            assert info.mtime == 1_700_000_000
        modes = {i.name: i.mode for i in infos}
        assert modes["cookbooks/a"] == 0o755
        assert modes["cookbooks/a/noise.bin"] == 0o755
        assert modes["cookbooks/a/text.rb"] == 0o644
        for member in members:
            if member.kind == "file":
                extracted = archive.extractfile(member.name)
                assert extracted is not None
                expected = member.data if member.data is not None else member.source.read_bytes()  # type: ignore[union-attr]
                assert extracted.read() == expected


def test_default_mtime_is_1980(tmp_path):
    data, _ = _tar_gz([Member("x", "file", 1, data=b"x")])
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert archive.getmember("x").mtime == DEFAULT_MTIME


def test_huge_size_uses_a_pax_record():
    header = tar_header(Member("big", "file", 10 * 1024**3), DEFAULT_MTIME)
    assert b"size=10737418240\n" in header
    assert len(header) % 512 == 0


def test_a_file_that_changes_size_is_refused(tmp_path):
    source = tmp_path / "f"
    source.write_bytes(b"12345")
    with pytest.raises(LocalError, match="changed while bundling"):
        _tar_gz([Member("f", "file", 3, source=source)])


def test_chunk_boundaries_are_exact(tmp_path):
    """Writing in odd-sized pieces gives the same bytes as one big write."""
    payload = os.urandom(3 * CHUNK_SIZE + 7)
    outputs = []
    for piece in (1000, 65536, len(payload)):
        out = io.BytesIO()
        writer = ParallelGzipWriter(out, workers=2)
        for start in range(0, len(payload), piece):
            writer.write(payload[start : start + piece])
        writer.close()
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] == outputs[2]
    assert gzip.decompress(outputs[0]) == payload


def test_zip_is_deterministic_and_readable(tmp_path):
    members = _members(tmp_path)
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    for target in (first, second):
        with target.open("wb") as out:
            write_zip(members, out)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.testzip() is None
        infos = {i.filename.rstrip("/"): i for i in archive.infolist()}
        assert list(infos) == [m.name for m in members]
        assert infos["cookbooks/a/noise.bin"].external_attr >> 16 == 0o100755
        assert infos["cookbooks/a/text.rb"].external_attr >> 16 == 0o100644
        assert infos["cookbooks/a/text.rb"].date_time == (1980, 1, 1, 0, 0, 0)
        assert archive.read("cookbooks/a/ünïcode.txt") == b"abc"


def _code_with_binaries(seed: int = 3) -> bytes:
    """Real source text (the standard library's) in files each followed by a small binary
    file, as a cookbook's ``files/`` sit beside its text: the text right after a binary file
    must still be compressed as text."""
    import random
    import sysconfig

    rng = random.Random(seed)
    library = Path(sysconfig.get_paths()["stdlib"])
    parts: list[bytes] = []
    for name in ("argparse", "ast", "dataclasses", "enum", "inspect", "pathlib", "pydoc",
                 "subprocess", "tarfile", "typing", "zipfile", "logging/__init__"):
        parts.append((library / f"{name}.py").read_bytes())
        parts.append(rng.randbytes(rng.randint(20_000, 60_000)))
    return b"".join(parts)


def test_text_compresses_to_the_size_of_gzip_6():
    """Within 1 % of ``gzip -6`` on source text mixed with binary files (level 4, or judging
    compressibility in 64 KiB blocks, made it 2-4 % larger)."""
    payload = _code_with_binaries()
    out = io.BytesIO()
    writer = ParallelGzipWriter(out, workers=2)
    writer.write(payload)
    writer.close()
    assert gzip.decompress(out.getvalue()) == payload
    reference = len(gzip.compress(payload, compresslevel=6, mtime=0))
    assert len(out.getvalue()) <= 1.01 * reference, len(out.getvalue()) / reference


def test_members_sort_in_tree_order():
    """By name within each folder (``tar --sort=name``): a folder's files before a sibling
    whose name extends the folder's (``a/b`` before ``a-c`` and ``a.b``)."""
    names = ["a-c", "a/b/c", "ab", "a", "a.b/c", "a/b", "a b", "a/a-b", "a/a/b", "b", "a\u00e9"]
    members = [Member(name, "file") for name in names]
    ordered = [m.name for m in sorted(members, key=lambda m: m.sort_key)]
    assert ordered == sorted(names, key=lambda name: name.split("/"))
    assert ordered.index("a/b") < ordered.index("a-c") < ordered.index("a.b/c")
