"""What an archive file really is (from its first bytes), against what its name says.

OpsWorks archive sources take zip, gzip or bzip2 (tarball); an uncompressed tar is refused there,
and a plain tar named ``.tar.gz`` fails later in ``publish`` ("not a gzipped file").
"""

from __future__ import annotations

from typing import Literal

from cookbook_tool.findings import Finding, error, warning

Kind = Literal["gzip", "bzip2", "xz", "zip", "tar"]
_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
_BY_SUFFIX: tuple[tuple[tuple[str, ...], Kind], ...] = (
    ((".tar.gz", ".tgz"), "gzip"),
    ((".tar.bz2", ".tbz2", ".tbz"), "bzip2"),
    ((".tar.xz", ".txz"), "xz"),
    ((".zip",), "zip"),
)
_SHOWN = {
    "gzip": "a gzip file",
    "bzip2": "a bzip2 file",
    "xz": "an xz file",
    "zip": "a zip archive",
    "tar": "an uncompressed tar",
}


def kind_from_head(head: bytes) -> Kind | None:
    """The compression a file's first bytes announce (a zip is told by ``zipfile.is_zipfile``
    and an uncompressed tar by its headers, both in ``archive.read``)."""
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def expected_kind(name: str) -> Kind | None:
    """The container type the file name promises, None for a name without a known suffix."""
    lower = name.lower()
    return next((kind for suffixes, kind in _BY_SUFFIX if lower.endswith(suffixes)), None)


def kind_findings(name: str, actual: Kind | None) -> list[Finding]:
    """For the archive file ``name`` whose content is ``actual`` (as the scan found it):
    ``archive-wrong-type`` when the content is not what the name says, ``archive-uncompressed``
    for a plain tar (OpsWorks refuses it)."""
    if actual is None:
        return []  # the scan reports it unreadable
    expected = expected_kind(name)
    if expected is not None and actual != expected:
        return [
            error(
                "archive-wrong-type",
                f"the name says {_SHOWN[expected]}, the content is {_SHOWN[actual]}: rename it "
                "or rebuild it with cookbook-tool bundle",
                name,
            )
        ]
    if actual == "tar":
        return [
            warning(
                "archive-uncompressed",
                "uncompressed tar: OpsWorks archive sources need zip, gzip or bzip2: use "
                "cookbook-tool bundle or tar czf",
                name,
            )
        ]
    return []
