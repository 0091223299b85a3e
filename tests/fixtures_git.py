"""Real Git servers on 127.0.0.1 for the Git publisher tests, started once per session:
``git daemon`` (git://), ``git http-backend`` behind a small HTTP server with basic auth
(http://), and OpenSSH's sshd with a generated host key and deploy key (ssh://), skipped with a
reason when sshd is not installed. Every repository they serve refuses non-fast-forward updates,
so a force push by the code under test would fail the tests."""

from __future__ import annotations

import base64
import getpass
import itertools
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

_counter = itertools.count()


def make_remote(directory: Path) -> Path:
    """An empty bare repository that refuses force pushes (and logs every ref update)."""
    subprocess.run(["git", "init", "--bare", "--quiet", str(directory)], check=True)
    for key, value in (
        ("receive.denyNonFastForwards", "true"),
        ("core.logAllRefUpdates", "always"),
    ):
        subprocess.run(["git", f"--git-dir={directory}", "config", key, value], check=True)
    return directory


def remote_refs(repository: Path) -> dict[str, str]:
    """ref name -> object id, read straight from the bare repository."""
    output = subprocess.run(
        ["git", f"--git-dir={repository}", "for-each-ref", "--format=%(refname) %(objectname)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split(" ", 1) for line in output.splitlines())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stderr.read() if process.stderr else b""
            raise RuntimeError(f"{what} exited: {output!r}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


@dataclass(frozen=True)
class GitServer:
    """A running server: ``new_repo()`` makes an empty repository it serves; ``url(repo)``."""

    base: Path
    url_prefix: str

    def new_repo(self, name: str = "cookbooks") -> Path:
        return make_remote(self.base / f"{name}-{next(_counter)}.git")

    def url(self, repository: Path) -> str:
        return f"{self.url_prefix}/{repository.relative_to(self.base).as_posix()}"


@pytest.fixture(scope="session")
def git_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitServer]:
    base = tmp_path_factory.mktemp("git-daemon")
    port = free_port()
    process = subprocess.Popen(
        [
            "git",
            "daemon",
            "--enable=receive-pack",
            "--export-all",
            f"--base-path={base}",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process, "git daemon")
        yield GitServer(base, f"git://127.0.0.1:{port}")
    finally:
        _stop(process)


# -- HTTP ----------------------------------------------------------------------------------------

HTTP_USER, HTTP_PASSWORD = "alice", "correct-horse-battery"


class _GitHttpHandler(BaseHTTPRequestHandler):
    """CGI gateway to ``git http-backend``; every request needs basic auth."""

    root: Path

    def do_GET(self) -> None:
        self._cgi()

    def do_POST(self) -> None:
        self._cgi()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _user(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user if (user, password) == (HTTP_USER, HTTP_PASSWORD) else None

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _cgi(self) -> None:
        body = self._body() if self.command == "POST" else b""
        user = self._user()
        if user is None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.receivepack",
            "GIT_CONFIG_VALUE_0": "true",
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        result = subprocess.run(
            ["git", "http-backend"], input=body, capture_output=True, env=env, check=False
        )
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        headers = [line.split(":", 1) for line in head.decode("latin-1").split("\r\n") if line]
        status = next((int(v.split()[0]) for k, v in headers if k.lower() == "status"), 200)
        self.send_response(status)
        for key, value in headers:
            if key.lower() != "status":
                self.send_header(key, value.strip())
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(scope="session")
def git_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitServer]:
    base = tmp_path_factory.mktemp("git-http")
    handler = type("Handler", (_GitHttpHandler,), {"root": base})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield GitServer(base, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- SSH -----------------------------------------------------------------------------------------

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)


@dataclass(frozen=True)
class SshServer:
    base: Path
    port: int
    user: str
    deploy_key: Path
    wrong_key: Path
    known_hosts: Path
    wrong_known_hosts: Path

    def new_repo(self, name: str = "cookbooks") -> Path:
        return make_remote(self.base / "repos" / f"{name}-{next(_counter)}.git")

    def url(self, repository: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{repository}"


def _keygen(path: Path, comment: str) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )


@pytest.fixture(scope="session")
def git_sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    if SSHD is None or shutil.which("ssh-keygen") is None or shutil.which("ssh") is None:
        pytest.skip("OpenSSH server/client not installed (Debian: openssh-server)")
    base = tmp_path_factory.mktemp("sshd")
    (base / "repos").mkdir()
    for key, comment in (("host_key", "host"), ("deploy_key", "deploy"), ("wrong_key", "x")):
        _keygen(base / key, comment)
    _keygen(base / "other_host_key", "other")
    shutil.copy(base / "deploy_key.pub", base / "authorized_keys")
    port = free_port()
    user = getpass.getuser()
    host_pub = (base / "host_key.pub").read_text().split()
    other_pub = (base / "other_host_key.pub").read_text().split()
    (base / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    (base / "wrong_known_hosts").write_text(f"[127.0.0.1]:{port} {other_pub[0]} {other_pub[1]}\n")
    (base / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base / 'host_key'}\n"
        f"PidFile {base / 'sshd.pid'}\nAuthorizedKeysFile {base / 'authorized_keys'}\n"
        "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nLogLevel ERROR\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(base / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        try:
            _wait_for_port(port, process, "sshd")
        except RuntimeError as exc:
            pytest.skip(f"sshd could not start here: {exc}")
        yield SshServer(
            base,
            port,
            user,
            base / "deploy_key",
            base / "wrong_key",
            base / "known_hosts",
            base / "wrong_known_hosts",
        )
    finally:
        _stop(process)
