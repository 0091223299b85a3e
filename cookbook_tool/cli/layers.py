"""``cookbook-tool layers`` and ``cookbook-tool runlist``: what layers run, for OpsWorks and
Systems Manager."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    RESULT_FORMAT_OPTION,
    OutputFormat,
    ResultFormat,
    emit_json,
    finding_to_json,
    relative_findings,
    run,
    stderr,
)
from cookbook_tool.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Collection

    from cookbook_tool.config.load import Config
    from cookbook_tool.findings import Finding

CONFIG_OPTION = typer.Option(None, "--config", help="Use this cookbook-tool.toml.")

LAYERS_HELP = """Print each layer's CustomRecipes, for `aws opsworks update-layer`.

Every recipe is looked up in the repository's cookbooks: a missing one is reported on stderr
(with a "did you mean") and the exit code is 1; the output is printed all the same.

Example:  cookbook-tool layers --format json
"""
RUNLIST_HELP = """Print the ordered run list an instance in these layers executes on an event.

Each layer's recipes run in order, layer after layer; a recipe already in the list is not
repeated (as Chef expands a run list). Also printed as the RunList parameter of Systems
Manager's AWS-ApplyChefRecipes. A recipe missing from the repository's cookbooks is reported
on stderr and the exit code is 1 (the run list is printed all the same).

Example:  cookbook-tool runlist --layer java-app --layer node-app --event deploy
"""


def register(app: typer.Typer) -> None:
    app.command("layers", help=LAYERS_HELP)(layers)
    app.command("runlist", help=RUNLIST_HELP)(runlist)


def _missing_recipes(
    config: Config, layers: Collection[str] | None = None, event: str | None = None
) -> list[Finding]:
    from cookbook_tool.validate.layers import missing_recipes

    cwd = Path.cwd()
    return relative_findings(missing_recipes(config, cwd, layers, event), cwd)


def _report_missing(command: str, missing: list[Finding]) -> int:
    """One stderr line per missing recipe; the exit code (1 when any is missing)."""
    for finding in missing:
        where = ":".join(str(p) for p in (finding.file, finding.line) if p is not None)
        stderr(f"cookbook-tool {command}: warning: {where}: [{finding.rule}] {finding.message}")
    return EXIT_FINDINGS if missing else EXIT_OK


def layers(
    config: Path | None = CONFIG_OPTION,
    result_format: ResultFormat = RESULT_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    output = result_format.output

    def body() -> int:
        from cookbook_tool.cookbook.layers import custom_recipes
        from cookbook_tool.validate.layers import layers_config

        settings = layers_config(config, Path.cwd())
        recipes = custom_recipes(settings)
        missing = _missing_recipes(settings)
        if output is OutputFormat.JSON:
            emit_json({"version": 1, "command": "layers", "ok": not missing, "layers": recipes,
                       "findings": [finding_to_json(f) for f in missing]})
        else:
            for name, custom in recipes.items():
                typer.echo(f"# layer {name}")
                typer.echo(
                    "aws opsworks update-layer --layer-id <LAYER_ID> --custom-recipes "
                    f"'{json.dumps(custom, separators=(',', ':'))}'"
                )
        return _report_missing("layers", missing)

    run("layers", output, debug, body)


def runlist(
    layer: list[str] = typer.Option(..., "--layer", "-l", help="A layer (repeatable)."),
    event: str = typer.Option(
        ..., "--event", "-e", help="setup, configure, deploy, undeploy or shutdown."
    ),
    config: Path | None = CONFIG_OPTION,
    result_format: ResultFormat = RESULT_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    output = result_format.output

    def body() -> int:
        from cookbook_tool.cookbook.layers import run_list, ssm_run_list
        from cookbook_tool.validate.layers import layers_config

        settings = layers_config(config, Path.cwd())
        recipes = run_list(settings, layer, event.lower())
        missing = _missing_recipes(settings, layer, event.lower())
        if output is OutputFormat.JSON:
            emit_json({"version": 1, "command": "runlist", "ok": not missing, "layers": layer,
                       "event": event.lower(), "recipes": recipes,
                       "ssm_run_list": ssm_run_list(recipes),
                       "findings": [finding_to_json(f) for f in missing]})
        else:
            for number, recipe in enumerate(recipes, start=1):
                typer.echo(f"{number}. {recipe}")
            if not recipes:
                typer.echo(f"(no custom recipes on {event})")
            typer.echo(f"\nAWS-ApplyChefRecipes RunList: {ssm_run_list(recipes)}")
        return _report_missing("runlist", missing)

    run("runlist", output, debug, body)
