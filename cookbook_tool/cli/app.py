"""The ``cookbook-tool`` entry point, and the table of its commands (name -> the module that
registers it). Each command lives in its own module under ``cookbook_tool.cli`` and registers
itself through ``register(app)`` on the Typer application (:mod:`cookbook_tool.cli.application`,
made on first use); command modules import the core lazily so that start-up stays fast.

A run registers only the module of the command it names: ``validate --schema`` in a
pre-commit hook does not import, nor build the options of, the fifteen commands it does not
run; and a plain ``validate`` command line (``--schema``, ``--skip-json``, ``--only-json`` and
files, :mod:`cookbook_tool.cli.plain_validate`) runs without typer or click at all. Anything
else (no command, ``--help``, a name that is no command, shell completion) registers every
module, in the table's order, so the root help, the completion and "No such command" are those
of the whole application.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

# A new command is one module with a ``register(app)`` function and its names here (in the
# order the modules register; tests/test_entry_point.py checks the names against them).
COMMANDS = {
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
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))




def __getattr__(name: str) -> Any:
    """``app``: the Typer application, made (typer imported) when first asked for."""
    if name == "app":
        from cookbook_tool.cli.application import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. Usage errors exit 2 — in ``--format json`` mode still as one JSON document."""
    args = sys.argv[1:] if argv is None else argv
    from cookbook_tool.cli.plain_validate import run_plain

    plain = run_plain(args)
    if plain is not None:
        if argv is None:  # the process ends here: see _ending
            _ending()
        sys.exit(plain)
    import click

    from cookbook_tool.cli.application import app
    from cookbook_tool.cli.output import JSON_DOCUMENT_VERSION, emit_json
    from cookbook_tool.errors import EXIT_USAGE

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


def _ending() -> None:
    """Before a plain run's process exits: freeze what the collector tracks, so that the
    interpreter's collections at exit skip it (a full pass over every module, class and model
    object of the run, some 2 ms of a pre-commit hook). Nothing the run made needs a finalizer
    then: it wrote only to stdout and stderr, which the interpreter flushes itself."""
    import gc

    gc.freeze()


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
