"""Whole-process time of releasing the sample stack's cookbooks to a Git remote over
``git daemon`` (started here on 127.0.0.1): a first release, a re-release of the same version
(nothing pushed) and the next version on top. Each figure is the median of several runs of a
fresh ``python`` process that opens the bundle and publishes it.

    python benchmarks/git_release.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.contract.artifacts import make_artifact, sample_files  # noqa: E402
from tests.fixtures_git import free_port, make_remote  # noqa: E402

PUBLISH = (
    "import os, sys; from pathlib import Path;"
    "from cookbook_tool.artifact import open_artifact;"
    "from cookbook_tool.publish.base import TargetOptions;"
    "from cookbook_tool.publish.targets import open_publisher;"
    "options = TargetOptions(environ=dict(os.environ));"
    "r = open_publisher(sys.argv[2], options).publish(open_artifact(Path(sys.argv[1])));"
    "print(r.already_published)"
)


def _publish(bundle: Path, url: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", PUBLISH, str(bundle), url],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        (base / "repos").mkdir()
        first = make_artifact(base / "b1", "1.4.0", files=sample_files())
        files = {**sample_files(), "webapp/recipes/extra.rb": b"log 'extra'\n"}
        second = make_artifact(base / "b2", "1.4.1", files=files)
        port = free_port()
        daemon = subprocess.Popen(
            [
                "git",
                "daemon",
                "--enable=receive-pack",
                "--export-all",
                "--reuseaddr",
                f"--base-path={base / 'repos'}",
                "--listen=127.0.0.1",
                f"--port={port}",
                str(base / "repos"),
            ],
        )
        try:
            time.sleep(0.5)
            timings: dict[str, list[float]] = {"first": [], "again": [], "next": []}
            for run in range(runs):
                make_remote(base / "repos" / f"r{run}.git")
                url = f"git+git://127.0.0.1:{port}/r{run}.git"
                timings["first"].append(_publish(first.path, url))
                timings["again"].append(_publish(first.path, url))
                timings["next"].append(_publish(second.path, url))
        finally:
            daemon.terminate()
            daemon.wait()
    size = first.size
    print(f"sample stack bundle: {size} bytes, {len(sample_files())} files; {runs} runs")
    for label, values in timings.items():
        print(
            f"{label:>6}: median {statistics.median(values) * 1000:.0f} ms "
            f"(min {min(values) * 1000:.0f} ms) whole process"
        )


if __name__ == "__main__":
    main()
