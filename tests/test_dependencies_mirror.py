"""A Supermarket-style static mirror, built by the tests from ``tests/data/supermarket`` and
served by a real HTTP server on 127.0.0.1 (``http.server`` in a thread): a ``universe``
document and one ``.tar.gz`` per cookbook version in Supermarket's own format (one root folder
named after the cookbook). Helpers only; the tests using them are in test_dependencies*.py."""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import json
import shutil
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cookbook_tool.metadata.read import read_metadata_files

DATA = Path(__file__).resolve().parent / "data" / "supermarket"


def cookbook_files(name: str, version: str) -> dict[str, bytes]:
    """The files of one test cookbook version, as its Supermarket tarball holds them."""
    metadata = (DATA / name / version / "metadata.rb").read_bytes()
    return {
        "metadata.rb": metadata,
        "README.md": f"# {name}\n\nVersion {version} of a test cookbook.\n".encode(),
        "recipes/default.rb": f"log '{name} {version}'\n".encode(),
    }


def tarball(root: str, files: dict[str, bytes], extra: list[tarfile.TarInfo] = ()) -> bytes:  # type: ignore[assignment]
    """A gzip tarball with every file under ``root/``."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        folder = tarfile.TarInfo(root)
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(folder)
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(f"{root}/{path}")
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
        for info in extra:
            archive.addfile(info)
    return buffer.getvalue()


def versions() -> dict[str, list[str]]:
    return {
        name.name: sorted(v.name for v in name.iterdir() if v.is_dir())
        for name in sorted(DATA.iterdir()) if name.is_dir()
    }


@dataclass
class Mirror:
    """One mirror folder on the server: ``url`` is what ``[sources] default`` names."""

    folder: Path
    url: str

    def download_path(self, name: str, version: str) -> Path:
        return self.folder / "api/v1/cookbooks" / name / "versions" / version / "download"

    def publish(self, name: str, version: str, data: bytes, dependencies: dict[str, str]) -> None:
        """Add (or replace) one version: its tarball and its universe entry."""
        path = self.download_path(name, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        universe_file = self.folder / "universe"
        universe = json.loads(universe_file.read_text()) if universe_file.exists() else {}
        universe.setdefault(name, {})[version] = {
            "location_type": "opscode",
            "location_path": f"{self.url}/api/v1",
            "download_url": f"{self.url}/api/v1/cookbooks/{name}/versions/{version}/download",
            "dependencies": dependencies,
        }
        universe_file.write_text(json.dumps(universe, indent=1, sort_keys=True))


def fill(mirror: Mirror) -> Mirror:
    """Every cookbook version of tests/data/supermarket, dependencies read from its metadata."""
    for name, numbers in versions().items():
        for version in numbers:
            files = cookbook_files(name, version)
            metadata, _ = read_metadata_files(name, files)
            assert metadata is not None
            depends = {d.name: str(d.constraint) for d in metadata.depends}
            mirror.publish(name, version, tarball(name, files), depends)
    return mirror


class _Quiet(SimpleHTTPRequestHandler):
    token: str | None = None  # when set, every request needs "Authorization: Bearer <token>"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.token is not None and self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_error(401, "token required")
            return
        super().do_GET()


@dataclass
class Server:
    base: Path
    url: str
    _count: int = 0

    def new_mirror(self, filled: bool = True) -> Mirror:
        self._count += 1
        folder = self.base / f"mirror-{self._count}"
        folder.mkdir()
        mirror = Mirror(folder, f"{self.url}/mirror-{self._count}")
        return fill(mirror) if filled else mirror


@contextlib.contextmanager
def serve(base: Path, token: str | None = None) -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 serving ``base`` until the block ends (``token``: only
    to requests that send it as a bearer token)."""
    guarded = type("_Guarded", (_Quiet,), {"token": token})
    handler = functools.partial(guarded, directory=str(base))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(base, f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def copy_mirror(mirror: Mirror, base: Path) -> Path:
    target = base / mirror.folder.name
    shutil.copytree(mirror.folder, target)
    return target
