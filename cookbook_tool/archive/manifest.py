"""The bundle manifest: what a bundle holds, as deterministic JSON.

Stored inside the archive, as its last member, at ``cookbooks/.manifest.json``
(``.manifest.json`` in the flat layout)::

    {"manifest_version": 1,
     "bundle": {"name": "cookbooks", "version": "1.4.0", "layout": "cookbooks"},
     "cookbooks": [{"name": "db_connect", "version": "1.2.0", "path": "cookbooks/db_connect",
                    "dependencies": {"x": ">= 1.0"}}],
     "files": [{"path": "cookbooks/db_connect/metadata.rb", "size": 123, "sha256": "..."}]}

Keys are sorted, cookbooks sorted by name, files by path; two-space indent; ends with a newline.
The manifest does not list itself.
"""

from __future__ import annotations

import io
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

MANIFEST_VERSION = 1
MANIFEST_NAME = ".manifest.json"


@dataclass(frozen=True, slots=True)  # one per file of the bundle: no __dict__ each
class ManifestFile:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ManifestCookbook:
    name: str
    version: str | None
    path: str
    dependencies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    layout: str
    cookbooks: tuple[ManifestCookbook, ...]
    files: tuple[ManifestFile, ...]


def manifest_path(layout: str) -> str:
    """Where the manifest sits inside the archive for ``layout``."""
    return MANIFEST_NAME if layout == "flat" else f"cookbooks/{MANIFEST_NAME}"


# Every place a manifest may sit in an archive, in the order they are looked for.
MANIFEST_NAMES = (manifest_path("cookbooks"), manifest_path("flat"))


def find_manifest(names: Collection[str]) -> str | None:
    """The manifest's name among an archive's entry ``names``, None when it has none."""
    return next((name for name in MANIFEST_NAMES if name in names), None)


def render_manifest(manifest: Manifest) -> bytes:
    """The manifest as deterministic UTF-8 JSON (``json.dumps(..., sort_keys=True, indent=2,
    ensure_ascii=False)`` of the document, byte for byte). The file list — 57,000 entries for
    a 1 GB tree — is written from a template with the C string encoder: ``json``'s indenting
    encoder is pure Python and holds every chunk of the document at once."""
    document: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "bundle": {"name": manifest.name, "version": manifest.version, "layout": manifest.layout},
        "cookbooks": [
            {
                "name": cookbook.name,
                "version": cookbook.version,
                "path": cookbook.path,
                "dependencies": dict(sorted(cookbook.dependencies.items())),
            }
            for cookbook in sorted(manifest.cookbooks, key=lambda c: c.name)
        ],
        "files": [],
    }
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    head, found, tail = text.partition(_FILES_SLOT)
    if not found:  # the top level's keys are sorted: files comes right before manifest_version
        raise AssertionError("manifest layout changed")
    out = io.BytesIO()
    out.write(f'{head}\n  "files": '.encode())
    _write_files(out, sorted(manifest.files, key=lambda f: f.path))
    out.write(f',\n  "manifest_version"{tail}\n'.encode())
    return out.getvalue()


_FILES_SLOT = '\n  "files": [],\n  "manifest_version"'
_FILE_ENTRY = '    {{\n      "path": {},\n      "sha256": {},\n      "size": {}\n    }}'


def _write_files(out: io.BytesIO, files: list[ManifestFile]) -> None:
    """The file list, written entry by entry (at 57,000 files, a list of the entries' texts,
    their join and its encoding would each hold the whole list at once)."""
    if not files:
        out.write(b"[]")
        return
    quote = json.encoder.encode_basestring  # ensure_ascii=False's encoder (C)
    out.write(b"[\n")
    separator = b""
    for f in files:
        out.write(separator)
        out.write(_FILE_ENTRY.format(quote(f.path), quote(f.sha256), int(f.size)).encode())
        separator = b",\n"
    out.write(b"\n  ]")


class ManifestError(ValueError):
    """A manifest that is not JSON or not the shape above."""


def parse_manifest(data: bytes) -> Manifest:
    """Read a manifest; raise ``ManifestError`` naming the first problem."""
    document = load_json(data)
    if not isinstance(document, dict):
        raise ManifestError("not a JSON object")
    if document.get("manifest_version") != MANIFEST_VERSION:
        raise ManifestError(
            f"unsupported manifest_version {document.get('manifest_version')!r} "
            f"(this tool reads {MANIFEST_VERSION})"
        )
    bundle = _object(document, "bundle")
    return Manifest(
        name=_string(bundle, "name", "/bundle"),
        version=_string(bundle, "version", "/bundle"),
        layout=_string(bundle, "layout", "/bundle"),
        cookbooks=tuple(_cookbooks(document.get("cookbooks"))),
        files=tuple(_files(document.get("files"))),
    )


def load_json(data: bytes) -> Any:
    """``data`` as JSON; ``ManifestError`` when it is none, or nested deeper than Python's
    recursion limit lets ``json`` read (a manifest is four levels deep)."""
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise ManifestError("nested too deeply to be a manifest (not read)") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"not valid JSON ({exc})") from exc


def _cookbooks(value: object) -> Iterable[ManifestCookbook]:
    if not isinstance(value, list):
        raise ManifestError("/cookbooks must be a list")
    for index, item in enumerate(value):
        where = f"/cookbooks/{index}"
        if not isinstance(item, dict):
            raise ManifestError(f"{where} must be an object")
        version = item.get("version")
        deps = item.get("dependencies", {})
        if not isinstance(deps, dict) or not all(isinstance(v, str) for v in deps.values()):
            raise ManifestError(f"{where}/dependencies must map names to constraint strings")
        yield ManifestCookbook(
            name=_string(item, "name", where),
            version=version if isinstance(version, str) else None,
            path=_string(item, "path", where),
            dependencies=dict(deps),
        )


def _files(value: object) -> Iterable[ManifestFile]:
    if not isinstance(value, list):
        raise ManifestError("/files must be a list")
    for index, item in enumerate(value):
        where = f"/files/{index}"
        if not isinstance(item, dict):
            raise ManifestError(f"{where} must be an object")
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ManifestError(f"{where}/size must be a non-negative integer")
        yield ManifestFile(_string(item, "path", where), size, _string(item, "sha256", where))


def _object(document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise ManifestError(f"/{key} must be an object")
    return value


def _string(document: dict[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if not isinstance(value, str):
        raise ManifestError(f"{where}/{key} must be a string")
    return value
