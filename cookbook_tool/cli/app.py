"""The ``cookbook-tool`` Typer application. Each command lives in its own module under
``cookbook_tool.cli`` and registers itself through ``register(app)``; command modules import
the core lazily so that start-up stays fast."""

from __future__ import annotations

import importlib

import typer

from cookbook_tool import __version__

# A new command is one module with a ``register(app)`` function and one line here.
_COMMAND_MODULES = (
    "cookbook_tool.cli.validate_cmd",
    "cookbook_tool.cli.schemas_cmd",
    "cookbook_tool.cli.layers_cmd",
    "cookbook_tool.cli.new_cmd",
    "cookbook_tool.cli.bundle_cmd",
    "cookbook_tool.cli.verify_cmd",
    "cookbook_tool.cli.publish_cmd",
    "cookbook_tool.cli.release_cmd",
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
) -> None:
    """Validate, bundle and publish Chef cookbooks."""


for _module in _COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    app()
