"""A bundle file as an ``Artifact``: its name, version and release identity, ready to publish.

The identity of a ``.tar.gz`` bundle is the sha256 of its *uncompressed* tar stream (compressed
bytes may differ between compressor builds); of a ``.zip`` bundle, the sha256 of the file.
Name and version come from the bundle's manifest (``cookbooks/.manifest.json`` or
``.manifest.json``), falling back to the file name ``<name>-<version>.tar.gz``.

An ``Artifact`` is built without reading the file again: from the result of ``build_bundle``
(which hashed everything while writing), or from the one scan of a bundle file that ``verify``
makes (``checked_artifact``; ``open_artifact`` is the same scan without the checks).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cookbook_tool.archive.manifest import MANIFEST_NAMES, ManifestError, find_manifest, load_json
from cookbook_tool.archive.read import KEEP_MAX, Limits, Scan, require_archive_file, scan_archive
from cookbook_tool.errors import EXIT_FINDINGS, LocalError, ToolError
from cookbook_tool.findings import Finding, has_errors

if TYPE_CHECKING:
    from cookbook_tool.bundle.build import BundleResult

_FILENAME_RE = re.compile(r"^(?P<name>.+)-(?P<version>\d+\.\d+(?:\.\d+)?)\.(?:tar\.gz|tgz|zip)$")


@dataclass(frozen=True)
class Artifact:
    """A bundle file ready to publish.

    ``sha256`` is the release identity: the sha256 of the uncompressed tar stream (for zip
    archives, of the zip file). ``archive_sha256`` is the sha256 of the file's own bytes.
    """

    path: Path
    name: str
    version: str
    sha256: str
    archive_sha256: str
    size: int
    archive_format: str = "tar.gz"  # or "zip"
    layout: str = "cookbooks"  # or "flat"
    source_commit: str | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}.{self.archive_format}"


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


def artifact_from_bundle(result: BundleResult, *, source_commit: str | None = None) -> Artifact:
    """The artifact of a bundle ``build_bundle`` just wrote: its result holds both digests."""
    if result.path is None or result.identity is None or result.sha256 is None:
        raise ValueError("the bundle was not written (it has error findings)")
    settings = result.settings
    return Artifact(
        path=result.path,
        name=settings.name,
        version=settings.version,
        sha256=result.identity,
        archive_sha256=result.sha256,
        size=result.size,
        archive_format=settings.archive_format,
        layout=settings.layout,
        source_commit=source_commit,
    )


def checked_artifact(
    path: Path, external: Collection[str] = (), *, source_commit: str | None = None
) -> Artifact:
    """The artifact of the bundle file at ``path`` after the checks of ``cookbook-tool verify``
    (safe to extract, every dependency inside or in ``external``, every file as its manifest
    says), from the same single read. Raises ``BundleRejected`` with the findings when any is
    an error."""
    from cookbook_tool.verify import check_archive  # lazy: verify pulls the metadata parser

    require_archive_file(path)
    checked = check_archive(path, external=external)
    _raise_unreadable(path, checked.findings)
    if has_errors(checked.findings):
        raise BundleRejected(path, checked.findings)
    return artifact_from_scan(path, checked.scan, source_commit=source_commit)


def open_artifact(path: Path, *, source_commit: str | None = None) -> Artifact:
    """The artifact of the bundle file at ``path``, without the checks of ``verify`` (one read
    of the file). Raises ``LocalError`` if unreadable."""
    require_archive_file(path)
    scan = scan_archive(path, lambda name, size: name in MANIFEST_NAMES, Limits())
    _raise_unreadable(path, scan.findings)
    return artifact_from_scan(path, scan, source_commit=source_commit)


def _raise_unreadable(path: Path, findings: list[Finding]) -> None:
    unreadable = next((f for f in findings if f.rule == "archive-unreadable"), None)
    if unreadable is not None:
        raise LocalError(f"{path}: {unreadable.message}")


def artifact_from_scan(path: Path, scan: Scan, *, source_commit: str | None = None) -> Artifact:
    """The artifact of the bundle file at ``path`` from its scan (``archive.read``). A
    ``.zip`` must be a zip, anything else a gzip-compressed tar (``LocalError``)."""
    is_zip = path.suffix == ".zip"
    if scan.kind != ("zip" if is_zip else "gzip"):
        problem = "File is not a zip file" if is_zip else f"Not a gzipped file ({scan.head[:2]!r})"
        raise LocalError(f"{path}: not a readable bundle archive ({problem})")
    if scan.identity is None or scan.sha256 is None:
        raise LocalError(f"{path}: not a readable bundle archive (not read to its end)")
    bundle = _manifest_bundle(path, scan)
    name, version = bundle.get("name"), bundle.get("version")
    if not (isinstance(name, str) and isinstance(version, str)):
        name, version = _name_and_version(path)
    return Artifact(
        path=path,
        name=name,
        version=version,
        sha256=scan.identity,
        archive_sha256=scan.sha256,
        size=path.stat().st_size,
        archive_format="zip" if is_zip else "tar.gz",
        layout=str(bundle.get("layout", "cookbooks")),
        source_commit=source_commit,
    )


def _manifest_bundle(path: Path, scan: Scan) -> dict[str, Any]:
    """The manifest's ``bundle`` object, empty when the archive has no manifest."""
    name = find_manifest(scan.entries)
    if name is None:
        return {}
    data = scan.kept.get(name)
    if data is None:
        raise LocalError(f"{path}: manifest larger than {KEEP_MAX >> 20} MB")
    try:
        manifest = load_json(data)
    except ManifestError as exc:
        raise LocalError(f"{path}: manifest {name}: {exc}") from exc
    if not isinstance(manifest, dict):
        raise LocalError(f"{path}: manifest is not a JSON object")
    found = manifest.get("bundle")
    return found if isinstance(found, dict) else {}


def _name_and_version(path: Path) -> tuple[str, str]:
    match = _FILENAME_RE.match(path.name)
    if not match:
        raise LocalError(
            f"{path}: no manifest and the file name is not <name>-<version>.tar.gz: "
            "cannot tell the bundle's name and version"
        )
    return match["name"], match["version"]
