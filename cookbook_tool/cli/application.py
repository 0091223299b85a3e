"""The Typer application of ``cookbook-tool``: the root options, and the registration of the
command modules a run needs (see :mod:`cookbook_tool.cli.app`)."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer

from cookbook_tool import __version__
from cookbook_tool.cli.app import COMMAND_MODULES, COMMANDS
from cookbook_tool.cli.output import VERBOSITY


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
    for module in COMMAND_MODULES:
        if module in wanted:
            importlib.import_module(module).register(application)


def _modules_for(argv: list[str]) -> set[str]:
    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if completing or name not in COMMANDS or "--help" in argv[: argv.index(name)]:
        return set(COMMAND_MODULES)
    return {COMMANDS[name]}


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
