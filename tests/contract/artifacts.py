"""Small bundles for publisher tests: real ``.tar.gz`` files in the bundle format
(``cookbooks/<name>/...`` plus ``cookbooks/.manifest.json``), built with ``tarfile``
(reproducible: sorted, fixed mtime, no owner names, gzip header without time or name)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

from cookbook_tool.artifact import Artifact, open_artifact

SAMPLE_STACK = Path(__file__).resolve().parent.parent.parent / "sample_cookbooks/opsworks-stack"


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
    content: str = "",
    padding: int = 0,
) -> Path:
    """Write ``<name>-<version>[-<content>].tar.gz`` holding ``files`` (paths relative to the
    cookbooks/ folder; default: one cookbook, ``webapp``). ``content`` changes the default
    recipe's bytes; ``padding`` adds that many incompressible bytes (for multipart uploads)."""
    if files is None:
        files = {
            "webapp/metadata.rb": f"name 'webapp'\nversion '{version}'\n".encode(),
            "webapp/recipes/default.rb": f"# {content}\nlog 'hello'\n".encode(),
        }
    if padding:
        files = {**files, "webapp/files/blob.bin": os.urandom(padding)}
    members = {f"cookbooks/{path}": data for path, data in files.items()}
    members["cookbooks/.manifest.json"] = json.dumps(_manifest(name, version, members)).encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}{'-' + content if content else ''}.tar.gz"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member_name in sorted(members):
            data = members[member_name]
            info = tarfile.TarInfo(member_name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    with path.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return path


def _manifest(name: str, version: str, members: dict[str, bytes]) -> dict[str, object]:
    cookbooks = sorted({path.split("/")[1] for path in members})
    return {
        "manifest_version": 1,
        "bundle": {"name": name, "version": version, "layout": "cookbooks"},
        "cookbooks": [
            {"name": cookbook, "version": version, "path": f"cookbooks/{cookbook}"}
            for cookbook in cookbooks
        ],
        "files": [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in sorted(members.items())
        ],
    }


def make_artifact(
    directory: Path, version: str, *, source_commit: str | None = None, **kwargs: object
) -> Artifact:
    """:func:`make_bundle`, opened as the publishers see it."""
    path = make_bundle(directory, version, **kwargs)  # type: ignore[arg-type]
    return open_artifact(path, source_commit=source_commit)
