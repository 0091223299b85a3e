"""``diff A B``: what changes between two releases (versions at a target, archives, or a local
repository), exit 0 when equal and 1 when different, like ``diff``. The core lives in
``cookbook_tool.publish.diff`` (imported lazily)."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    RESULT_FORMAT_OPTION,
    ResultFormat,
    emit_json,
    run,
)
from cookbook_tool.cli.signals import guarded
from cookbook_tool.cli.targets import with_target
from cookbook_tool.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from cookbook_tool.compare import ReleaseDiff
    from cookbook_tool.publish.configured import TargetRequest
    from cookbook_tool.publish.diff import DiffReport


def diff(
    target: TargetRequest,
    a: str = typer.Argument(..., help="A version at --to, an archive file, or a repository (.)."),
    b: str = typer.Argument(..., help="The same, for the other side."),
    name: str = typer.Option("cookbooks", "--name", help="Bundle name (the manifest's name)."),
    patch: bool = typer.Option(
        False, "--patch", help="Add unified diffs of changed text files (read only then)."),
    output: ResultFormat = RESULT_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Show what changes between two releases: cookbooks, versions, files, dependencies.

    Exit 0 when both are the same, 1 when they differ.

    Example:  cookbook-tool diff 1.3.0 1.4.0 --to green --patch
    """

    def body() -> int:
        from cookbook_tool.publish.configured import resolve_target
        from cookbook_tool.publish.diff import diff_sides
        from cookbook_tool.publish.targets import open_publisher

        def publisher() -> Any:
            return open_publisher(*resolve_target(target))

        report = diff_sides(
            a, b, cwd=target.cwd, publisher=publisher if target.to else None, name=name,
            patch=patch, source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
        )
        if output is ResultFormat.JSON:
            from cookbook_tool.cli.publish_render import document

            emit_json(document("diff", **_json(report)))
        else:
            sys.stdout.write("\n".join(_text(report)) + "\n")
        return EXIT_OK if report.diff.equal else EXIT_FINDINGS

    run("diff", output.output, debug, guarded(body))


def _json(report: DiffReport) -> dict[str, Any]:
    fields = asdict(report.diff)
    fields["equal"] = report.diff.equal
    for cookbook in fields["cookbooks"]:
        cookbook["dependencies"] = {
            dep: {"a": pair[0], "b": pair[1]} for dep, pair in cookbook["dependencies"].items()
        }
    if report.patches:
        fields["patches"] = report.patches
    return fields


def _text(report: DiffReport) -> list[str]:
    diff: ReleaseDiff = report.diff
    if diff.equal:
        return [f"{diff.a} ({diff.version_a}) and {diff.b} ({diff.version_b}): no difference"]
    lines = [f"--- {diff.a} ({diff.version_a})", f"+++ {diff.b} ({diff.version_b})"]
    for cookbook in diff.cookbooks:
        versions = (cookbook.version_b if cookbook.status == "added" else cookbook.version_a
                    if cookbook.status == "removed"
                    else f"{cookbook.version_a} -> {cookbook.version_b}")
        lines.append(f"{cookbook.status} cookbook {cookbook.name} {versions}")
        for mark, paths in (("+", cookbook.files.added), ("-", cookbook.files.removed),
                            ("~", cookbook.files.changed)):
            lines += [f"  {mark} {path}" for path in paths]
        for dep, (was, now) in cookbook.dependencies.items():
            lines.append(f"  depends {dep}: {was or '(none)'} -> {now or '(none)'}")
    for mark, paths in (("+", diff.other_files.added), ("-", diff.other_files.removed),
                        ("~", diff.other_files.changed)):
        lines += [f"{mark} {path}" for path in paths]
    for path, text in report.patches.items():
        lines.append(text.rstrip("\n") if text else f"Binary or large file {path} differs")
    return lines


def register(app: typer.Typer) -> None:
    app.command("diff")(with_target(diff, to_required=False))
