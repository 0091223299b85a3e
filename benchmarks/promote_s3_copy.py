"""Bytes moved through this machine by `cookbook-tool promote` S3 -> S3 of a 200 MB release
(server-side CopyObject), against the peer way of copying a release between buckets by hand
(download it, upload it again: `aws s3 cp` to a file and back, here with boto3's transfer).

    python benchmarks/promote_s3_copy.py [--size-mb 200]

Starts its own SeaweedFS (tests/fixtures_s3.py) on 127.0.0.1 and stops it. Bytes are counted
on the S3 clients (request bodies sent, response bodies received); time is wall clock.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cookbook_tool.publish.base import TargetOptions  # noqa: E402
from cookbook_tool.publish.promote import promote  # noqa: E402
from cookbook_tool.publish.targets import open_publisher  # noqa: E402
from tests.contract.artifacts import make_artifact  # noqa: E402
from tests.fixtures_s3 import SeaweedServer, clean_aws_env  # noqa: E402
from tests.s3_traffic import count_client_bytes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cookbook-bench-") as scratch:
        root = Path(scratch)
        server = SeaweedServer(root / "seaweed")
        server.start()
        try:
            run(server, root, args.size_mb)
        finally:
            server.stop()


def run(server: SeaweedServer, root: Path, size_mb: int) -> None:
    os.environ.clear()
    os.environ.update(clean_aws_env(server.credentials_env()))
    options = TargetOptions(endpoint_url=server.endpoint)
    green, blue, peer = (server.make_bucket() for _ in range(3))
    source = open_publisher(f"s3://{green}/stack", options)
    artifact = make_artifact(root / "dist", "1.0.0", padding=size_mb << 20)
    source.publish(artifact)
    destination = open_publisher(f"s3://{blue}/stack", options)
    ours = count_client_bytes(source, destination)
    started = time.perf_counter()
    result = promote(source, destination, "cookbooks", "1.0.0")
    ours_time = time.perf_counter() - started
    assert result.server_side_copy

    client = server.client()
    theirs = count_client_bytes(type("P", (), {"s3": type("S", (), {"client": client})})())
    key = f"stack/cookbooks/1.0.0/{artifact.path.name}"
    started = time.perf_counter()
    client.download_file(green, key, str(root / "copy.tar.gz"))
    client.upload_file(str(root / "copy.tar.gz"), peer, key)
    theirs_time = time.perf_counter() - started

    mib = artifact.size / (1 << 20)
    print(f"release: {mib:.1f} MiB")
    print(f"ours  (promote, server-side copy): {ours.total:>12,} bytes through the client, "
          f"{ours_time:.2f} s")
    print(f"peer  (download + upload):         {theirs.total:>12,} bytes through the client, "
          f"{theirs_time:.2f} s")
    print(f"ratio bytes ours/peer: {ours.total / max(theirs.total, 1):.6f}")


if __name__ == "__main__":
    main()
