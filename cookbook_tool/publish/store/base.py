"""What a release target must offer to the shared release lifecycle: a few object operations.

S3 (``s3.py``) and a local folder (``folder.py``) implement ``ReleaseStore``; the lifecycle
(``lifecycle.py``) builds publish, history, rollback and prune on top of it, once. Keys are
relative to the target root (``<name>/<version>/<name>-<version>.tar.gz``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import LocalError, ToolError
from cookbook_tool.publish.base import ProgressCallback

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class StoredObject:
    size: int
    sha256: str | None  # the release identity recorded with the object (None: unknown)


class ObjectExists(Exception):
    """An exclusive create lost: the key was written by someone else first."""


class ReleaseStore(Protocol):
    url: str  # the target URL, safe to print
    place: str  # where the objects live (the folder, the endpoint and bucket and prefix)
    history_error: type[ToolError]  # a damaged releases.json: LocalError (folder), RemoteError

    def check(self) -> None:
        """Fail (``ToolError``) when the target itself is unusable, e.g. a missing bucket; read
        only, cheap after the first call."""
        ...

    def stat(self, key: str) -> StoredObject | None:
        """The object at ``key`` with its identity, or None when absent (never on 403)."""
        ...

    def put_new(self, key: str, artifact: Artifact, on_progress: ProgressCallback | None) -> int:
        """Create ``key`` from the artifact only if absent (raise ``ObjectExists``); verify the
        stored bytes; return the number of bytes sent. Never leaves a partial object."""
        ...

    def copy(self, source: str, destination: str) -> None:
        """Replace ``destination`` atomically with a copy of ``source`` (server-side)."""
        ...

    def delete(self, key: str) -> None: ...

    def download(self, key: str, path: Path) -> int:
        """Write the object at ``key`` to the local file ``path``; the bytes read."""
        ...

    def read_doc(self, key: str) -> tuple[bytes | None, str | None]:
        """A small document and a token for ``write_doc`` (None, None when absent)."""
        ...

    def write_doc(self, key: str, data: bytes, token: str | None) -> bool:
        """Write only if the document is unchanged since ``token`` was read (None: still absent);
        False when someone else wrote it first."""
        ...

    def location(self, key: str) -> str:
        """Where ``key`` lives, as a URL or path a user can read."""
        ...


def release_key(name: str, version: str, archive_format: str) -> str:
    return f"{name}/{version}/{name}-{version}.{archive_format}"


def current_key(name: str, archive_format: str = "tar.gz") -> str:
    return f"{name}/{name}.{archive_format}"


def history_key(name: str) -> str:
    return f"{name}/releases.json"


def check_name(kind: str, value: str) -> str:
    """Names and versions become path segments: refuse anything that could escape them."""
    if not _SAFE.match(value) or ".." in value:
        raise LocalError(
            f"{kind} {value!r} cannot be used in a release path: use letters, digits, '.', '_', "
            "'+' and '-' only"
        )
    return value
