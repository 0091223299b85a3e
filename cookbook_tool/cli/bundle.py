"""``cookbook-tool bundle``: validate, then write a reproducible cookbook archive."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    EXTERNAL_OPTION,
    EXTERNAL_PRESET_OPTION,
    FORMAT_OPTION,
    JSON_DOCUMENT_VERSION,
    OutputFormat,
    emit_json,
    emit_lines,
    finding_to_json,
    note,
    relative_findings,
    report_findings,
    run,
)
from cookbook_tool.text import printable

if TYPE_CHECKING:
    from cookbook_tool.bundle.build import BundlePlan, BundleResult
    from cookbook_tool.bundle.settings import BundleRequest


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
    external: list[str] = EXTERNAL_OPTION,
    presets: list[str] = EXTERNAL_PRESET_OPTION,
    offline: bool = typer.Option(
        False, "--offline", help="Take the locked cookbooks from the cache only (no network)."
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Download cache of locked cookbooks [default: "
        "$XDG_CACHE_HOME/cookbook-tool or ~/.cache/cookbook-tool].",
    ),
    config_file: Path | None = typer.Option(None, "--config", help="cookbook-tool.toml to use."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Validate the repository, then write <name>-<version>.tar.gz and print its sha256.

    The community cookbooks of cookbook-tool.lock (`cookbook-tool lock`) go in beside the
    repository's own, checked against the lock's sha256; --offline takes them from the cache
    only (docs/dependencies.md). --explain writes nothing and needs no version.

    Example:  cookbook-tool bundle . --version 1.4.0 --cookbook webapp
    """

    def body() -> int:
        from cookbook_tool.bundle.settings import BundleRequest
        from cookbook_tool.cli.lock import chosen_cache_dir, credentials

        request = BundleRequest(
            repo, Path.cwd(), tuple(cookbook), output_dir, name, version, layout,
            archive_format, config_file, os.environ.get("SOURCE_DATE_EPOCH"),
            tuple(external), tuple(presets), explain, chosen_cache_dir(cache_dir), offline,
            credentials(),
        )
        return _bundle(request, explain, output, no_progress)

    run("bundle", output, debug, body)


def _bundle(request: BundleRequest, explain: bool, output: OutputFormat, no_progress: bool) -> int:
    from cookbook_tool.bundle.build import merge_findings
    from cookbook_tool.bundle.settings import prepare_bundle

    source = prepare_bundle(request)
    root = source.loaded.root
    if explain:
        plan = source.plan()
        findings = merge_findings(source.validation(), plan.selection.findings)
        return _render_plan(plan, findings, output, root)
    from cookbook_tool.cli.publish_render import progress_bar

    show = output is OutputFormat.TEXT and not no_progress
    signal.signal(signal.SIGTERM, _interrupt)  # clean up the temporary file as on Ctrl-C
    with progress_bar(show, f"bundling {source.settings.filename}") as on_progress:
        result = source.build(source.validation, on_progress)
    return _render_result(result, output, root)


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
    count = len(plan.selection.cookbooks) + len(plan.vendored) if plan else 0
    lines = [
        f"{_shown(result.path)}",
        f"  size      {result.size} bytes ({count} cookbooks, {len(result.files)} files)",
        f"  sha256    {result.sha256}",
        f"  identity  {result.identity}",
    ]
    emit_lines(lines)
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
            "vendored": _vendored(plan) if plan else [],
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


def _vendored(plan: BundlePlan) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "version": e.version, "source": e.origin, "sha256": e.sha256}
        for e in plan.locked
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
                "vendored": _vendored(plan),
                "files": files,
                "excluded": _excluded(plan),
                "refused": [
                    {"path": printable(e.path), "cookbook": e.cookbook, "problem": e.reason}
                    for e in plan.refused
                ],
            },
            "findings": [finding_to_json(f) for f in findings],
        }
        emit_json(document)
        return 1 if has_errors(findings) else 0
    emit_lines(_plan_lines(plan, root))
    return report_findings("bundle", findings, output, f"{root}") if findings else 0


def _plan_lines(plan: BundlePlan, root: Path) -> list[str]:
    lines = [
        f"{plan.settings.filename} would hold:",
        f"cookbooks ({len(plan.selection.cookbooks)}):",
    ]
    for c in plan.selection.cookbooks:
        lines.append(f"  {c.name} {c.version or '?'}  ({plan.selection.reasons.get(c.name)})")
    if plan.locked:
        lines.append(f"vendored from cookbook-tool.lock ({len(plan.locked)}):")
        lines.extend(f"  {e.name} {e.version}  ({e.origin})" for e in plan.locked)
    lines.append(f"included ({len(plan.files)} files):")
    for entry in plan.files:
        note = f"  ({entry.note})" if entry.note else ""
        lines.append(f"  + {entry.name}{note}")
    lines.append(f"excluded ({len(plan.excluded)}):")
    for excluded in plan.excluded:
        lines.append(f"  - {excluded.path}  ({excluded.reason})")
    if plan.refused:
        lines.append(f"cannot ship ({len(plan.refused)}, see the errors below):")
        lines.extend(f"  ! {printable(r.path)}  ({r.reason})" for r in plan.refused)
    return lines


def _relative(source: str | Path | None, root: Path) -> str | None:
    if source is None:
        return None
    path = Path(source)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _shown(path: Path) -> str:
    cwd = Path.cwd()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)
