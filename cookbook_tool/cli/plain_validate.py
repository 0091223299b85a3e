"""``validate [--schema SCHEMA | --skip-json | --only-json] PATH...`` without typer: a
pre-commit hook or a CI job starts in the time the checks need, not the time typer and click
take to import (about a quarter of a short run).

:func:`run_plain` reads a command line of the plain form only: root ``-q``/``-v``, then
``validate`` with ``--schema``/``-s``, ``--skip-json``, ``--only-json``, ``--format``/``-f``
(a format's exact name), ``--config``, ``--quiet``/``-q``, ``--debug`` (each at most once,
``--opt=value`` allowed) and paths. Anything else (``--help``, another option, a repeated
one, ``--``, a path starting with ``-``, no path without --schema) returns None and the Typer
application reads it, so every message about a command line stays click's. The run itself is
:func:`check_schema` or :func:`check_cookbooks`, the same functions the Typer command
calls.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from cookbook_tool.cli.output import (
    VERBOSITY,
    OutputFormat,
    detail,
    note,
    relative_findings,
    report_findings,
    run_body,
)

_ROOT_FLAGS = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose"}
_VALUES = {"--schema": "schema", "-s": "schema", "--format": "format", "-f": "format",
           "--config": "config"}
_FLAGS = {"--quiet": "quiet", "-q": "quiet", "--debug": "debug", "--skip-json": "skip_json",
          "--only-json": "only_json"}
_FORMATS = {f.value: f for f in OutputFormat}


class PlainArgs:
    """The parts of a plain command line: root flags, options with a value, flags, paths. A
    plain class: a dataclass would cost its creation in every run, for nothing it offers."""

    __slots__ = ("flags", "paths", "root", "values")

    def __init__(self) -> None:
        self.root: set[str] = set()
        self.values: dict[str, str] = {}
        self.flags: set[str] = set()
        self.paths: list[Path] = []


def parse_plain(argv: list[str]) -> PlainArgs | None:
    """The plain ``validate --schema`` command line's parts, or None (see the module doc)."""
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None  # shell completion: the Typer application answers
    found = PlainArgs()
    position = 0
    while position < len(argv) and argv[position] in _ROOT_FLAGS:
        if _ROOT_FLAGS[argv[position]] in found.root:
            return None
        found.root.add(_ROOT_FLAGS[argv[position]])
        position += 1
    if argv[position : position + 1] != ["validate"]:
        return None
    tokens = iter(argv[position + 1 :])
    for token in tokens:
        name, equals, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in _VALUES:
            if not equals:
                value = next(tokens, "-")  # missing, or an option's name: click says what
            if not value or value.startswith("-") or _VALUES[name] in found.values:
                return None
            found.values[_VALUES[name]] = value
        elif token in _FLAGS and _FLAGS[token] not in found.flags:
            found.flags.add(_FLAGS[token])
        elif token.startswith("-") or not token:
            return None
        else:
            found.paths.append(Path(token))
    if found.values.get("format", "text") not in _FORMATS:
        return None
    if "skip_json" in found.flags and ("only_json" in found.flags or "schema" in found.values):
        return None  # a usage error: the Typer command says so
    if "schema" not in found.values and not found.paths:
        return None  # the whole repository at the current folder: as rare as it is slow
    return found


def run_plain(argv: list[str]) -> int | None:
    """Run a plain ``validate --schema`` command line and return its exit code; None when the
    command line is not of that form (the Typer application runs it then)."""
    args = parse_plain(argv)
    if args is None:
        return None
    VERBOSITY["level"] = 0 if "quiet" in args.root else 2 if "verbose" in args.root else 1
    output = _FORMATS[args.values.get("format", "text")]
    config = args.values.get("config")

    config_path = Path(config) if config is not None else None
    quiet = "quiet" in args.flags

    def body() -> int:
        if "schema" in args.values:
            return check_schema(args.values["schema"], tuple(args.paths), Path.cwd(),
                                config_path, output, quiet)
        return check_cookbooks(tuple(args.paths), Path.cwd(), config_path, output, quiet,
                               skip_json="skip_json" in args.flags,
                               only_json="only_json" in args.flags)

    # A short run makes some 25,000 objects that live to its end (modules, classes, the
    # repository's model): at the default threshold (700) the collector runs ~40 times and
    # finds next to nothing, a few percent of the run. Collect rarely instead, as mypy does;
    # a long run still collects, every 100,000 net allocations.
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)
    try:
        return run_body("validate", output, "debug" in args.flags, body)
    finally:
        gc.set_threshold(*threshold)


def check_cookbooks(
    paths: tuple[Path, ...], cwd: Path, config: Path | None, output: OutputFormat,
    quiet: bool, *, skip_json: bool = False, only_json: bool = False,
    external: tuple[str, ...] = (), presets: tuple[str, ...] = (),
) -> int:
    """``validate`` without --schema: the cookbooks (unless ``only_json``) and the custom JSON
    the configuration maps (unless ``skip_json``) of the repositories holding ``paths``."""
    from cookbook_tool.validate.run import CheckSettings, run_checks

    settings = CheckSettings(
        paths, cwd, config, None, cookbooks=not only_json, custom_json=not skip_json,
        external=external, external_presets=presets,
    )
    report = run_checks(settings)
    findings = relative_findings(report.findings, cwd)
    if quiet and not findings and output is OutputFormat.TEXT:
        return 0
    if report.config is not None and report.config.file is not None:
        detail(f"configuration: {report.config.file}")
    if report.skipped and output is OutputFormat.TEXT and not quiet:
        note(
            f"{len(report.skipped)} file(s) matched no cookbook and no schema mapping; "
            "not checked: " + ", ".join(shown_paths(report.skipped[:5], cwd))
            + (" ..." if len(report.skipped) > 5 else "")
        )
    return report_findings(
        "validate", findings, output, report.summary, cookbooks=sorted(report.cookbooks),
        json_files=shown_paths(report.json_files, cwd),
    )


def check_schema(schema: str, paths: tuple[Path, ...], cwd: Path, config: Path | None,
                 output: OutputFormat, quiet: bool) -> int:
    """--schema: the files (a folder stands for its JSON files) against one schema; none of
    the cookbook checks is imported."""
    from cookbook_tool.customjson.schemarun import check_against_schema

    checked = check_against_schema(paths, schema, cwd=cwd, config_path=config)
    findings = relative_findings(checked.findings, cwd)
    if quiet and not findings and output is OutputFormat.TEXT:
        return 0
    if checked.config is not None and checked.config.file is not None:
        detail(f"configuration: {checked.config.file}")
    return report_findings("validate", findings, output, checked.summary, cookbooks=[],
                           json_files=shown_paths(checked.checked, cwd))


def shown_paths(paths: list[Path], cwd: Path) -> list[str]:
    """Each path relative to ``cwd`` when below it (``Path.relative_to``), by their text: a
    thousand files cost no ``relative_to`` each."""
    folder = str(cwd)
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    shown = []
    for path in paths:
        text = str(path)
        shown.append(text[len(prefix):] if text.startswith(prefix) else
                     "." if text == folder else text)
    return shown
