"""``cookbook-tool lock``: resolve community cookbooks and write ``cookbook-tool.lock``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    FORMAT_OPTION,
    JSON_DOCUMENT_VERSION,
    OutputFormat,
    emit_json,
    note,
    run,
)

if TYPE_CHECKING:
    from cookbook_tool.dependencies.locking import LockOutcome
    from cookbook_tool.dependencies.sources import Credentials

HELP = """Resolve the community cookbooks the repository needs and write cookbook-tool.lock.

Dependencies come from the metadata of the repository's cookbooks (`depends`) and from the
[dependencies] table of cookbook-tool.toml; [sources] default names the Supermarket (public,
private, Artifactory or a static mirror). An existing lock is honoured exactly; --update moves
the named cookbooks (all without names) to the newest versions the constraints allow. `bundle`
then vendors the locked cookbooks into the archive. See docs/dependencies.md.

\b
Examples:
  cookbook-tool lock
  cookbook-tool lock --update apt
  cookbook-tool lock --check            # CI / pre-commit: exit 1 when the lock is stale
  cookbook-tool lock --import Berksfile.lock
"""


def register(app: typer.Typer) -> None:
    app.command("lock", help=HELP)(lock)


def lock(
    names: list[str] = typer.Argument(None, help="With --update: the cookbooks to move."),
    repo: Path = typer.Option(Path("."), "--repo", "-C", help="The cookbook repository."),
    update: bool = typer.Option(False, "--update", help="Move within the constraints."),
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 when the lock does not satisfy the metadata."
    ),
    import_file: Path | None = typer.Option(
        None, "--import", metavar="FILE", help="Turn a Berksfile.lock or Policyfile.lock.json "
        "into cookbook-tool.lock.",
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="Download cache [default: $XDG_CACHE_HOME/cookbook-tool or "
        "~/.cache/cookbook-tool].",
    ),
    config_file: Path | None = typer.Option(None, "--config", help="cookbook-tool.toml to use."),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    def body() -> int:
        from cookbook_tool.dependencies.locking import LockSettings, run_lock
        from cookbook_tool.errors import UsageError

        if names and not update:
            raise UsageError("cookbook names are for --update (e.g. lock --update apt)")
        if sum((check, update, import_file is not None)) > 1:
            raise UsageError("--check, --update and --import exclude each other")
        settings = LockSettings(
            repo, Path.cwd(), chosen_cache_dir(cache_dir), config_file, update,
            tuple(names or ()), check, import_file, credentials(),
        )
        return _render(run_lock(settings), output)

    run("lock", output, debug, body)


def chosen_cache_dir(given: Path | None) -> Path:
    from cookbook_tool.dependencies.cache import default_cache_dir

    if given is not None:
        return given.absolute()
    return default_cache_dir(os.environ, Path.home())


def credentials() -> Credentials:
    """Private sources: a token from COOKBOOK_TOOL_SOURCE_TOKEN, logins from netrc."""
    from cookbook_tool.dependencies.sources import Credentials

    netrc = os.environ.get("NETRC")
    return Credentials(
        token=os.environ.get("COOKBOOK_TOOL_SOURCE_TOKEN") or None,
        netrc_file=Path(netrc) if netrc else Path.home() / ".netrc",
        environment=dict(os.environ),
    )


def _render(outcome: LockOutcome, output: OutputFormat) -> int:
    result = outcome.result
    code = 1 if outcome.problems else 0
    if output is OutputFormat.JSON:
        document: dict[str, Any] = {
            "version": JSON_DOCUMENT_VERSION, "command": "lock", "ok": code == 0,
            "lock": str(outcome.path), "problems": outcome.problems,
        }
        if result is not None:
            document["written"] = result.written
            document["changes"] = result.changes
            document["cookbooks"] = {
                name: {"version": e.version, "origin": e.origin, "sha256": e.sha256}
                for name, e in result.lock.cookbooks.items()
            }
        emit_json(document)
        return code
    if outcome.problems:
        for problem in outcome.problems:
            sys.stderr.write(f"{outcome.path}: {problem}\n")
        sys.stderr.write(
            "the lock does not satisfy the metadata: run `cookbook-tool lock` (or "
            "`cookbook-tool lock --update NAME`)\n"
        )
        return 1
    if result is None:
        note(f"{outcome.path}: up to date")
        return 0
    for change in result.changes:
        sys.stdout.write(change + "\n")
    state = "written" if result.written else "up to date"
    note(f"{outcome.path}: {state} ({len(result.lock.cookbooks)} cookbook(s))")
    return 0
