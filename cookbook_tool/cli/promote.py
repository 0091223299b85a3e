"""``promote``: copy one released version from a target to another (blue/green) and make it
current there. The core lives in ``cookbook_tool.publish.promote`` (imported lazily)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

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
    from cookbook_tool.publish.promote import PromoteResult


def promote(
    target: TargetRequest,
    version: str = typer.Argument(..., help="The released version to promote."),
    source: str | None = typer.Option(
        None, "--from", help="The target to copy from (a configured name, a URL or a folder) "
        "[default: promote_from of the --to target in cookbook-tool.toml]."),
    name: str = typer.Option("cookbooks", "--name", help="Bundle name (the manifest's name)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only say what would be copied; nothing is written."),
    output: ResultFormat = RESULT_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Promote a released version to another target: the same bytes, verified, made current.

    S3 to S3 with one set of credentials is a server-side copy. What the destination already
    holds is not uploaded again (exit 0); other bytes under that version are refused (exit 4).
    Target options given here (--endpoint-url, --profile...) apply to both targets.

    Example:  cookbook-tool promote 1.4.0 --from green --to blue
    """

    def body() -> int:
        from cookbook_tool.cli.publish_render import document
        from cookbook_tool.publish.service import promote_to

        result = promote_to(target, source, name, version, dry_run=dry_run)
        if output is ResultFormat.JSON:
            emit_json(document("promote", **_json(result)))
        else:
            emit_lines(_text(result))
        return EXIT_OK

    run("promote", output.output, debug, guarded(body))


def _json(result: PromoteResult) -> dict[str, object]:
    fields = asdict(result)
    published = fields.pop("result")
    fields["consumer"] = published["consumer"] if published else None
    fields["location"] = published["location"] if published else None
    fields["current"] = published["current"] if published else None
    return fields


def _text(result: PromoteResult) -> list[str]:
    from cookbook_tool.cli.publish_render import consumer_text, human_size

    what = f"{result.name} {result.version}"
    if result.dry_run:
        verb = "already at" if result.already_there else "would be copied to"
        return [f"dry run: {what} from {result.source} {verb} {result.destination} and made "
                "current there; nothing written"]
    if result.already_there:
        head = f"{what} is already at {result.destination} (same sha256): nothing uploaded"
    elif result.server_side_copy:
        head = (f"promoted {what} from {result.source} to {result.destination} by server-side "
                "copy (0 B through this machine)")
    else:
        head = (f"promoted {what} from {result.source} to {result.destination} "
                f"({human_size(result.bytes_downloaded)} downloaded, "
                f"{human_size(result.bytes_uploaded)} uploaded)")
    lines = [head, f"sha256 {result.sha256}; current at {result.destination}"]
    if result.result and result.result.consumer:
        lines += consumer_text(result.result.consumer)
    return lines


def register(app: typer.Typer) -> None:
    app.command("promote")(with_target(promote))
