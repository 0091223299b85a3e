"""Throughput of `publish` to S3 against `aws s3 cp` of the same file to the same SeaweedFS.

    python benchmarks/upload.py [--size-mb 200] [--runs 5] [--part-size-mb 8] [--workers 8]

Starts its own SeaweedFS (tests/fixtures_s3.py) on 127.0.0.1 and stops it. Each round makes
a bucket and writes one small object into it before anything is timed: SeaweedFS allocates a
new bucket's volumes on its first write (about 0.2 s, paid once per bucket), which only the
publish, the first writer, paid before; the bucket a team publishes to is not brand new either.
Then it runs, one after the other (so a burst of load elsewhere hits all of them alike):

- the full publish (the S3 publisher: upload, checksum verification, current copy, history)
  to a fresh bucket, with the time of each phase;
- the upload alone (``S3Store.put_new``: multipart upload + checksum verification);
- ``aws s3 cp`` of the same file (``pip install awscli``: the ``bench`` extra);
- ``cookbook-tool publish`` as a whole process (for reference: start-up and the archive check
  that ``verify`` does come before the first byte is sent; ``aws s3 cp`` does neither).

Prints the median and spread of each, the throughput ratios against ``aws s3 cp`` (targets:
full publish >= 1.0x, upload alone ahead of it) and the peak RSS of each side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measured import measure  # noqa: E402

from cookbook_tool.artifact import Artifact, open_artifact  # noqa: E402
from cookbook_tool.publish.base import TargetOptions  # noqa: E402
from cookbook_tool.publish.store.s3.store import S3Publisher  # noqa: E402
from cookbook_tool.publish.store.s3.transfer import MiB, TransferSettings  # noqa: E402
from tests.contract.artifacts import make_bundle  # noqa: E402
from tests.fixtures_s3 import SeaweedServer, clean_aws_env  # noqa: E402

PHASES = {"put_new": "upload+verify", "copy": "current copy", "write_doc": "history write",
          "read_doc": "history read", "stat": "state (HEAD)"}


def aws_command() -> list[str]:
    found = shutil.which("aws")
    return [found] if found else [sys.executable, "-m", "awscli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    defaults = TransferSettings()
    parser.add_argument("--part-size-mb", type=int, default=defaults.part_size // MiB)
    parser.add_argument("--workers", type=int, default=defaults.max_workers)
    args = parser.parse_args()
    transfer = TransferSettings(part_size=args.part_size_mb * MiB, max_workers=args.workers)
    with tempfile.TemporaryDirectory(prefix="cookbook-bench-") as scratch:
        root = Path(scratch)
        server = SeaweedServer(root / "seaweed")
        server.start()
        try:
            run(server, root, args.size_mb, args.runs, transfer)
        finally:
            server.stop()


def run(
    server: SeaweedServer, root: Path, size_mb: int, runs: int, transfer: TransferSettings
) -> None:
    env = clean_aws_env(server.credentials_env())
    os.environ.clear()
    os.environ.update(env)
    bundle = make_bundle(root / "dist", "1.0.0", padding=size_mb << 20)
    started = time.perf_counter()
    artifact = open_artifact(bundle)
    opened = time.perf_counter() - started
    ours, upload, theirs, process = [], [], [], []
    phases: dict[str, list[float]] = defaultdict(list)
    aws_rss = cli_rss = 0.0
    cli_env = {**env, "PYTHONPATH": str(ROOT)}
    for attempt in range(runs):
        bucket = _warm_bucket(server)
        publisher = S3Publisher(f"s3://{bucket}", TargetOptions(endpoint_url=server.endpoint),
                                transfer=transfer)
        ours.append(_publish(publisher, artifact, phases))
        t0 = time.perf_counter()
        publisher.s3.put_new(f"upload-only/{attempt}.tar.gz", artifact, None)
        upload.append(time.perf_counter() - t0)
        command = [*aws_command(), "s3", "cp", "--only-show-errors", "--endpoint-url",
                   server.endpoint, str(bundle), f"s3://{bucket}/aws-cp/{attempt}.tar.gz"]
        seconds, rss = _process(command, env)
        theirs.append(seconds)
        aws_rss = max(aws_rss, rss)
        command = [sys.executable, "-m", "cookbook_tool", "publish", str(bundle), "--to",
                   f"s3://{_warm_bucket(server)}", "--endpoint-url", server.endpoint,
                   "--no-progress"]
        seconds, rss = _process(command, cli_env)
        process.append(seconds)
        cli_rss = max(cli_rss, rss)
    mb = artifact.size / 1e6
    print(f"bundle: {mb:.1f} MB; open_artifact (identity + file sha256): {opened:.2f} s; "
          f"part size {transfer.part_size // MiB} MiB, {transfer.max_workers} workers")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"median of {runs} rounds [min-max]")
    line("publish (full)", mb, ours)
    for name, label in PHASES.items():
        if phases[name]:
            print(f"  {label:<21} median {statistics.median(phases[name]):5.2f} s per publish")
    line("upload only (multipart + verify)", mb, upload)
    line("aws s3 cp", mb, theirs)
    line("cookbook-tool publish (process)", mb, process)
    full = statistics.median(theirs) / statistics.median(ours)
    alone = statistics.median(theirs) / statistics.median(upload)
    print(f"ratio, full publish vs aws s3 cp (throughput): {full:5.2f} x  (target >= 1.0: "
          f"{'ok' if full >= 1.0 else 'MISSED'})")
    print(f"ratio, upload only vs aws s3 cp (throughput):  {alone:5.2f} x  (target > 1.0: "
          f"{'ok' if alone > 1.0 else 'MISSED'})")
    print(f"peak RSS: cookbook-tool publish {cli_rss:.0f} MB; aws s3 cp {aws_rss:.0f} MB")


def _warm_bucket(server: SeaweedServer) -> str:
    """A new bucket with one small object in it (its volumes exist)."""
    bucket = server.make_bucket()
    server.client().put_object(Bucket=bucket, Key="warm-up", Body=b"warm-up")
    return bucket


def _publish(publisher: S3Publisher, artifact: Artifact, phases: dict[str, list[float]]) -> float:
    """One full publish; the time spent in each store operation goes to ``phases``."""
    spent: dict[str, float] = defaultdict(float)
    for name in PHASES:
        setattr(publisher.s3, name, _timing(getattr(publisher.s3, name), name, spent))
    t0 = time.perf_counter()
    result = publisher.publish(artifact)
    elapsed = time.perf_counter() - t0
    assert result.bytes_uploaded == artifact.size
    for name, seconds in spent.items():
        phases[name].append(seconds)
    return elapsed


def _timing(method: Callable[..., Any], name: str, spent: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t0

    return timed


def _process(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one process."""
    run = measure(command, env=env)
    if run.code != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return run.wall, run.rss_mb


def line(label: str, mb: float, times: list[float]) -> None:
    median = statistics.median(times)
    print(f"{label:<34} median {median:5.2f} s = {mb / median:6.1f} MB/s "
          f"[{min(times):.2f}-{max(times):.2f}]")


if __name__ == "__main__":
    main()
