"""Whole-process time of the pre-commit hooks' commands for one changed file.

Runs what ``.pre-commit-hooks.yaml`` runs, the way pre-commit runs it (from the repository root,
file names relative to it), on the sample repository, and prints the median and spread of
the wall time and the median CPU time (user + system: less sensitive to other load), against
the target for one changed file (median <= 0.12 s):

    python benchmarks/precommit_hooks.py [--runs 20]

On a shared machine wall and CPU times move with the other load; ``--instructions`` counts
instead the instructions each command line executes (one run under ``valgrind --tool=callgrind``,
hash seed fixed), which do not: the figure to compare two versions by.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_cookbooks" / "opsworks-stack"
TARGET_SECONDS = 0.12  # issue 14: one changed file through the pre-commit path
CASES = [
    ("cookbook-validate: --skip-json <one recipe>",
     ["--skip-json", "cookbooks/webapp/recipes/deploy.rb"]),
    ("cookbook-validate: --skip-json <db_connect metadata>",
     ["--skip-json", "cookbooks/db_connect/metadata.rb"]),
    ("custom-json: --only-json stack/custom.json", ["--only-json", "stack/custom.json"]),
]


def _env() -> dict[str, str]:
    """Like an installed tool: bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "cookbook-tool-pycache")
    return env


def _instructions(args: list[str]) -> int:
    """Instructions one run executes, counted by callgrind."""
    env = {**_env(), "PYTHONHASHSEED": "0"}
    subprocess.run(args, cwd=SAMPLE, env=env, check=False, capture_output=True)  # warm up
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *args], cwd=SAMPLE, env=env, check=False, capture_output=True,
                          text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(args)} failed under valgrind: {done.stderr[-2000:]}")
    return int(found.group(1))


def _time(args: list[str], runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run."""
    env = _env()
    subprocess.run(args, cwd=SAMPLE, env=env, check=False, capture_output=True)  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=SAMPLE, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        times.append((time.perf_counter() - start, usage.ru_utime + usage.ru_stime))
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(args)} failed: {errors.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions (valgrind) instead of timing")
    options = parser.parse_args()
    cli = [sys.executable, "-m", "cookbook_tool", "validate"]
    if options.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind")
        floor_count = _instructions([sys.executable, "-c", "pass"])
        print(f"{'python -c pass (interpreter floor)':<54} {floor_count / 1e6:7.1f} M instructions")
        for label, args in CASES:
            count = _instructions([*cli, *args])
            print(f"{label:<54} {count / 1e6:7.1f} M instructions, "
                  f"{(count - floor_count) / 1e6:6.1f} M above the floor")
        return
    runs = options.runs
    floor = _time([sys.executable, "-c", "pass"], runs)
    rows = [("python -c pass (interpreter floor)", floor)]
    rows += [(label, _time([*cli, *args], runs)) for label, args in CASES]
    print(f"{runs} runs each, cwd {SAMPLE.relative_to(ROOT)}, load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for label, times in rows:
        wall = [w for w, _ in times]
        print(
            f"{label:<54} median {statistics.median(wall) * 1000:7.1f} ms   "
            f"min {min(wall) * 1000:7.1f} ms   max {max(wall) * 1000:7.1f} ms   "
            f"CPU {statistics.median(c for _, c in times) * 1000:7.1f} ms"
        )
    one_file = statistics.median(w for w, _ in rows[1][1])
    verdict = "ok" if one_file <= TARGET_SECONDS else "MISSED"
    print(f"one changed recipe: median {one_file:.3f} s (target <= {TARGET_SECONDS} s: {verdict})")


if __name__ == "__main__":
    main()
