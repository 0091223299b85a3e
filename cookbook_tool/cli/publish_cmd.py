"""``publish``, ``releases``, ``rollback`` and ``prune``: put a bundle at a target (s3://,
file://, a directory, a Git URL), list its history, make an older release current again,
delete old releases. The core lives in ``cookbook_tool.publish.service`` (imported lazily)."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import typer

from cookbook_tool.cli.output import DEBUG_OPTION, FORMAT_OPTION, OutputFormat, emit_json, run
from cookbook_tool.errors import EXIT_OK, UsageError
from cookbook_tool.publish.base import TargetOptions

NAME_OPTION = typer.Option("cookbooks", "--name", help="Bundle name (the manifest's name).")
_K = inspect.Parameter.KEYWORD_ONLY

# Every TargetOptions field as an option, shared by the four commands: (name, type, Option).
_TARGET_PARAMETERS: list[tuple[str, Any, Any]] = [
    ("to", str, typer.Option(..., "--to", help="Target: s3://BUCKET[/PREFIX], file://DIR, a "
                             "directory, a Git URL, or a target name from cookbook-tool.toml.")),
    ("profile", str | None, typer.Option(None, "--profile", help="AWS profile.")),
    ("region", str | None, typer.Option(None, "--region", help="AWS region of the bucket.")),
    ("endpoint_url", str | None, typer.Option(
        None, "--endpoint-url", help="S3-compatible endpoint (default: AWS_ENDPOINT_URL).")),
    ("sse", str | None, typer.Option(None, "--sse", help="Server-side encryption: AES256 or "
                                     "aws:kms.")),
    ("sse_kms_key_id", str | None, typer.Option(None, "--sse-kms-key-id", help="KMS key for "
                                                "--sse aws:kms.")),
    ("presign_seconds", int | None, typer.Option(
        None, "--presign", metavar="SECONDS", min=1, help="Add a presigned URL valid this long.")),
    ("branch", str | None, typer.Option(None, "--branch", help="Git target: branch to push.")),
    ("ssh_key", Path | None, typer.Option(None, "--ssh-key", help="Git target: SSH key file.")),
    ("known_hosts", Path | None, typer.Option(
        None, "--known-hosts", help="Git target: known_hosts file.")),
    ("tag_pattern", str | None, typer.Option(
        None, "--tag-pattern",
        help="Git target: release tag pattern [default: {name}-{version}].")),
    ("token_env", str | None, typer.Option(
        None, "--token-env", help="Git target: environment variable holding an HTTPS token.")),
    ("author_name", str | None, typer.Option(None, "--author-name", help="Git commit author.")),
    ("author_email", str | None, typer.Option(None, "--author-email", help="Git author email.")),
    ("retention", int | None, typer.Option(
        None, "--retention", min=1, help="Releases to keep [default: the configuration's, or 5].")),
]
_TARGET_NAMES = [name for name, _, _ in _TARGET_PARAMETERS]


@dataclass(frozen=True)
class Target:
    """``--to`` and the target options as given; ``resolve()`` inside the command body."""

    to: str
    values: dict[str, Any]

    def resolve(self) -> tuple[str, TargetOptions]:
        """A configured target name (``[targets.NAME]``) or a URL/path, with its options."""
        if "://" not in self.to and "/" not in self.to and "@" not in self.to:
            from cookbook_tool.config import find_config, load_config
            from cookbook_tool.publish.configured import configured_target

            found = find_config(Path.cwd())
            config = load_config(found) if found else None
            if config is not None and self.to in config.targets:
                return configured_target(config, self.to, self.values)
        given = {k: v for k, v in self.values.items() if v is not None}
        return self.to, TargetOptions(**given)


def with_target(command: Callable[..., None]) -> Callable[..., None]:
    """Add the target options to ``command``'s signature; it receives ``target: Target``."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "target"]
    extra = [inspect.Parameter(n, _K, default=o, annotation=t) for n, t, o in _TARGET_PARAMETERS]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        values = {name: kwargs.pop(name) for name in _TARGET_NAMES}
        command(target=Target(values.pop("to"), values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + extra)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {k: v for k, v in command.__annotations__.items() if k != "target"}
    return wrapper


def publish(
    target: Target,
    bundle: Path = typer.Argument(..., help="The bundle archive (.tar.gz or .zip)."),
    force_current: bool = typer.Option(
        False, "--force-current", help="Make this version current even if it is already "
        "published or older than the current one (never rewrites a release)."),
    source_commit: str | None = typer.Option(
        None, "--source-commit", help="Record this Git commit with the release."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Publish a bundle: an immutable release, the current archive and the release history."""

    def body() -> int:
        _check_format(output)
        to, options = target.resolve()
        from cookbook_tool.cli.publish_render import document, progress_bar, publish_text
        from cookbook_tool.publish.service import publish_bundle

        show = output is OutputFormat.TEXT and not no_progress
        with progress_bar(show, f"uploading {bundle.name}") as on_progress:
            result = publish_bundle(
                str(bundle), to, options, source_commit=source_commit,
                force_current=force_current, on_progress=on_progress,
            )
        if output is OutputFormat.JSON:
            emit_json(document("publish", result=asdict(result)))
        else:
            sys.stdout.write(publish_text(result) + "\n")
        return EXIT_OK

    run("publish", output, debug, body)


def releases(
    target: Target,
    name: str = NAME_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """List the releases at a target, newest first, the current one marked."""

    def body() -> int:
        _check_format(output)
        to, options = target.resolve()
        from cookbook_tool.cli.publish_render import document, release_json, releases_text
        from cookbook_tool.publish.service import list_releases

        found = list_releases(to, options, name)
        if output is OutputFormat.JSON:
            emit_json(document("releases", target=found.target, name=name, current=found.current,
                               retention=options.retention,
                               releases=[release_json(r) for r in found.releases]))
        else:
            text = releases_text(found.target, name, found.releases, options.retention)
            sys.stdout.write(text + "\n")
        return EXIT_OK

    run("releases", output, debug, body)


def rollback(
    target: Target,
    version: str = typer.Argument(..., help="The kept release to make current again."),
    name: str = NAME_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Make a kept release current again (server-side copy; the history records it)."""

    def body() -> int:
        _check_format(output)
        to, options = target.resolve()
        from cookbook_tool.cli.publish_render import consumer_text, document, release_json
        from cookbook_tool.publish.service import rollback_release

        result = rollback_release(to, options, name, version)
        if output is OutputFormat.JSON:
            emit_json(document("rollback", target=result.target,
                               release=release_json(result.release),
                               consumer=asdict(result.consumer)))
        else:
            lines = [f"{result.target}: {name} {version} is current again"]
            sys.stdout.write("\n".join(lines + consumer_text(result.consumer)) + "\n")
        return EXIT_OK

    run("rollback", output, debug, body)


def prune(
    target: Target,
    name: str = NAME_OPTION,
    keep: int | None = typer.Option(
        None, "--keep", min=1, help="Releases to keep (default: --retention, 5)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print what would be deleted."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting."),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Delete releases beyond the newest N (never the current one), after printing them."""

    def body() -> int:
        _check_format(output)
        to, options = target.resolve()
        from cookbook_tool.cli.publish_render import document, prune_plan_text, release_json
        from cookbook_tool.publish.service import prune_releases

        plan = prune_releases(to, options, name, keep, dry_run=True)
        text = output is OutputFormat.TEXT
        if text:
            sys.stdout.write(prune_plan_text(plan.target, name, plan.deleted, plan.keep) + "\n")
        result = plan
        if plan.deleted and not dry_run:
            if text and not yes and sys.stdin.isatty() and not typer.confirm("Delete them?"):
                raise typer.Exit(1)
            result = prune_releases(to, options, name, keep, dry_run=False)
            if text:
                deleted = ", ".join(r.version for r in result.deleted) or "nothing"
                sys.stdout.write(f"deleted: {deleted}\n")
        if not text:
            emit_json(document("prune", target=result.target, name=name, keep=result.keep,
                               dry_run=dry_run, deleted=[release_json(r) for r in result.deleted]))
        return EXIT_OK

    run("prune", output, debug, body)


def _check_format(output: OutputFormat) -> None:
    if output not in (OutputFormat.TEXT, OutputFormat.JSON):
        raise UsageError(f"--format {output.value} is not available here: use text or json")


def register(app: typer.Typer) -> None:
    app.command("publish")(with_target(publish))
    app.command("releases")(with_target(releases))
    app.command("rollback")(with_target(rollback))
    app.command("prune")(with_target(prune))
