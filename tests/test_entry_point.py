"""The real entry point, as a process: the ``cookbook-tool`` script and ``python -m
cookbook_tool`` print exactly what the in-process runs of every other CLI test see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli import run_cli, run_process
from tests.conftest import SAMPLES

COMMANDS = [
    ("validate", "sample_cookbooks/broken"),  # findings: exit 1, text on stdout
    ("validate", "sample_cookbooks/broken-json", "--format", "json"),
    ("validate", "sample_cookbooks/opsworks-stack", "-v"),  # timings on stderr
    ("validate", "--format", "json", "--no-such-option"),  # usage error as one JSON document
    ("bundle", "missing-folder"),  # a local error: exit 3, one line on stderr
    ("schemas",),
    ("publish", "--help"),  # help text wrapped as on a pipe
    ("--version",),
]


def _comparable(text: str) -> str:
    return "\n".join(
        line for line in text.splitlines() if "done in" not in line  # -v timings differ
    )


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_in_process_run_prints_what_the_process_prints(args: tuple[str, ...]) -> None:
    process = run_process(*args)
    in_process = run_cli(*args)
    assert (in_process.code, in_process.stdout) == (process.code, process.stdout)
    assert _comparable(in_process.stderr) == _comparable(process.stderr)


def test_the_installed_script(tmp_path: Path) -> None:
    script = shutil.which("cookbook-tool")
    if script is None:
        pytest.skip("cookbook-tool is not installed as a script")
    result = run_process("validate", SAMPLES / "opsworks-stack", "--format", "json",
                         cwd=tmp_path, command=[script])
    assert result.code == 0, result.stderr
    assert result.json()["ok"] is True
    assert run_process("--version", command=[script]).stdout == run_cli("--version").stdout
