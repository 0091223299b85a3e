"""Open a bundle file as an ``Artifact``: its name, version and release identity.

The identity of a ``.tar.gz`` bundle is the sha256 of its *uncompressed* tar stream (compressed
bytes may differ between compressor builds); of a ``.zip`` bundle, the sha256 of the file.
Name and version come from the bundle's manifest (``cookbooks/.manifest.json`` or
``.manifest.json``), falling back to the file name ``<name>-<version>.tar.gz``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import Any, BinaryIO

from cookbook_tool.errors import EXIT_FINDINGS, LocalError, ToolError
from cookbook_tool.findings import Finding, has_errors
from cookbook_tool.publish.base import Artifact

MANIFEST_NAMES = ("cookbooks/.manifest.json", ".manifest.json")
_CHUNK = 1 << 20
_MAX_MANIFEST = 64 << 20
_FILENAME_RE = re.compile(r"^(?P<name>.+)-(?P<version>\d+\.\d+(?:\.\d+)?)\.(?:tar\.gz|tgz|zip)$")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def tar_stream_sha256(path: Path) -> str:
    """sha256 of the uncompressed content of a gzip file, streamed."""
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise LocalError(f"{path}: not a readable gzip archive ({exc})") from exc
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The bundle's manifest, or None when it has none."""
    try:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                for name in MANIFEST_NAMES:
                    if name in names:
                        return _parse_manifest(path, archive.read(name)[: _MAX_MANIFEST + 1])
            return None
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.name in MANIFEST_NAMES and member.isfile():
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        return None
                    return _parse_manifest(path, extracted.read(_MAX_MANIFEST + 1))
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error) as exc:
        raise LocalError(f"{path}: not a readable bundle archive ({exc})") from exc
    return None


def _parse_manifest(path: Path, data: bytes) -> dict[str, Any]:
    if len(data) > _MAX_MANIFEST:
        raise LocalError(f"{path}: manifest larger than {_MAX_MANIFEST >> 20} MB")
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LocalError(f"{path}: manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise LocalError(f"{path}: manifest is not a JSON object")
    return manifest


class BundleRejected(ToolError):
    """The archive fails ``verify``: nothing was published. ``findings`` says why (exit 1)."""

    exit_code = EXIT_FINDINGS

    def __init__(self, path: Path, findings: list[Finding]) -> None:
        errors = sum(1 for f in findings if f.is_error)
        super().__init__(
            f"{path}: refused, the archive fails verification ({errors} error(s)): "
            f"see `cookbook-tool verify {path}`"
        )
        self.path = path
        self.findings = findings


def require_archive_file(path: Path) -> None:
    """``LocalError`` unless ``path`` is a file (a folder gets its own message)."""
    if path.is_dir():
        raise LocalError(
            f"{path}: is a folder, not an archive: give a .tar.gz/.zip bundle "
            "(build one with `cookbook-tool bundle`)"
        )
    if not path.is_file():
        raise LocalError(f"{path}: no such archive (run `cookbook-tool bundle` first)")


def checked_artifact(
    path: Path, external: Collection[str] = (), *, source_commit: str | None = None
) -> Artifact:
    """``open_artifact`` after the checks of ``cookbook-tool verify`` (safe to extract, every
    dependency inside or in ``external``, every file as its manifest says). Raises
    ``BundleRejected`` with the findings when any is an error."""
    from cookbook_tool.verify import verify_archive  # lazy: verify pulls the metadata parser

    require_archive_file(path)
    findings = verify_archive(path, external=external)
    unreadable = next((f for f in findings if f.rule == "archive-unreadable"), None)
    if unreadable is not None:
        raise LocalError(f"{path}: {unreadable.message}")
    if has_errors(findings):
        raise BundleRejected(path, findings)
    return open_artifact(path, source_commit=source_commit)


class _Hashing(io.RawIOBase):
    """A read-only stream that hashes what is read through it."""

    def __init__(self, stream: BinaryIO | gzip.GzipFile) -> None:
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
        while self.stream.read(_CHUNK):
            pass


def scan_tar_gz(path: Path) -> tuple[dict[str, Any] | None, str, str]:
    """One read of a ``.tar.gz``: (manifest or None, identity, sha256 of the file)."""
    manifest = None
    try:
        with path.open("rb") as raw:
            compressed = _Hashing(raw)
            with gzip.GzipFile(fileobj=io.BufferedReader(compressed, _CHUNK), mode="rb") as gz:
                plain = _Hashing(gz)
                with tarfile.open(fileobj=io.BufferedReader(plain, _CHUNK), mode="r|") as tar:
                    for member in tar:
                        if member.name in MANIFEST_NAMES and member.isfile() and manifest is None:
                            extracted = tar.extractfile(member)
                            if extracted is not None:
                                manifest = _parse_manifest(path, extracted.read(_MAX_MANIFEST + 1))
                plain.drain()
            compressed.drain()
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise LocalError(f"{path}: not a readable bundle archive ({exc})") from exc
    return manifest, plain.digest.hexdigest(), compressed.digest.hexdigest()


def open_artifact(path: Path, *, source_commit: str | None = None) -> Artifact:
    """Describe the bundle at ``path`` for publishing (a ``.tar.gz`` is read once). Raises
    ``LocalError`` if unreadable."""
    require_archive_file(path)
    is_zip = path.suffix == ".zip"
    if is_zip:
        found_manifest, archive_sha = read_manifest(path), file_sha256(path)
        identity = archive_sha
    else:
        found_manifest, identity, archive_sha = scan_tar_gz(path)
    manifest = found_manifest or {}
    found = manifest.get("bundle")
    bundle: dict[str, Any] = found if isinstance(found, dict) else {}
    name, version = bundle.get("name"), bundle.get("version")
    if not (isinstance(name, str) and isinstance(version, str)):
        match = _FILENAME_RE.match(path.name)
        if not match:
            raise LocalError(
                f"{path}: no manifest and the file name is not <name>-<version>.tar.gz: "
                "cannot tell the bundle's name and version"
            )
        name, version = match["name"], match["version"]
    return Artifact(
        path=path,
        name=name,
        version=version,
        sha256=identity,
        archive_sha256=archive_sha,
        size=path.stat().st_size,
        archive_format="zip" if is_zip else "tar.gz",
        layout=str(bundle.get("layout", "cookbooks")),
        source_commit=source_commit,
    )
