"""The ``cookbook-tool`` Typer application. Each command lives in its own module under
``cookbook_tool.cli`` and registers itself through ``register(app)``; command modules import
the core lazily so that start-up stays fast."""

from __future__ import annotations

import importlib
import sys

import click
import typer

from cookbook_tool import __version__
from cookbook_tool.cli.output import JSON_DOCUMENT_VERSION, VERBOSITY, emit_json
from cookbook_tool.errors import EXIT_USAGE

# A new command is one module with a ``register(app)`` function and one line here.
_COMMAND_MODULES = (
    "cookbook_tool.cli.validate",
    "cookbook_tool.cli.schemas",
    "cookbook_tool.cli.layers",
    "cookbook_tool.cli.new",
    "cookbook_tool.cli.bundle",
    "cookbook_tool.cli.lock",
    "cookbook_tool.cli.verify",
    "cookbook_tool.cli.publish",
    "cookbook_tool.cli.promote",
    "cookbook_tool.cli.diff",
    "cookbook_tool.cli.release",
    "cookbook_tool.cli.migrate",
)

app = typer.Typer(
    name="cookbook-tool",
    help="Validate, bundle and publish Chef cookbooks for OpsWorks layers, Systems Manager "
    "and chef-solo.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"cookbook-tool {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only results and errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also timings and details."),
) -> None:
    """Validate, bundle and publish Chef cookbooks."""
    VERBOSITY["level"] = 0 if quiet else 2 if verbose else 1


for _module in _COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. Usage errors exit 2 — in ``--format json`` mode still as one JSON document."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, prog_name="cookbook-tool", standalone_mode=False)
    except click.exceptions.UsageError as exc:
        if _wants_json(args) and _has_format_option(exc.ctx):
            command = exc.ctx.command.name if exc.ctx and exc.ctx.command else "cookbook-tool"
            emit_json({"version": JSON_DOCUMENT_VERSION, "command": command, "ok": False,
                       "error": {"type": "UsageError", "message": exc.format_message(),
                                 "exit_code": EXIT_USAGE}})
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        sys.stderr.write("cookbook-tool: interrupted\n")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _has_format_option(ctx: click.Context | None) -> bool:
    """Whether the command that failed takes ``--format`` at all."""
    command = ctx.command if ctx is not None else None
    return command is not None and any("--format" in p.opts for p in command.params)


def _wants_json(args: list[str]) -> bool:
    """Whether the command line asked for JSON output (``--format json``, ``-f json``...)."""
    for index, arg in enumerate(args):
        if arg in ("--format", "-f") and index + 1 < len(args):
            if args[index + 1].lower() == "json":
                return True
        elif arg.lower() in ("--format=json", "-fjson"):
            return True
    return False
