"""Build small bundle archives for the Git publisher tests, with tarfile, in the bundle format
(``cookbooks/<name>/...`` plus ``cookbooks/.manifest.json``)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from cookbook_tool.artifact import Artifact, open_artifact

SAMPLE_STACK = Path(__file__).resolve().parent.parent / "sample_cookbooks" / "opsworks-stack"


def default_files(version: str, extra: str = "") -> dict[str, bytes]:
    return {
        "webapp/metadata.rb": f"name 'webapp'\nversion '{version}'\n".encode(),
        "webapp/recipes/default.rb": f"log 'webapp {version}{extra}'\n".encode(),
        "db_connect/metadata.rb": b"name 'db_connect'\nversion '1.2.0'\n",
        "db_connect/recipes/default.rb": b"log 'db'\n",
    }


def sample_files() -> dict[str, bytes]:
    """The cookbooks of the sample stack, relative to its cookbooks/ folder."""
    root = SAMPLE_STACK / "cookbooks"
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def make_bundle(
    directory: Path,
    version: str,
    *,
    name: str = "cookbooks",
    files: dict[str, bytes] | None = None,
    extra: str = "",
    source_commit: str | None = "0" * 40,
) -> Artifact:
    """A ``<name>-<version>.tar.gz`` bundle in ``directory``; its ``Artifact``."""
    files = files if files is not None else default_files(version, extra)
    manifest = {
        "manifest_version": 1,
        "bundle": {"name": name, "version": version, "layout": "cookbooks"},
        "cookbooks": [
            {"name": cookbook, "version": version, "path": f"cookbooks/{cookbook}"}
            for cookbook in sorted({path.split("/")[0] for path in files})
        ],
        "files": [
            {
                "path": f"cookbooks/{path}",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for path, data in sorted(files.items())
        ],
    }
    members = {f"cookbooks/{path}": data for path, data in files.items()}
    members["cookbooks/.manifest.json"] = json.dumps(manifest, indent=2).encode()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}-{version}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        for path, data in sorted(members.items()):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
    return open_artifact(target, source_commit=source_commit)
