"""Whole-process time of ``cookbook-tool validate`` on the sample repository.

Prints the median and spread over N runs for: the whole sample repository, and one changed
file (what a pre-commit hook does), plus the import-time budget of the heaviest modules.

    python benchmarks/validate.py [--runs 20]
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
SAMPLE = ROOT / "sample_cookbooks" / "opsworks-stack"


def _env() -> dict[str, str]:
    """Like an installed tool: bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "cookbook-tool-bench-pycache")
    return env


def _time(args: list[str], runs: int) -> list[float]:
    env = _env()
    subprocess.run(args, env=env, check=False, capture_output=True)  # warm the bytecode cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, times: list[float]) -> None:
    print(
        f"{label:<44} median {statistics.median(times) * 1000:7.1f} ms   "
        f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms"
    )


def _import_budget() -> None:
    env = _env()
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cookbook_tool", "validate", str(SAMPLE), "-q"],
        env=env, capture_output=True, text=True, check=False,
    )
    rows = []
    for line in out.stderr.splitlines():  # "import time: self | cumulative | name"
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if parts[0].isdigit():
            rows.append((int(parts[1]), parts[2]))
    top = [r for r in rows if not r[1].startswith(" ")]
    print("\nimport budget (cumulative, top-level imports, microseconds):")
    for cumulative, name in sorted(top, reverse=True)[:8]:
        print(f"  {cumulative:>8}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    python = [sys.executable]
    _report("python -c pass (interpreter floor)", _time([*python, "-c", "pass"], runs))
    cli = [*python, "-m", "cookbook_tool", "validate"]
    _report("validate <sample repository>", _time([*cli, str(SAMPLE), "-q"], runs))
    changed = SAMPLE / "cookbooks" / "webapp" / "recipes" / "deploy.rb"
    _report("validate <one changed file>", _time([*cli, str(changed), "-q"], runs))
    _import_budget()


if __name__ == "__main__":
    main()
