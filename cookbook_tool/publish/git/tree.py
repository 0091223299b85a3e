"""Build the Git tree of a release straight from the bundle archive, without extracting it.

The release tree is the bundle's content with the cookbooks at the repository root (the layout
OpsWorks' Git source and ``AWS-ApplyChefRecipes`` expect): ``cookbooks/webapp/...`` becomes
``webapp/...`` and the manifest ``cookbooks/.manifest.json`` becomes ``.manifest.json``. Flat
bundles are taken as they are. Blobs and trees are written as loose objects into a repository's
object directory; the result is a pure function of the archive's file paths, bytes and
executable bits, so the same bundle always makes the same tree id.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.archive.tar import Member, write_tar_gz
from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import LocalError

_PREFIX = "cookbooks/"
_Node = dict[str, "_Node | tuple[str, bool]"]  # folder: name -> sub-folder or (blob id, +x)
_FILE, _EXECUTABLE, _DIRECTORY = b"100644", b"100755", b"40000"


@dataclass(frozen=True)
class BuiltTree:
    sha: str  # the tree id
    files: int
    content_bytes: int  # the sum of the file sizes


class ObjectWriter:
    """Writes loose Git objects into ``objects_dir`` (``<repo>/objects``)."""

    def __init__(self, objects_dir: Path) -> None:
        self._objects = objects_dir

    def write(self, kind: str, data: bytes) -> str:
        raw = f"{kind} {len(data)}\0".encode() + data
        sha = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
        path = self._objects / sha[:2] / sha[2:]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"tmp_{sha[2:]}_{os.getpid()}")
            temporary.write_bytes(zlib.compress(raw, 1))
            temporary.replace(path)
        return sha


def build_tree(artifact: Artifact, writer: ObjectWriter) -> BuiltTree:
    """Write the release tree of ``artifact``; ``LocalError`` for an unusable archive."""
    root: _Node = {}
    files = size = 0
    for path, data, executable in _members(artifact):
        parts = _repository_path(artifact, path)
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise LocalError(f"{artifact.path}: {path} is both a file and a folder")
            node = child
        if parts[-1] in node:
            raise LocalError(f"{artifact.path}: {path} appears twice in the bundle")
        node[parts[-1]] = (writer.write("blob", data), executable)
        files += 1
        size += len(data)
    if not files:
        raise LocalError(f"{artifact.path}: the bundle contains no files")
    return BuiltTree(_write_tree(root, writer), files, size)


def _write_tree(node: _Node, writer: ObjectWriter) -> str:
    entries: list[tuple[bytes, bytes, bytes]] = []
    for name, value in node.items():
        encoded = name.encode()
        if isinstance(value, dict):
            entries.append((encoded + b"/", _DIRECTORY, bytes.fromhex(_write_tree(value, writer))))
        else:
            sha, executable = value
            mode = _EXECUTABLE if executable else _FILE
            entries.append((encoded, mode, bytes.fromhex(sha)))
    entries.sort()  # Git orders tree entries by name, folders as if their name ended in "/"
    body = b"".join(mode + b" " + key.rstrip(b"/") + b"\0" + sha for key, mode, sha in entries)
    return writer.write("tree", body)


def _repository_path(artifact: Artifact, path: str) -> list[str]:
    if artifact.layout != "flat" and path.startswith(_PREFIX):
        path = path[len(_PREFIX) :]
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or path.startswith("/"):
        raise LocalError(f"{artifact.path}: unsafe path {path!r} in the bundle")
    if any(part.lower() == ".git" for part in parts):
        raise LocalError(f"{artifact.path}: the bundle contains a .git entry ({path})")
    return parts


def _members(artifact: Artifact) -> Iterator[tuple[str, bytes, bool]]:
    """(path, bytes, executable) for every file in the archive, folders skipped."""
    try:
        if artifact.archive_format == "zip":
            yield from _zip_members(artifact.path)
        else:
            yield from _tar_members(artifact.path)
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error) as exc:
        raise LocalError(f"{artifact.path}: not a readable bundle archive ({exc})") from exc


def _tar_members(path: Path) -> Iterator[tuple[str, bytes, bool]]:
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            name = member.name.removeprefix("./")
            if member.isdir():
                continue
            if not member.isfile():
                raise LocalError(f"{path}: {name} is a link or special file; bundles hold files")
            stream = archive.extractfile(member)
            data = stream.read() if stream is not None else b""
            yield name, data, bool(member.mode & 0o111)


def _zip_members(path: Path) -> Iterator[tuple[str, bytes, bool]]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if mode and (mode & 0o170000) not in (0, 0o100000):
                raise LocalError(f"{path}: {info.filename} is a link or special file")
            yield info.filename.removeprefix("./"), archive.read(info), bool(mode & 0o111)


def write_archive(tree_tar: bytes, path: Path) -> None:
    """The inverse of ``build_tree``: a bundle archive at ``path`` (tar.gz, written as ``bundle``
    writes them: sorted, folders included, fixed mtime) from a release tree given as the tar
    ``git archive`` makes of it; the cookbooks go back under ``cookbooks/`` unless the
    manifest at the tree's root says the layout is flat."""
    files: dict[str, tuple[bytes, bool]] = {}
    with tarfile.open(fileobj=io.BytesIO(tree_tar), mode="r:") as archive:
        for member in archive:
            if member.isfile():
                stream = archive.extractfile(member)
                data = stream.read() if stream is not None else b""
                files[member.name] = (data, bool(member.mode & 0o111))
    prefix = "" if _layout(files.get(".manifest.json")) == "flat" else _PREFIX
    members: dict[str, Member] = {}
    if prefix:
        members["cookbooks"] = Member("cookbooks", "dir")
    for name, (data, executable) in files.items():
        full = prefix + name
        parts = full.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            members.setdefault(folder, Member(folder, "dir"))
        members[full] = Member(full, "file", len(data), executable, data=data)
    with path.open("wb") as out:
        write_tar_gz(sorted(members.values(), key=lambda m: m.sort_key), out)


def _layout(manifest: tuple[bytes, bool] | None) -> str:
    try:
        bundle = json.loads(manifest[0]).get("bundle", {}) if manifest else {}
    except (ValueError, UnicodeDecodeError, AttributeError):
        return "cookbooks"
    return "flat" if isinstance(bundle, dict) and bundle.get("layout") == "flat" else "cookbooks"
