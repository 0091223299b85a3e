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
    ("validate", "--skip-json", "-q", STACK_RECIPE),  # the validate target's benchmark
    ("validate", "--skip-json", "--quiet", BROKEN_COOKBOOK),  # findings: -q shows them
    ("validate", "-q", "--skip-json", "--format", "json", STACK_RECIPE),
    ("validate", "--only-json", "-q", GOOD),
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


# What the pre-commit hooks' command lines must not import: the CLI framework, what only
# output formats other than text, typos, unexpected errors, lock files, bundles or publishing
# use, or a configuration without [sources]/[dependencies] (each of them start-up time a hook
# pays on every commit).
NOT_IMPORTED = (
    "typer", "click", "rich", "jsonschema", "boto3", "git", "difflib", "traceback", "textwrap",
    "hashlib", "cookbook_tool.dependencies.lockfile", "cookbook_tool.dependencies.declared",
    "cookbook_tool.metadata.json_reader",
    "cookbook_tool.bundle", "cookbook_tool.archive", "cookbook_tool.publish",
)


@pytest.mark.parametrize("args", [
    ("--skip-json", "cookbooks/webapp/recipes/deploy.rb"),
    ("--skip-json", "-q", "cookbooks/db_connect/metadata.rb"),
    ("--only-json", "stack/custom.json"),
], ids=" ".join)
def test_the_pre_commit_command_lines_import_only_what_they_use(args: tuple[str, ...]) -> None:
    code = ("import sys\nfrom cookbook_tool.cli.app import main\n"
            "try:\n    main(['validate', *sys.argv[1:]])\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print(' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=STACK, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    imported = done.stdout.splitlines()[-1].split()
    assert "cookbook_tool.validate.run" in imported  # the run did happen in this process
    unwanted = [m for m in imported if m in NOT_IMPORTED or m.startswith(
        tuple(f"{name}." for name in NOT_IMPORTED))]
    assert unwanted == []
