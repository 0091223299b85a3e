"""Small bundles for publisher tests: real ``.tar.gz`` files with a manifest, built with
``tarfile`` (reproducible: sorted, fixed mtime, no owner names)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

from cookbook_tool.artifact import Artifact, open_artifact


def make_bundle(
    directory: Path,
    version: str,
    *,
    name: str = "cookbooks",
    content: str = "",
    padding: int = 0,
) -> Path:
    """Write ``<name>-<version>.tar.gz`` with one cookbook; ``content`` changes the bytes and
    ``padding`` adds that many incompressible bytes (for multipart uploads)."""
    files = {
        "cookbooks/webapp/metadata.rb": f"name 'webapp'\nversion '{version}'\n".encode(),
        "cookbooks/webapp/recipes/default.rb": f"# {content}\nlog 'hello'\n".encode(),
    }
    if padding:
        files["cookbooks/webapp/files/blob.bin"] = os.urandom(padding)
    manifest = {
        "manifest_version": 1,
        "bundle": {"name": name, "version": version, "layout": "cookbooks"},
        "cookbooks": [{"name": "webapp", "version": version, "path": "cookbooks/webapp"}],
        "files": [
            {"path": p, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for p, data in sorted(files.items())
        ],
    }
    files["cookbooks/.manifest.json"] = json.dumps(manifest).encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}{'-' + content if content else ''}.tar.gz"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member_name in sorted(files):
            data = files[member_name]
            info = tarfile.TarInfo(member_name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    with path.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return path


def make_artifact(directory: Path, version: str, **kwargs: object) -> Artifact:
    return open_artifact(make_bundle(directory, version, **kwargs))  # type: ignore[arg-type]
