"""Archives written by hand for tests: any layout, any compression, nothing of ours involved."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path


def write_tar(path: Path, files: dict[str, str], mode: str = "w:gz") -> Path:
    """A tar archive at ``path`` holding ``files`` (archive name -> text)."""
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
