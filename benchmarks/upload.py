"""Upload throughput of a 200 MB bundle to SeaweedFS: `cookbook-tool publish` (the S3 publisher)
against `aws s3 cp` of the same file to the same server.

    python benchmarks/upload.py [--size-mb 200] [--runs 3]

Starts its own SeaweedFS (tests/fixtures_s3.py) on 127.0.0.1 and stops it. Each publish run goes
to a fresh bucket (a full release: upload, checksum verification, current copy, history); each
`aws s3 cp` run to a fresh key. Prints the best of N runs and the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cookbook_tool.artifact import open_artifact  # noqa: E402
from cookbook_tool.publish.base import TargetOptions  # noqa: E402
from cookbook_tool.publish.store.s3.store import S3Publisher  # noqa: E402
from tests.contract.artifacts import make_bundle  # noqa: E402
from tests.fixtures_s3 import SeaweedServer, clean_aws_env  # noqa: E402


def aws_command() -> list[str]:
    found = shutil.which("aws")
    return [found] if found else [sys.executable, "-m", "awscli"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cookbook-bench-") as scratch:
        root = Path(scratch)
        server = SeaweedServer(root / "seaweed")
        server.start()
        try:
            run(server, root, args.size_mb, args.runs)
        finally:
            server.stop()


def run(server: SeaweedServer, root: Path, size_mb: int, runs: int) -> None:
    env = clean_aws_env(server.credentials_env())
    os.environ.clear()
    os.environ.update(env)
    bundle = make_bundle(root / "dist", "1.0.0", padding=size_mb << 20)
    started = time.perf_counter()
    artifact = open_artifact(bundle)
    opened = time.perf_counter() - started
    size = artifact.size
    ours, upload, theirs = [], [], []
    for attempt in range(runs):
        bucket = server.make_bucket()
        publisher = S3Publisher(f"s3://{bucket}", TargetOptions(endpoint_url=server.endpoint))
        t0 = time.perf_counter()
        result = publisher.publish(artifact)
        ours.append(time.perf_counter() - t0)
        assert result.bytes_uploaded == size
        t0 = time.perf_counter()
        publisher.s3.put_new(f"upload-only/{attempt}.tar.gz", artifact, None)
        upload.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run(
            [*aws_command(), "s3", "cp", "--only-show-errors", "--endpoint-url", server.endpoint,
             str(bundle), f"s3://{bucket}/aws-cp/{attempt}.tar.gz"],
            env=env, check=True,
        )
        theirs.append(time.perf_counter() - t0)
    mb = size / 1e6
    print(f"bundle: {mb:.1f} MB; open_artifact (identity + file sha256): {opened:.2f} s")
    line("publish (upload+verify+current copy+history)", mb, ours)
    line("upload only (multipart + verify)", mb, upload)
    line("aws s3 cp", mb, theirs)
    print(f"ratio, full publish vs aws s3 cp (throughput): {min(theirs) / min(ours):.2f}")
    print(f"ratio, upload only vs aws s3 cp (throughput):  {min(theirs) / min(upload):.2f}")


def line(label: str, mb: float, times: list[float]) -> None:
    best = min(times)
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"{label:<46} best {best:5.2f} s = {mb / best:6.1f} MB/s (runs: {runs})")


if __name__ == "__main__":
    main()
