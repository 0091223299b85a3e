"""``cookbook-tool release``: validate, bundle, publish to every configured target."""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    FORMAT_OPTION,
    OutputFormat,
    emit_json,
    emit_lines,
    finding_to_json,
    note,
    relative_findings,
    report_findings,
    run,
)
from cookbook_tool.cli.signals import guarded

if TYPE_CHECKING:
    from cookbook_tool.publish.base import ProgressCallback
    from cookbook_tool.release.pipeline import ReleaseReport, TargetReport

HELP = """Validate everything, bundle once, and publish to every configured target.

Nothing is published when validation finds an error. When one target fails after another
succeeded, the output says which; re-running finishes the job (targets that already hold this
release are skipped). --dry-run prints the plan (what would be bundled, its sha256, what would
be uploaded where, what already exists) and changes nothing. The community cookbooks of
cookbook-tool.lock go into the bundle as `bundle` puts them (docs/dependencies.md).

Example:  cookbook-tool release --dry-run
"""


def register(app: typer.Typer) -> None:
    app.command("release", help=HELP)(release)


def release(
    repo: Path = typer.Argument(Path("."), help="The cookbook repository."),
    target: list[str] = typer.Option([], "--target", "-t", help="Only this target (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print the plan; change nothing."),
    version: str | None = typer.Option(None, "--version", help="Bundle version [default: config]."),
    output_dir: Path | None = typer.Option(None, "--output", "-o", help="Where the bundle goes."),
    force_current: bool = typer.Option(
        False, "--force-current", help="Make this release current even if a newer one is."
    ),
    config_file: Path | None = typer.Option(None, "--config", help="cookbook-tool.toml to use."),
    allow_foreign_branch: bool = typer.Option(
        False, "--allow-foreign-branch", help="Git targets: publish onto a branch that holds "
        "commits not made by cookbook-tool (its tree is replaced by the release's)."),
    offline: bool = typer.Option(
        False, "--offline", help="Take the locked community cookbooks from the cache only."
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Download cache of locked cookbooks [default: "
        "$XDG_CACHE_HOME/cookbook-tool or ~/.cache/cookbook-tool].",
    ),
    no_progress: bool = typer.Option(False, "--no-progress", help="No upload progress bars."),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    def body() -> int:
        from cookbook_tool.cli.lock import chosen_cache_dir, credentials
        from cookbook_tool.release.pipeline import ReleaseRequest
        from cookbook_tool.release.pipeline import release as run_release

        request = ReleaseRequest(
            repo, Path.cwd(), config_file, tuple(target), dry_run, version, output_dir,
            os.environ.get("SOURCE_DATE_EPOCH"), force_current, dict(os.environ),
            allow_foreign_branch, chosen_cache_dir(cache_dir), offline, credentials(),
        )
        with ExitStack() as bars:
            show = not no_progress and output is OutputFormat.TEXT
            report = run_release(request, lambda name, size: _bar(bars, show, name))
        return _render(report, output)

    run("release", output, debug, guarded(body))


def _bar(stack: ExitStack, show: bool, name: str) -> ProgressCallback | None:
    from cookbook_tool.cli.publish_render import progress_bar

    return stack.enter_context(progress_bar(show, f"uploading to {name}"))


def _render(report: ReleaseReport, output: OutputFormat) -> int:
    findings = relative_findings(report.findings, Path.cwd())
    if report.artifact is None and output is not OutputFormat.JSON:
        return report_findings("release", findings, output, "release refused: nothing published")
    if output is OutputFormat.JSON:
        emit_json(_document(report, findings))
    else:
        emit_lines(_text(report))
        if findings:
            note(f"{len(findings)} warning(s); `cookbook-tool validate` shows them")
    return report.exit_code


def _text(report: ReleaseReport) -> str:
    from cookbook_tool.cli.publish_render import consumer_text, human_size
    from cookbook_tool.release.pipeline import Outcome

    artifact = report.artifact
    assert artifact is not None
    lines = ["Plan (dry run: nothing was changed)" if report.dry_run else "Release"]
    lines.append(f"  bundle   {artifact.filename}  {human_size(artifact.size)}")
    what = "the zip file" if artifact.archive_format == "zip" else "the uncompressed tar"
    lines.append(f"  sha256   {artifact.sha256}  (identity: {what})")
    if artifact.source_commit:
        lines.append(f"  source   {artifact.source_commit}")
    for target in report.targets:
        outcome = _outcome_text(target, artifact.size)
        lines.append(f"  target {target.name} ({target.url}): {outcome}")
    failed = [t.name for t in report.targets if t.exit_code]
    done = [t.name for t in report.targets if t.outcome in (Outcome.PUBLISHED,
                                                            Outcome.ALREADY_PUBLISHED)]
    if failed and not report.dry_run:
        lines.append(f"FAILED on {', '.join(failed)}; done on {', '.join(done) or 'none'}. "
                     "Fix the cause and re-run: finished targets are skipped.")
    for target in report.targets:
        if target.consumer is not None:
            lines.append(f"\n[{target.name}] " + "\n".join(consumer_text(target.consumer)))
    return "\n".join(lines)


def _outcome_text(target: TargetReport, size: int) -> str:
    from cookbook_tool.cli.publish_render import human_size
    from cookbook_tool.release.pipeline import Outcome

    if target.outcome is Outcome.WOULD_PUBLISH:
        return f"would upload {human_size(size)}"
    if target.outcome is Outcome.WOULD_CONFLICT:
        return "CONFLICT: this version is already there with other bytes (bump the version)"
    if target.outcome is Outcome.NOT_ATTEMPTED:
        return "not attempted (another target failed its check; nothing was uploaded)"
    if target.outcome is Outcome.ALREADY_PUBLISHED:
        return "already published (same sha256), nothing uploaded"
    if target.outcome is Outcome.FAILED:
        return f"FAILED: {target.error}"
    result = target.result
    uploaded = human_size(result.bytes_uploaded) if result else "?"
    current = "now current" if result and result.current else "not current"
    return f"published ({uploaded} uploaded, {current})"


def _document(report: ReleaseReport, findings: list[Any]) -> dict[str, Any]:
    """One shape whether the release went out or was refused (``bundle`` null, no targets)."""
    artifact = report.artifact
    return {
        "version": 1,
        "command": "release",
        "ok": report.exit_code == 0,
        "dry_run": report.dry_run,
        "bundle": None if artifact is None else {
            "path": str(artifact.path) if not report.dry_run else None,
            "name": artifact.name,
            "version": artifact.version,
            "size": artifact.size,
            "sha256": artifact.sha256,
            "archive_sha256": artifact.archive_sha256,
            "source_commit": artifact.source_commit,
            "format": artifact.archive_format,
        },
        "targets": [
            {
                "name": t.name,
                "url": t.url,
                "outcome": t.outcome.value,
                "error": t.error,
                "exit_code": t.exit_code,
                "consumer": asdict(t.consumer) if t.consumer else None,
            }
            for t in report.targets
        ],
        "findings": [finding_to_json(f) for f in findings],
    }
