"""``cookbook-tool new cookbook NAME`` and ``cookbook-tool new config``."""

from __future__ import annotations

from pathlib import Path

import typer

from cookbook_tool.cli.output import DEBUG_OPTION, OutputFormat, run
from cookbook_tool.text import printable

new_app = typer.Typer(
    help="Create a cookbook or a configuration file.\n\n"
    "Example:  cookbook-tool new cookbook webapp",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(new_app, name="new")


@new_app.command("cookbook")
def new_cookbook(
    name: str = typer.Argument(
        ...,
        help="The cookbook's name (also its folder): lower-case letters, digits, '_' and '-', "
        "at most 255 characters.",
    ),
    path: Path = typer.Option(
        None, "--path", help="Folder to create it in (default: cookbooks/ if present, else .)."
    ),
    maintainer: str = typer.Option("Your Team", "--maintainer"),
    email: str = typer.Option("team@example.com", "--email"),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Scaffold a cookbook that passes `validate`.

    Example:  cookbook-tool new cookbook webapp
    """

    def body() -> int:
        from cookbook_tool.cookbook.scaffold import new_cookbook as scaffold

        parent = path or (Path("cookbooks") if Path("cookbooks").is_dir() else Path("."))
        for written in scaffold(parent, name, maintainer, email):
            typer.echo(f"created {printable(str(written))}")
        return 0

    run("new", OutputFormat.TEXT, debug, body)


@new_app.command("config")
def new_config(
    path: Path = typer.Option(Path("."), "--path", help="Folder to write it in."),
    debug: bool = DEBUG_OPTION,
) -> None:
    """Write a commented cookbook-tool.toml.

    Example:  cookbook-tool new config
    """

    def body() -> int:
        from cookbook_tool.cookbook.scaffold import new_config as scaffold

        config, *ignore = scaffold(path)
        typer.echo(f"created {printable(str(config))}")
        for changed in ignore:
            typer.echo(f"added out/ (bundles, local releases) to {printable(str(changed))}")
        return 0

    run("new", OutputFormat.TEXT, debug, body)
