"""Wall time, CPU time and peak RSS of one whole process, measured from a small launcher.

A child forked straight from a benchmark that holds a large corpus in memory would count that
memory in its own peak RSS (Linux keeps the pre-exec high-water mark), so the command is
started by a fresh interpreter that only waits for it and reports its children's usage.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_LAUNCHER = """
import resource, subprocess, sys, time
shell = sys.argv[1] == "shell"
command = sys.argv[2] if shell else sys.argv[2:]
t0 = time.perf_counter()
code = subprocess.run(command, shell=shell, stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)
"""


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float  # user + system, all processes of the command
    rss_mb: float  # the largest process of the command
    code: int


def measure(
    command: list[str] | str, *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
) -> Measured:
    """Run ``command`` (a list, or a shell pipeline as a string) once; its output is dropped."""
    shell = isinstance(command, str)
    args = [command] if isinstance(command, str) else command
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, "shell" if shell else "exec", *args],
        env=None if env is None else dict(env), cwd=cwd, stdout=subprocess.PIPE, text=True,
        check=True,
    )
    wall, cpu, rss, code = done.stdout.split()
    return Measured(float(wall), float(cpu), float(rss), int(code))
