"""The download cache: each locked cookbook's files, stored once under its content identity,
so that a second ``bundle`` (and ``bundle --offline``) needs no network.

``<cache>/cookbooks/<name>-<version>-<identity>/<files>``. A folder is written under a
temporary name and renamed into place only when complete: an interrupted run leaves no
half-written cookbook (a leftover ``.tmp-*`` folder is removed by the next write). Nothing is
stored before its identity has been checked against the lock.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from cookbook_tool.dependencies.lockfile import content_identity
from cookbook_tool.errors import LocalError

APP = "cookbook-tool"


def default_cache_dir(environment: Mapping[str, str], home: Path) -> Path:
    """``$XDG_CACHE_HOME/cookbook-tool``, else ``~/.cache/cookbook-tool``."""
    base = environment.get("XDG_CACHE_HOME")
    return (Path(base) if base else home / ".cache") / APP


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def work(self) -> Path:
        """Where downloads are spooled while they are checked."""
        return self.root / "tmp"

    def _folder(self, name: str, version: str, identity: str) -> Path:
        return self.root / "cookbooks" / f"{name}-{version}-{identity}"

    def load(self, name: str, version: str, identity: str) -> dict[str, bytes] | None:
        """The cached files, None when absent or when they no longer have ``identity``."""
        folder = self._folder(name, version, identity)
        if not folder.is_dir():
            return None
        files: dict[str, bytes] = {}
        try:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    files[path.relative_to(folder).as_posix()] = path.read_bytes()
        except OSError:
            return None
        return files if content_identity(files) == identity else None

    def store(self, name: str, version: str, identity: str, files: Mapping[str, bytes]) -> None:
        """Write ``files`` (already checked to have ``identity``) atomically."""
        folder = self._folder(name, version, identity)
        if folder.is_dir():
            return
        temporary = folder.parent / f".tmp-{folder.name}-{secrets.token_hex(4)}"
        try:
            for relative, data in files.items():
                parts = PurePosixPath(relative).parts
                if not parts or ".." in parts or relative.startswith("/"):
                    raise LocalError(f"{name} {version}: refusing the path {relative!r}")
                target = temporary.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            temporary.mkdir(parents=True, exist_ok=True)
            try:
                os.rename(temporary, folder)
            except OSError:
                if not folder.is_dir():  # else another run stored the same content first
                    raise
        except OSError as exc:
            raise LocalError(f"cannot write the cache {self.root} ({exc.strerror or exc})") from exc
        finally:
            with contextlib.suppress(OSError):
                shutil.rmtree(temporary)
        self._clean_stale(folder.parent)

    @staticmethod
    def _clean_stale(folder: Path) -> None:
        """Temporary folders of interrupted runs (older than an hour)."""
        import time

        for leftover in folder.glob(".tmp-*"):
            with contextlib.suppress(OSError):
                if time.time() - leftover.stat().st_mtime > 3600:
                    shutil.rmtree(leftover)
