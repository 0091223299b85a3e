"""The ``cookbook-tool`` Typer application. Each command lives in its own module under
``cookbook_tool.cli`` and registers itself through ``register(app)``; command modules import
the core lazily so that start-up stays fast.

A run registers only the module of the command it names (``_COMMANDS``: command name ->
module): ``validate --schema`` in a pre-commit hook does not import, nor build the options of,
the fifteen commands it does not run. Anything else (no command, ``--help``, a name that is no
command, shell completion) registers every module, in the table's order, so the root help,
the completion and "No such command" are those of the whole application.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click
import typer

from cookbook_tool import __version__
from cookbook_tool.cli.output import JSON_DOCUMENT_VERSION, VERBOSITY, emit_json
from cookbook_tool.errors import EXIT_USAGE

# A new command is one module with a ``register(app)`` function and its names here (in the
# order the modules register; tests/test_entry_point.py checks the names against them).
_COMMANDS = {
    "validate": "cookbook_tool.cli.validate",
    "schemas": "cookbook_tool.cli.schemas",
    "layers": "cookbook_tool.cli.layers",
    "runlist": "cookbook_tool.cli.layers",
    "new": "cookbook_tool.cli.new",
    "bundle": "cookbook_tool.cli.bundle",
    "lock": "cookbook_tool.cli.lock",
    "verify": "cookbook_tool.cli.verify",
    "publish": "cookbook_tool.cli.publish",
    "releases": "cookbook_tool.cli.publish",
    "rollback": "cookbook_tool.cli.publish",
    "prune": "cookbook_tool.cli.publish",
    "promote": "cookbook_tool.cli.promote",
    "diff": "cookbook_tool.cli.diff",
    "release": "cookbook_tool.cli.release",
    "migrate": "cookbook_tool.cli.migrate",
}
_COMMAND_MODULES = tuple(dict.fromkeys(_COMMANDS.values()))


class _Application(typer.Typer):
    """Registers, before each run, the command modules that run needs (see the module doc)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        register_commands(self, sys.argv[1:] if argv is None else list(argv))
        return super().__call__(*args, **kwargs)


def register_commands(application: typer.Typer, argv: list[str]) -> None:
    """Register the modules of the command ``argv`` names (all of them when it names none)."""
    wanted = _modules_for(argv)
    application.registered_commands = []
    application.registered_groups = []
    for module in _COMMAND_MODULES:
        if module in wanted:
            importlib.import_module(module).register(application)


def _modules_for(argv: list[str]) -> set[str]:
    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if completing or name not in _COMMANDS or "--help" in argv[: argv.index(name)]:
        return set(_COMMAND_MODULES)
    return {_COMMANDS[name]}


app = _Application(
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
