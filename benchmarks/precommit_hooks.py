"""Whole-process time of the pre-commit hooks' commands for one changed file.

Runs what ``.pre-commit-hooks.yaml`` runs, the way pre-commit runs it (from the repository root,
file names relative to it), on the sample repository, and prints the median and spread:

    python benchmarks/precommit_hooks.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_cookbooks" / "opsworks-stack"
CASES = [
    ("cookbook-validate: --skip-json <one recipe>",
     ["--skip-json", "cookbooks/webapp/recipes/deploy.rb"]),
    ("cookbook-validate: --skip-json <db_connect metadata>",
     ["--skip-json", "cookbooks/db_connect/metadata.rb"]),
    ("custom-json: --only-json stack/custom.json", ["--only-json", "stack/custom.json"]),
]


def _time(args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(args, cwd=SAMPLE, env=env, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    floor = _time([sys.executable, "-c", "pass"], runs)
    rows = [("python -c pass (interpreter floor)", floor)]
    cli = [sys.executable, "-m", "cookbook_tool", "validate"]
    rows += [(label, _time([*cli, *args], runs)) for label, args in CASES]
    print(f"{runs} runs each, cwd {SAMPLE.relative_to(ROOT)}")
    for label, times in rows:
        print(
            f"{label:<54} median {statistics.median(times) * 1000:7.1f} ms   "
            f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
