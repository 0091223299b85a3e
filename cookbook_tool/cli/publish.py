"""``publish``, ``releases``, ``rollback`` and ``prune``: put a bundle at a target (s3://,
file://, a directory, a Git URL), list its history, make an older release current again,
delete old releases. The core lives in ``cookbook_tool.publish.service`` (imported lazily)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    RESULT_FORMAT_OPTION,
    ResultFormat,
    emit_json,
    emit_lines,
    run,
)
from cookbook_tool.cli.signals import guarded
from cookbook_tool.cli.targets import with_target
from cookbook_tool.errors import EXIT_OK

if TYPE_CHECKING:
    from cookbook_tool.publish.configured import TargetRequest

PublishFormat = ResultFormat
PUBLISH_FORMAT_OPTION = RESULT_FORMAT_OPTION

NAME_OPTION = typer.Option("cookbooks", "--name", help="Bundle name (the manifest's name).")
def publish(
    target: TargetRequest,
    bundle: Path = typer.Argument(..., help="The bundle archive (.tar.gz or .zip)."),
    force_current: bool = typer.Option(
        False, "--force-current", help="Make this version current even if it is already "
        "published or older than the current one (never rewrites a release)."),
    source_commit: str | None = typer.Option(
        None, "--source-commit", help="Record this Git commit with the release."),
    allow_foreign_branch: bool = typer.Option(
        False, "--allow-foreign-branch", help="Git target: publish onto a branch that holds "
        "commits not made by cookbook-tool (its tree is replaced by the release's)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    output: PublishFormat = PUBLISH_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Publish a bundle: an immutable release, the current archive and the release history.

    The archive is checked as `verify` does first; with findings nothing is uploaded (exit 1).

    Example:  cookbook-tool publish dist/cookbooks-1.4.0.tar.gz --to s3://my-bucket/stack
    """

    def body() -> int:
        from cookbook_tool.artifact import BundleRejected
        from cookbook_tool.cli.publish_render import document, progress_bar, publish_text
        from cookbook_tool.publish.service import publish_to

        show = output is PublishFormat.TEXT and not no_progress
        try:
            with progress_bar(show, f"uploading {bundle.name}") as on_progress:
                result = publish_to(
                    bundle, target, source_commit=source_commit, force_current=force_current,
                    on_progress=on_progress, allow_foreign_branch=allow_foreign_branch,
                )
        except BundleRejected as rejected:
            return _report_rejected(rejected, output)
        if output is PublishFormat.JSON:
            emit_json(document("publish", result=asdict(result)))
        else:
            emit_lines(publish_text(result))
        return EXIT_OK

    run("publish", output.output, debug, guarded(body))


def _report_rejected(rejected: Any, output: PublishFormat) -> int:
    """The findings of a bundle that fails verification, as `verify` prints them; exit 1."""
    from cookbook_tool.cli.output import report_findings, stderr

    shown = str(rejected.path)
    code = report_findings("publish", rejected.findings, output.output, shown, bundle=shown)
    stderr(f"cookbook-tool publish: error: {rejected.message}")
    return code


def releases(
    target: TargetRequest,
    name: str = NAME_OPTION,
    output: PublishFormat = PUBLISH_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """List the releases at a target, newest first, the current one marked.

    Example:  cookbook-tool releases --to s3://my-bucket/stack --format json
    """

    def body() -> int:
        from cookbook_tool.publish.configured import resolve_target

        to, options = resolve_target(target)
        from cookbook_tool.cli.publish_render import document, release_json, releases_text
        from cookbook_tool.publish.service import list_releases

        found = list_releases(to, options, name)
        if output is PublishFormat.JSON:
            emit_json(document("releases", target=found.target, name=name, current=found.current,
                               retention=options.retention,
                               releases=[release_json(r) for r in found.releases]))
        else:
            text = releases_text(found.target, name, found.releases, options.retention)
            emit_lines(text)
        return EXIT_OK

    run("releases", output.output, debug, guarded(body))


def rollback(
    target: TargetRequest,
    version: str = typer.Argument(..., help="The kept release to make current again."),
    name: str = NAME_OPTION,
    output: PublishFormat = PUBLISH_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Make a kept release current again (server-side copy; the history records it).

    Example:  cookbook-tool rollback 1.3.0 --to s3://my-bucket/stack
    """

    def body() -> int:
        from cookbook_tool.publish.configured import resolve_target

        to, options = resolve_target(target)
        from cookbook_tool.cli.publish_render import consumer_text, document, release_json
        from cookbook_tool.publish.service import rollback_release

        result = rollback_release(to, options, name, version)
        if output is PublishFormat.JSON:
            emit_json(document("rollback", target=result.target,
                               release=release_json(result.release),
                               consumer=asdict(result.consumer)))
        else:
            lines = [f"{result.target}: {name} {version} is current again"]
            emit_lines(lines + consumer_text(result.consumer))
        return EXIT_OK

    run("rollback", output.output, debug, guarded(body))


def prune(
    target: TargetRequest,
    name: str = NAME_OPTION,
    keep: int | None = typer.Option(
        None, "--keep", min=1,
        help="Releases to keep [default: the target's retention from cookbook-tool.toml, or 5]."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print what would be deleted."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting."),
    output: PublishFormat = PUBLISH_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Delete releases beyond the newest N (never the current one), after printing them.

    Exactly the printed releases are deleted: if the history changed meanwhile, nothing is.

    Example:  cookbook-tool prune --to s3://my-bucket/stack --keep 3 --dry-run
    """

    def body() -> int:
        from cookbook_tool.publish.configured import resolve_target

        to, options = resolve_target(target)
        from cookbook_tool.cli.publish_render import document, prune_plan_text, release_json
        from cookbook_tool.publish.service import prune_releases

        plan = prune_releases(to, options, name, keep, dry_run=True)
        text = output is PublishFormat.TEXT
        if text:
            emit_lines(prune_plan_text(plan.target, name, plan.deleted, plan.keep))
        result = plan
        if plan.deleted and not dry_run:
            if text and not yes and sys.stdin.isatty() and not typer.confirm("Delete them?"):
                raise typer.Exit(1)
            planned = [r.version for r in plan.deleted]
            result = prune_releases(to, options, name, plan.keep, dry_run=False, planned=planned)
            if text:
                deleted = ", ".join(r.version for r in result.deleted) or "nothing"
                emit_lines(f"deleted: {deleted}")
        if not text:
            emit_json(document("prune", target=result.target, name=name, keep=result.keep,
                               dry_run=dry_run, deleted=[release_json(r) for r in result.deleted]))
        return EXIT_OK

    run("prune", output.output, debug, guarded(body))


def register(app: typer.Typer) -> None:
    app.command("publish")(with_target(publish))
    app.command("releases")(with_target(releases))
    app.command("rollback")(with_target(rollback))
    app.command("prune")(with_target(prune, exclude=("retention",)))
