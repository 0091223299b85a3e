"""Read the metadata of a cookbook found inside an archive, with the ordinary metadata reader.

Only the metadata files are written to a private temporary folder (never the rest of the
archive), so reading an untrusted archive extracts nothing else.
"""

from __future__ import annotations

import posixpath
import tempfile
from pathlib import Path

from cookbook_tool.errors import ToolError
from cookbook_tool.findings import Finding, error
from cookbook_tool.model import Metadata


def read_archive_metadata(
    folder: str, files: dict[str, bytes]
) -> tuple[Metadata | None, list[Finding]]:
    """The metadata of the cookbook at ``folder`` in the archive, from ``files``
    (``metadata.rb`` and/or ``metadata.json`` -> content)."""
    from cookbook_tool.metadata import read_metadata

    shown = posixpath.join(folder, "metadata.json" if "metadata.json" in files else "metadata.rb")
    with tempfile.TemporaryDirectory(prefix="cookbook-verify-") as temporary:
        target = Path(temporary) / (posixpath.basename(folder) or "cookbook")
        target.mkdir()
        for name, data in files.items():
            (target / name).write_bytes(data)
        try:
            metadata = read_metadata(target)
        except (ToolError, ValueError, UnicodeDecodeError) as exc:
            message = exc.message if isinstance(exc, ToolError) else str(exc)
            return None, [error("archive-bad-metadata", f"unreadable metadata: {message}", shown)]
    if metadata is None:
        return None, [error("archive-bad-metadata", "unreadable metadata", shown)]
    if not metadata.name and not folder:
        return metadata, [
            error("archive-bad-metadata", "a cookbook at the archive root needs a name", shown)
        ]
    return metadata, []
