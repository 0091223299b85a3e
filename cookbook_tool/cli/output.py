"""Rendering shared by every command: findings, JSON documents, errors and exit codes.

stdout carries the result; stderr carries progress, logs and human error text. In JSON mode an
error is still one JSON document on stdout.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from cookbook_tool.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNEXPECTED, ToolError
from cookbook_tool.findings import Finding, Severity, has_errors, sort_findings
from cookbook_tool.text import printable

JSON_DOCUMENT_VERSION = 1
T = TypeVar("T")


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"


class ResultFormat(StrEnum):
    """The formats of commands that print results, not findings (no github/sarif)."""

    TEXT = "text"
    JSON = "json"

    @property
    def output(self) -> OutputFormat:
        return OutputFormat(self.value)


def _options() -> dict[str, Any]:
    import typer

    return {
        "RESULT_FORMAT_OPTION": typer.Option(
            ResultFormat.TEXT, "--format", "-f", help="Output format.", case_sensitive=False
        ),
        "FORMAT_OPTION": typer.Option(
            OutputFormat.TEXT, "--format", "-f", help="Output format.", case_sensitive=False
        ),
        "DEBUG_OPTION": typer.Option(
            False, "--debug", help="Show a full traceback on unexpected errors."
        ),
        # validate, bundle, verify: the cookbooks the consumer provides
        "EXTERNAL_OPTION": typer.Option(
            [], "--external", metavar="NAME",
            help="A dependency the consumer provides (repeatable); adds to external_cookbooks.",
        ),
        "EXTERNAL_PRESET_OPTION": typer.Option(
            [], "--external-preset", metavar="NAME",
            help="Cookbooks the consumer provides, by name: opsworks-chef-11.10 (repeatable).",
        ),
    }


def __getattr__(name: str) -> Any:
    """``RESULT_FORMAT_OPTION``, ``FORMAT_OPTION``, ``DEBUG_OPTION``, ``EXTERNAL_OPTION``,
    ``EXTERNAL_PRESET_OPTION``: typer's option objects,
    made when a command module first asks (a plain ``validate --schema`` run, which needs no
    typer, never imports it: ``cli/plain_validate.py``)."""
    if name.endswith("_OPTION") and name in (made := _options()):
        globals().update(made)
        return made[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def use_color() -> bool:
    return "NO_COLOR" not in os.environ and sys.stderr.isatty()


def emit_json(document: dict[str, Any]) -> None:
    import json  # JSON output only: a text run (a pre-commit hook) does not import it

    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n")


def emit_lines(lines: str | Iterable[str]) -> None:
    """Text output on stdout, each line made ``printable``: a name read from a target, an
    archive or the disk cannot forge a line (``a\\nOK: ...``)."""
    if isinstance(lines, str):
        lines = lines.split("\n")
    sys.stdout.write("".join(printable(line) + "\n" for line in lines))


# Set by the root options: 0 with -q (results and errors only), 1 normally, 2 with -v.
VERBOSITY = {"level": 1}


def stderr(message: str) -> None:
    """One line on stderr: the paths it names may hold any character, so control characters
    are escaped (``text.printable``) and a file name cannot forge a line."""
    sys.stderr.write(printable(message) + "\n")


def note(message: str) -> None:
    """An informational line on stderr, silenced by ``-q``."""
    if VERBOSITY["level"] >= 1:
        stderr(f"note: {message}")


def detail(message: str) -> None:
    """A line only ``-v`` shows."""
    if VERBOSITY["level"] >= 2:
        stderr(message)


def printable_finding(finding: Finding) -> Finding:
    file = printable(finding.file) if finding.file else finding.file
    message = printable(finding.message)
    if file == finding.file and message == finding.message:
        return finding
    return replace(finding, file=file, message=message)


def finding_to_json(finding: Finding) -> dict[str, Any]:
    finding = printable_finding(finding)
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "cookbook": finding.cookbook,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "path": finding.path,
        "message": finding.message,
    }


def relative_findings(findings: Iterable[Finding], cwd: Path) -> list[Finding]:
    """Findings with their files shown relative to ``cwd`` where they lie below it."""
    out = []
    for finding in findings:
        shown = finding
        if finding.file and finding.file.startswith("/"):
            path = Path(finding.file)
            if path.is_relative_to(cwd):
                shown = replace(finding, file=path.relative_to(cwd).as_posix())
        out.append(shown)
    return out


def render_findings_text(findings: Iterable[Finding], checked: str) -> str:
    """Findings grouped by file (a header line per file), then one summary line; every line
    is one line, whatever the file names hold (``printable_finding``)."""
    ordered = sort_findings(printable_finding(f) for f in findings)
    lines: list[str] = []
    current_file: str | None = "\0"
    for finding in ordered:
        if finding.file != current_file:
            current_file = finding.file
            lines.append(current_file or "<repository>")
        where = ":".join(str(n) for n in (finding.line, finding.column) if n is not None)
        pointer = f" {finding.path}:" if finding.path else ""
        prefix = f"  {where}:" if where else " "
        lines.append(
            f"{prefix}{pointer} {finding.severity.value} [{finding.rule}] {finding.message}"
        )
    errors = sum(1 for f in ordered if f.is_error)
    notices = sum(1 for f in ordered if f.severity is Severity.NOTICE)
    warnings = len(ordered) - errors - notices
    verdict = "FAILED" if errors else "OK"
    noted = f", {notices} notice(s)" if notices else ""
    lines.append(
        f"{verdict}: {printable(checked)}: {errors} error(s), {warnings} warning(s){noted}"
    )
    return "\n".join(lines)


def render_findings_github(findings: Iterable[Finding]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…::message``."""
    out = []
    for finding in sort_findings(findings):
        props = []
        if finding.file:
            props.append(f"file={_gh_escape_property(finding.file)}")
        if finding.line is not None:
            props.append(f"line={finding.line}")
        if finding.column is not None:
            props.append(f"col={finding.column}")
        props.append(f"title={_gh_escape_property(finding.rule)}")
        level = finding.severity.value  # ::error, ::warning, ::notice
        message = f"{finding.path}: {finding.message}" if finding.path else finding.message
        out.append(f"::{level} {','.join(props)}::{_gh_escape_data(message)}")
    return "\n".join(out)


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def findings_document(command: str, findings: Iterable[Finding], **extra: Any) -> dict[str, Any]:
    ordered = sort_findings(findings)
    return {
        "version": JSON_DOCUMENT_VERSION,
        "command": command,
        "ok": not has_errors(ordered),
        **extra,
        "findings": [finding_to_json(f) for f in ordered],
    }


