"""The real entry point, as a process: the ``cookbook-tool`` script and ``python -m
cookbook_tool`` print exactly what the in-process runs of every other CLI test see."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli, run_process
from tests.conftest import ROOT, SAMPLES

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


def test_the_command_table_names_every_command_its_modules_register() -> None:
    import typer

    from cookbook_tool.cli import app as application

    for name, module in application.COMMANDS.items():
        one = typer.Typer()
        importlib.import_module(module).register(one)
        names = list(typer.main.get_group(one).commands)
        assert name in names, (name, module, names)
        assert {application.COMMANDS.get(n) for n in names} == {module}, names


@pytest.mark.parametrize("args", [("validate", "--help"), ("--help",), (),
                                  ("--help", "validate")], ids=" ".join)
def test_help_names_every_command_or_the_one_asked_for(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    shown = result.stdout + result.stderr
    listed = "runlist" in shown and "migrate" in shown
    assert listed is (args[:1] != ("validate",)), shown


def test_a_name_that_is_no_command_is_refused_as_before() -> None:
    result = run_cli("valdate", "x")
    assert result.code == 2
    assert "No such command 'valdate'" in result.stderr


def test_a_typer_run_imports_no_other_command() -> None:
    code = ("import sys\nfrom cookbook_tool.cli.app import main\n"
            "try:\n    main(['validate', '--schema', 'opsworks-custom-json', '-q', '--', sys.argv[1]])\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print(sorted(m for m in sys.modules if m.startswith('cookbook_tool.cli.')))\n")
    sample = SAMPLES / "opsworks-stack" / "stack" / "custom.json"
    done = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['cookbook_tool.cli.app',", "'cookbook_tool.cli.application',",
                                   "'cookbook_tool.cli.output',",
                                   "'cookbook_tool.cli.plain_validate',",
                                   "'cookbook_tool.cli.validate']"]
