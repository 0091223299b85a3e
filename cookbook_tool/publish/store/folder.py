"""Publish to a local folder (``file://DIR`` or a plain path), with the same layout as S3.

Meant for local use and tests (and as the embedded default that needs no cloud account).
Every write is atomic: a temporary file in the same directory, then ``os.link`` (fails if the
release exists: exactly one concurrent publisher wins) or ``os.replace``. ``releases.json``
is compare-and-swapped under an exclusive ``flock`` on ``<name>/.releases.lock``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import unquote, urlparse

from cookbook_tool.archive.read import file_sha256, tar_stream_sha256
from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import LocalError, ToolError, UsageError
from cookbook_tool.publish.base import ConsumerInfo, ProgressCallback, TargetOptions
from cookbook_tool.publish.consumers import folder_consumer_info
from cookbook_tool.publish.store.base import ObjectExists, StoredObject, current_key, release_key
from cookbook_tool.publish.store.lifecycle import StorePublisher

_CHUNK = 1 << 20


def folder_path(url: str) -> Path:
    """``file:///abs/dir``, ``file://localhost/abs/dir``, ``file://rel/dir`` (relative to the
    current folder) or a plain path."""
    if "://" not in url:
        return Path(url).expanduser().absolute()
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.query or parsed.fragment:
        raise UsageError(f"{url}: a folder target is file:///DIR or a directory path")
    if parsed.netloc in ("", "localhost"):
        return Path(unquote(parsed.path)).absolute()
    return Path(unquote(parsed.netloc + parsed.path)).absolute()


class FolderStore:
    # a damaged releases.json on this machine is a local problem
    history_error: type[ToolError] = LocalError

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = root.as_uri()
        self.place = root.resolve().as_uri()

    def _path(self, key: str) -> Path:
        """The file of ``key``, never outside the target folder (a key is built from checked
        names; this is the last guard against one that is not)."""
        parts = key.split("/")
        if any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in parts):
            raise LocalError(f"{self.root}: refusing the release path {key!r} (outside the target)")
        return self.root.joinpath(*parts)

    def check(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise LocalError(f"{self.root}: the target folder is a file: give a directory")

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LocalError(f"{path}: cannot read ({exc.strerror})") from exc
        identity = file_sha256(path) if path.suffix == ".zip" else tar_stream_sha256(path)
        return StoredObject(size=size, sha256=identity)

    def put_new(self, key: str, artifact: Artifact, on_progress: ProgressCallback | None) -> int:
        final = self._path(key)
        with self._temporary(final) as temp:
            sent = _copy(artifact.path, temp, artifact.size, on_progress)
            if file_sha256(temp) != artifact.archive_sha256:
                raise LocalError(f"{artifact.path}: changed while being published: run again")
            try:
                os.link(temp, final)
            except FileExistsError as exc:
                raise ObjectExists(key) from exc
        return sent

    def copy(self, source: str, destination: str) -> None:
        target = self._path(destination)
        with self._temporary(target) as temp:
            shutil.copyfile(self._path(source), temp)
            os.replace(temp, target)

    def download(self, key: str, path: Path) -> int:
        try:
            shutil.copyfile(self._path(key), path)
        except FileNotFoundError as exc:
            raise LocalError(f"{self._path(key)}: the release archive is missing") from exc
        except OSError as exc:
            raise LocalError(f"{self._path(key)}: cannot read ({exc.strerror})") from exc
        return path.stat().st_size

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        with suppress(OSError):
            path.parent.rmdir()  # the version directory, once empty

    def read_doc(self, key: str) -> tuple[bytes | None, str | None]:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise LocalError(f"{self._path(key)}: cannot read ({exc.strerror})") from exc
        return data, hashlib.sha256(data).hexdigest()

    def write_doc(self, key: str, data: bytes, token: str | None) -> bool:
        path = self._path(key)
        with self._locked(path.parent / ".releases.lock"):
            if self.read_doc(key)[1] != token:
                return False
            with self._temporary(path) as temp:
                temp.write_bytes(data)
                os.replace(temp, path)
        return True

    def location(self, key: str) -> str:
        return str(self._path(key))

    @contextmanager
    def _temporary(self, final: Path) -> Iterator[Path]:
        """A temporary file beside ``final``; always removed (after a link or rename too).
        It is ``flock``ed while in use, so that the next run can tell the leftovers of a killed
        one (``remove_stale``) from the files of a publisher still at work."""
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(final)
            fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        except OSError as exc:
            raise LocalError(f"{final.parent}: cannot write ({exc.strerror})") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # mkstemp makes 0o600: give what open() would, so a web server can serve the folder
            os.fchmod(fd, 0o666 & ~current_umask())
            yield Path(name)
        except OSError as exc:
            raise LocalError(f"{final}: cannot write ({exc.strerror})") from exc
        finally:
            Path(name).unlink(missing_ok=True)
            os.close(fd)

    @contextmanager
    def _locked(self, lock: Path) -> Iterator[None]:
        lock.parent.mkdir(parents=True, exist_ok=True)
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


STALE_GRACE = 5.0  # seconds: an empty temporary file this young may be a publisher's new one


def remove_stale(final: Path) -> list[Path]:
    """Remove the temporary files a killed run left beside ``final`` (``.NAME.*.tmp``, made by
    ``_temporary``): those no live process holds locked. Returns what was removed."""
    removed = []
    for candidate in final.parent.glob(f".{glob_escape(final.name)}.*.tmp"):
        try:
            fd = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone meanwhile, or not a plain file of ours
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            info = os.fstat(fd)
            if info.st_size == 0 and time.time() - info.st_mtime < STALE_GRACE:
                continue  # just made by a publisher that has not locked it yet
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
        except OSError:
            continue  # locked: a publisher is writing it
        finally:
            os.close(fd)
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` sets it, which races with
    other threads creating files); falls back to set-and-restore off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _copy(source: Path, destination: Path, total: int, on_progress: ProgressCallback | None) -> int:
    done = 0
    with source.open("rb") as reader, destination.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            writer.write(chunk)
            done += len(chunk)
            if on_progress:
                on_progress(done, total)
        writer.flush()
        os.fsync(writer.fileno())
    return done


class FolderPublisher(StorePublisher):
    """``file://DIR`` target: ``DIR/<name>/<version>/<name>-<version>.tar.gz`` and friends."""

    def __init__(self, url: str, options: TargetOptions) -> None:
        self.root = folder_path(url)
        super().__init__(FolderStore(self.root), options)

    def consumer_info(self, name: str, version: str | None = None) -> ConsumerInfo:
        history = self.load(name)
        entry = history.find(version) if version else history.current_entry
        fmt = entry.archive_format if entry else "tar.gz"
        key = release_key(name, version, fmt) if version else current_key(name, fmt)
        layout = entry.layout if entry else "cookbooks"
        return folder_consumer_info(self.root.joinpath(*key.split("/")), fmt, layout)