# (command, findings, what was checked, extra JSON members) -> printed on stdout
Renderer = Callable[[str, list[Finding], str, dict[str, Any]], None]
# (command, message, error type, exit code) -> the error as a document of the format, on stdout
FailureRenderer = Callable[[str, str, str, int], None]


def _text(command: str, findings: list[Finding], checked: str, extra: dict[str, Any]) -> None:
    sys.stdout.write(render_findings_text(findings, checked) + "\n")


def _json(command: str, findings: list[Finding], checked: str, extra: dict[str, Any]) -> None:
    emit_json(findings_document(command, findings, **extra))


def _github(command: str, findings: list[Finding], checked: str, extra: dict[str, Any]) -> None:
    text = render_findings_github(findings)
    if text:
        sys.stdout.write(text + "\n")


def _sarif(command: str, findings: list[Finding], checked: str, extra: dict[str, Any]) -> None:
    from cookbook_tool.cli.sarif import sarif_document

    emit_json(sarif_document(findings))


RENDERER_BY_FORMAT: dict[OutputFormat, Renderer] = {
    OutputFormat.TEXT: _text,
    OutputFormat.JSON: _json,
    OutputFormat.GITHUB: _github,
    OutputFormat.SARIF: _sarif,
}


def report_findings(
    command: str, findings: list[Finding], output: OutputFormat, checked: str, **extra: Any
) -> int:
    """Print findings in the chosen format; return the exit code (0 ok, 1 errors found)."""
    findings = [printable_finding(f) for f in findings]
    RENDERER_BY_FORMAT[output](command, findings, checked, extra)
    return EXIT_FINDINGS if has_errors(findings) else EXIT_OK


def run(command: str, output: OutputFormat, debug: bool, body: Callable[[], int]) -> NoReturn:
    """Run a command body and exit with its code (``typer.Exit``): see :func:`run_body`."""
    import typer

    raise typer.Exit(run_body(command, output, debug, body))


def run_body(command: str, output: OutputFormat, debug: bool, body: Callable[[], int]) -> int:
    """Run a command body and return its exit code; turn errors into one clear line.

    ``ToolError`` -> its message and exit code; anything else -> exit 70 with a short message
    (the traceback only with ``--debug``). In JSON mode the error is a JSON document on stdout.
    """
    started = time.perf_counter()
    try:
        code = body()
        detail(f"cookbook-tool {command}: done in {time.perf_counter() - started:.3f} s, "
               f"exit {code}")
    except ToolError as exc:
        return _fail(command, output, exc.message, exc.exit_code, type(exc).__name__)
    except KeyboardInterrupt:
        return _fail(command, output, "interrupted", 130, "KeyboardInterrupt")
    except Exception as exc:
        if _is_click_exit(exc):
            raise
        if debug:
            import traceback

            traceback.print_exc()
        return _fail(
            command,
            output,
            f"unexpected error: {type(exc).__name__}: {exc} (re-run with --debug for details)",
            EXIT_UNEXPECTED,
            "UnexpectedError",
        )
    return code


def _is_click_exit(exc: Exception) -> bool:
    """``typer.Exit`` (click's ``Exit``) raised by a body: it passes through. Without click
    imported, no body raised one."""
    click = sys.modules.get("click.exceptions")
    return click is not None and isinstance(exc, click.Exit)


def _fail(command: str, output: OutputFormat, message: str, code: int, kind: str) -> int:
    message = printable(message)  # it names paths: one line, whatever they hold
    FAILURE_BY_FORMAT[output](command, message, kind, code)
    stderr(f"cookbook-tool {command}: error: {message}")
    return code


def _text_failure(command: str, message: str, kind: str, code: int) -> None:
    """Text mode: the error line on stderr is all."""


def _json_failure(command: str, message: str, kind: str, code: int) -> None:
    emit_json(
        {
            "version": JSON_DOCUMENT_VERSION,
            "command": command,
            "ok": False,
            "error": {"type": kind, "message": message, "exit_code": code},
        }
    )


def _github_failure(command: str, message: str, kind: str, code: int) -> None:
    """An annotation on the workflow run."""
    sys.stdout.write(f"::error title=cookbook-tool {_gh_escape_property(command)}::"
                     f"{_gh_escape_data(message)}\n")


def _sarif_failure(command: str, message: str, kind: str, code: int) -> None:
    """A code-scanning upload step still gets a document."""
    from cookbook_tool.cli.sarif import sarif_failure

    emit_json(sarif_failure(message))


FAILURE_BY_FORMAT: dict[OutputFormat, FailureRenderer] = {
    OutputFormat.TEXT: _text_failure,
    OutputFormat.JSON: _json_failure,
    OutputFormat.GITHUB: _github_failure,
    OutputFormat.SARIF: _sarif_failure,
}
