"""``cookbook-tool bundle``: validate, then write a reproducible cookbook archive."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    FORMAT_OPTION,
    JSON_DOCUMENT_VERSION,
    OutputFormat,
    emit_json,
    finding_to_json,
    note,
    relative_findings,
    report_findings,
    run,
)

if TYPE_CHECKING:
    from cookbook_tool.bundle.build import BundlePlan, BundleResult, BundleSettings
    from cookbook_tool.config.load import Config


def register(app: typer.Typer) -> None:
    app.command("bundle")(bundle)


def bundle(
    repo: Path = typer.Argument(Path("."), help="The cookbook repository (or one cookbook)."),
    cookbook: list[str] = typer.Option(
        [], "--cookbook", "-c", help="Bundle this cookbook and its dependencies (repeatable)."
    ),
    output_dir: Path | None = typer.Option(
        None, "--output", "-o", help="Folder to write the archive to [default: REPO/out]."
    ),
    name: str | None = typer.Option(
        None, "--name", help="Bundle name [default: config or 'cookbooks']."
    ),
    version: str | None = typer.Option(None, "--version", help="Bundle version [default: config]."),
    layout: str | None = typer.Option(
        None, "--layout", help="'cookbooks' (cookbooks/<name>/...) or 'flat' (<name>/...)."
    ),
    archive_format: str | None = typer.Option(
        None, "--format-archive", help="'tar.gz' (default) or 'zip'."
    ),
    explain: bool = typer.Option(
        False,
        "--explain",
        "--list",
        help="Show what would go in and why the rest is left out; write nothing.",
    ),
    config_file: Path | None = typer.Option(None, "--config", help="cookbook-tool.toml to use."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Validate the repository, then write <name>-<version>.tar.gz and print its sha256.

    Example:  cookbook-tool bundle . --version 1.4.0 --cookbook webapp
    """
    choices = _Choices(cookbook, output_dir, name, version, layout, archive_format, config_file)
    run("bundle", output, debug, lambda: _bundle(repo, choices, explain, output, no_progress))


@dataclass(frozen=True)
class _Choices:
    """The options that decide what is bundled, and how."""

    cookbooks: list[str]
    output_dir: Path | None
    name: str | None
    version: str | None
    layout: str | None
    archive_format: str | None
    config_file: Path | None


def _bundle(
    repo: Path, choices: _Choices, explain: bool, output: OutputFormat, no_progress: bool
) -> int:
    from cookbook_tool.bundle.build import build_bundle, merge_findings, plan_bundle
    from cookbook_tool.bundle.source import open_for_bundle

    root, choices = _repository(repo, choices)
    settings, config = _settings(root, choices)
    loaded, validation = open_for_bundle(root, config, settings)
    cookbooks, entries_of = loaded.repo.cookbooks, lambda c: loaded.files_of(c).entries
    if explain:
        plan = plan_bundle(loaded.root, cookbooks, settings, entries_of)
        findings = merge_findings(validation(), plan.selection.findings)
        return _render_plan(plan, findings, output, loaded.root)
    from cookbook_tool.cli.publish_render import progress_bar

    show = output is OutputFormat.TEXT and not no_progress
    signal.signal(signal.SIGTERM, _interrupt)  # clean up the temporary file as on Ctrl-C
    with progress_bar(show, f"bundling {settings.filename}") as on_progress:
        result = build_bundle(loaded.root, cookbooks, settings, validation, entries_of, on_progress)
    return _render_result(result, output, loaded.root)


def _repository(repo: Path, choices: _Choices) -> tuple[Path, _Choices]:
    """The repository folder, checked before anything else is asked of it. A cookbook (or a
    folder inside one) means that cookbook and its dependencies, from its repository."""
    from dataclasses import replace

    from cookbook_tool.cookbook.discovery import find_repository_root, outermost_cookbook
    from cookbook_tool.errors import LocalError
    from cookbook_tool.metadata.read import read_metadata

    if not repo.exists():
        raise LocalError(f"{repo}: no such folder")
    if not repo.is_dir():
        raise LocalError(f"{repo}: not a folder (give the cookbook repository or one cookbook)")
    folder = repo.resolve()
    root = find_repository_root(folder)
    cookbook = outermost_cookbook(folder)
    if cookbook is None or cookbook == root:
        return folder if cookbook is None else root, choices
    metadata, _ = read_metadata(cookbook)
    name = metadata.name if metadata and metadata.name else cookbook.name
    return root, replace(choices, cookbooks=[*choices.cookbooks, name])


