"""Read the metadata of a cookbook found inside an archive, with the ordinary metadata reader.

Only the metadata files are written to a private temporary folder (never the rest of the
archive), so reading an untrusted archive extracts nothing else.
"""

from __future__ import annotations

import posixpath
import tempfile
from pathlib import Path

from cookbook_tool.findings import Finding, error
from cookbook_tool.metadata import read_metadata
from cookbook_tool.model import Metadata


def read_archive_metadata(
    folder: str, files: dict[str, bytes]
) -> tuple[Metadata | None, list[Finding]]:
    """The metadata of the cookbook at ``folder`` in the archive, from ``files``
    (``metadata.rb`` and/or ``metadata.json`` -> content), and its errors as
    ``archive-bad-metadata`` findings."""
    shown = posixpath.join(folder, "metadata.json" if "metadata.json" in files else "metadata.rb")
    with tempfile.TemporaryDirectory(prefix="cookbook-verify-") as temporary:
        target = Path(temporary) / (posixpath.basename(folder) or "cookbook")
        target.mkdir()
        for name, data in files.items():
            (target / name).write_bytes(data)
        metadata, problems = read_metadata(target)
    findings = [
        error(
            "archive-bad-metadata",
            f"{problem.message.replace(str(target), folder or '.')} [{problem.rule}]",
            shown,
            problem.line,
            problem.column,
            cookbook=posixpath.basename(folder) or None,
        )
        for problem in problems
        if problem.is_error
    ]
    if metadata is None:
        findings.append(error("archive-bad-metadata", "unreadable metadata", shown))
    elif not metadata.name and not folder:
        findings.append(
            error("archive-bad-metadata", "a cookbook at the archive root needs a name", shown)
        )
    return metadata, findings
