"""``cookbook-tool layers`` and ``cookbook-tool runlist``: what layers run, for OpsWorks and
Systems Manager."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cookbook_tool.cli.output import DEBUG_OPTION, FORMAT_OPTION, OutputFormat, emit_json, run

if TYPE_CHECKING:
    from cookbook_tool.config import Config

CONFIG_OPTION = typer.Option(None, "--config", help="Use this cookbook-tool.toml.")

LAYERS_HELP = """Print each layer's CustomRecipes, for `aws opsworks update-layer`.

Example:  cookbook-tool layers --format json
"""
RUNLIST_HELP = """Print the ordered run list an instance in these layers executes on an event.

Each layer's recipes run in order, layer after layer; a recipe already in the list is not
repeated (as Chef expands a run list). Also printed as the RunList parameter of Systems
Manager's AWS-ApplyChefRecipes.

Example:  cookbook-tool runlist --layer java-app --layer node-app --event deploy
"""


def register(app: typer.Typer) -> None:
    app.command("layers", help=LAYERS_HELP)(layers)
    app.command("runlist", help=RUNLIST_HELP)(runlist)


def _config(path: Path | None) -> Config:
    from cookbook_tool.config import resolve_config
    from cookbook_tool.errors import UsageError

    config = resolve_config(path, None, Path.cwd())
    if config.file is None:
        raise UsageError("no cookbook-tool.toml here or above: run `cookbook-tool new config`")
    if not config.layers:
        raise UsageError(f"{config.file}: no [layers.NAME] tables: add the stack's layers first")
    return config


def layers(
    config: Path | None = CONFIG_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    def body() -> int:
        from cookbook_tool.layers import custom_recipes

        recipes = custom_recipes(_config(config))
        if output is OutputFormat.JSON:
            emit_json({"version": 1, "command": "layers", "ok": True, "layers": recipes})
            return 0
        for name, custom in recipes.items():
            typer.echo(f"# layer {name}")
            typer.echo(
                "aws opsworks update-layer --layer-id <LAYER_ID> --custom-recipes "
                f"'{json.dumps(custom, separators=(',', ':'))}'"
            )
        return 0

    run("layers", output, debug, body)


def runlist(
    layer: list[str] = typer.Option(..., "--layer", "-l", help="A layer (repeatable)."),
    event: str = typer.Option(
        ..., "--event", "-e", help="setup, configure, deploy, undeploy or shutdown."
    ),
    config: Path | None = CONFIG_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    def body() -> int:
        from cookbook_tool.layers import run_list, ssm_run_list

        recipes = run_list(_config(config), layer, event.lower())
        if output is OutputFormat.JSON:
            emit_json({"version": 1, "command": "runlist", "ok": True, "layers": layer,
                       "event": event.lower(), "recipes": recipes,
                       "ssm_run_list": ssm_run_list(recipes)})  # fmt: skip
            return 0
        for number, recipe in enumerate(recipes, start=1):
            typer.echo(f"{number}. {recipe}")
        if not recipes:
            typer.echo(f"(no custom recipes on {event})")
        typer.echo(f"\nAWS-ApplyChefRecipes RunList: {ssm_run_list(recipes)}")
        return 0

    run("runlist", output, debug, body)
