"""A plain ``validate`` command line (``--schema``, or the pre-commit hooks' ``--skip-json``/
``--only-json``) runs without typer or click, and prints exactly
what the Typer command prints for it; any other command line goes to the Typer application."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cookbook_tool.cli import plain_validate
from tests.cli import run_cli
from tests.conftest import ROOT, SAMPLES

GOOD = str(SAMPLES / "opsworks-stack" / "stack" / "custom.json")
BAD = str(SAMPLES / "broken-json")
STACK = str(SAMPLES / "opsworks-stack")
STACK_RECIPE = str(SAMPLES / "opsworks-stack" / "cookbooks" / "webapp" / "recipes" / "default.rb")
BROKEN_COOKBOOK = str(SAMPLES / "broken" / "include-recipe-missing")

PLAIN = [
    ("validate", "--schema", "opsworks-custom-json", GOOD),
    ("-v", "validate", "-s", "opsworks-custom-json", "--format", "json", BAD),
    ("validate", "--schema=opsworks-custom-json", "-f", "sarif", BAD, GOOD),
    ("validate", "--format=github", "--schema", "opsworks-custom-json", BAD),
    ("-q", "validate", "--schema", "opsworks-custom-json", "-q", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "--debug", "--quiet", BAD),
    ("validate", "--schema", "no-such-schema", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "--format", "json"),  # no paths: exit 2
    ("validate", "--schema", "opsworks-custom-json", "--config", "missing.toml", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "no-such-file.json"),
    # the pre-commit hooks' command lines
    ("validate", "--skip-json", STACK_RECIPE),
    ("validate", "--only-json", GOOD),
    ("validate", "--skip-json", "--format", "json", STACK, BROKEN_COOKBOOK),
    ("-q", "validate", "--skip-json", "-q", STACK_RECIPE),
    ("validate", "-f", "github", BROKEN_COOKBOOK),
    ("validate", "--skip-json", "no-such-path"),
    ("validate", GOOD),
]


def _comparable(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "done in" not in line)


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_a_plain_run_prints_what_the_typer_command_prints(
    args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert plain_validate.parse_plain(list(args)) is not None
    plain = run_cli(*args)
    monkeypatch.setattr(plain_validate, "parse_plain", lambda argv: None)
    typed = run_cli(*args)
    assert (plain.code, plain.stdout) == (typed.code, typed.stdout)
    assert _comparable(plain.stderr) == _comparable(typed.stderr)


@pytest.mark.parametrize("args", [
    ("validate", "--help"),
    ("validate", "--schema", "opsworks-custom-json", "--help"),
    ("validate", "--schema", "a", "--schema", "b", GOOD),
    ("validate", "--schema", "-q", GOOD),
    ("validate", "--schema"),
    ("validate", "--schema", "opsworks-custom-json", "--format", "JSON", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "-fjson", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "--", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "--skip-json", GOOD),
    ("validate", "--skip-json", "--only-json", GOOD),
    ("validate", "--skip-json"),  # no path: the repository at the current folder
    ("validate", "--skip-json", "--external", "apt", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "--debug=1", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "-q", "-q", GOOD),
    ("validate", "--schema", "opsworks-custom-json", "", GOOD),
    ("--version", "validate", "--schema", "opsworks-custom-json", GOOD),
    ("-q", "-q", "validate", "--schema", "opsworks-custom-json", GOOD),
    ("bundle", "--schema", "opsworks-custom-json"),
    (),
], ids=" ".join)
def test_any_other_command_line_goes_to_typer(args: tuple[str, ...]) -> None:
    assert plain_validate.parse_plain(list(args)) is None


def test_shell_completion_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_COOKBOOK_TOOL_COMPLETE", "complete_bash")
    assert plain_validate.parse_plain(["validate", "--schema", "x", GOOD]) is None


@pytest.mark.parametrize("args", [("--schema", "opsworks-custom-json", GOOD),
                                  ("--skip-json", STACK_RECIPE)], ids=" ".join)
def test_a_plain_run_imports_neither_typer_nor_click(args: tuple[str, ...]) -> None:
    code = ("import sys\nfrom cookbook_tool.cli.app import main\n"
            "try:\n    main(['validate', *sys.argv[1:]])\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click')))\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