def _settings(root: Path, choices: _Choices) -> tuple[BundleSettings, Config]:
    from cookbook_tool.bundle.settings import bundle_settings
    from cookbook_tool.config.load import resolve_config

    config = resolve_config(choices.config_file, root, Path.cwd())
    settings = bundle_settings(
        root, config, cookbooks=choices.cookbooks, output=choices.output_dir, name=choices.name,
        version=choices.version, layout=choices.layout, archive_format=choices.archive_format,
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
    )  # fmt: skip
    return settings, config


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _render_result(result: BundleResult, output: OutputFormat, root: Path) -> int:
    findings = relative_findings(result.findings, Path.cwd())
    if result.path is None:
        return report_findings("bundle", findings, output, f"{root}: bundle refused")
    if output is OutputFormat.JSON:
        emit_json(_document(result, findings))
        return 0
    plan = result.plan
    count = len(plan.selection.cookbooks) if plan else 0
    lines = [
        f"{_shown(result.path)}",
        f"  size      {result.size} bytes ({count} cookbooks, {len(result.files)} files)",
        f"  sha256    {result.sha256}",
        f"  identity  {result.identity}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if findings:
        note(f"validation reported {len(findings)} warning(s); `cookbook-tool validate` shows them")
    return 0


def _document(result: BundleResult, findings: list[Any]) -> dict[str, Any]:
    settings = result.settings
    plan = result.plan
    return {
        "version": JSON_DOCUMENT_VERSION,
        "command": "bundle",
        "ok": True,
        "bundle": {
            "path": str(result.path),
            "name": settings.name,
            "version": settings.version,
            "layout": settings.layout,
            "format": settings.archive_format,
            "size": result.size,
            "sha256": result.sha256,
            "identity": result.identity,
            "mtime": settings.mtime,
            "cookbooks": _cookbooks(plan) if plan else [],
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in result.files],
            "excluded": _excluded(plan) if plan else [],
        },
        "findings": [finding_to_json(f) for f in findings],
    }


def _cookbooks(plan: BundlePlan) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "version": c.version, "reason": plan.selection.reasons.get(c.name)}
        for c in plan.selection.cookbooks
    ]


def _excluded(plan: BundlePlan) -> list[dict[str, str]]:
    return [{"path": e.path, "cookbook": e.cookbook, "reason": e.reason} for e in plan.excluded]


def _render_plan(plan: BundlePlan, findings: list[Any], output: OutputFormat, root: Path) -> int:
    from cookbook_tool.findings import has_errors

    findings = relative_findings(findings, Path.cwd())
    if output is OutputFormat.JSON:
        files = [
            {"path": e.name, "source": _relative(e.source, root), "size": e.size, "note": e.note}
            for e in plan.files
        ]
        document = {
            "version": JSON_DOCUMENT_VERSION,
            "command": "bundle",
            "ok": not has_errors(findings),
            "explain": {
                "archive": plan.settings.filename,
                "cookbooks": _cookbooks(plan),
                "files": files,
                "excluded": _excluded(plan),
                "refused": [
                    {"path": _printable(e.path), "cookbook": e.cookbook, "problem": e.reason}
                    for e in plan.refused
                ],
            },
            "findings": [finding_to_json(f) for f in findings],
        }
        emit_json(document)
        return 1 if has_errors(findings) else 0
    sys.stdout.write("\n".join(_plan_lines(plan, root)) + "\n")
    return report_findings("bundle", findings, output, f"{root}") if findings else 0


def _plan_lines(plan: BundlePlan, root: Path) -> list[str]:
    lines = [
        f"{plan.settings.filename} would hold:",
        f"cookbooks ({len(plan.selection.cookbooks)}):",
    ]
    for c in plan.selection.cookbooks:
        lines.append(f"  {c.name} {c.version or '?'}  ({plan.selection.reasons.get(c.name)})")
    lines.append(f"included ({len(plan.files)} files):")
    for entry in plan.files:
        note = f"  ({entry.note})" if entry.note else ""
        lines.append(f"  + {entry.name}{note}")
    lines.append(f"excluded ({len(plan.excluded)}):")
    for excluded in plan.excluded:
        lines.append(f"  - {excluded.path}  ({excluded.reason})")
    if plan.refused:
        lines.append(f"cannot ship ({len(plan.refused)}, see the errors below):")
        lines.extend(f"  ! {_printable(r.path)}  ({r.reason})" for r in plan.refused)
    return lines


def _relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _printable(path: str) -> str:
    """A path as valid UTF-8 text: bytes that are not UTF-8 are shown as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _shown(path: Path) -> str:
    cwd = Path.cwd()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)
