"""``cookbook-tool migrate export|attributes|check``: leaving OpsWorks for Systems Manager."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    FORMAT_OPTION,
    RESULT_FORMAT_OPTION,
    OutputFormat,
    ResultFormat,
    emit_json,
    finding_to_json,
    note,
    relative_findings,
    report_findings,
    run,
    stderr,
)
from cookbook_tool.errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from cookbook_tool.config.load import Config
    from cookbook_tool.findings import Finding
    from cookbook_tool.migrate.plan import TagTarget
    from cookbook_tool.migrate.service import AttributeInputs, ReleaseLookup

EXPORT_HELP = """Generate Systems Manager associations for every layer and lifecycle event.

One State Manager association running AWS-ApplyChefRecipes per layer x event with recipes
(setup, configure, deploy), pinned to the versioned release at the S3 or Git target (never the
moving "current"), targeting instances tagged opsworks-layer=LAYER (--tag to change a layer's
tag), with the stack's custom JSON as JsonAttributesContent and its secrets as
{{ssm-secure:NAME}} references. Undeploy and Shutdown become on-demand commands (stderr, and the
json format). ChefClientVersion defaults to None: Chef's unlicensed downloads were withdrawn
during 2026, so bake Cinc or Chef into the image.

\b
Examples:
  cookbook-tool migrate export --format cloudformation --output ssm.yaml
  cookbook-tool migrate export --target git --version current --format terraform
  cookbook-tool migrate export --format cli --tag node-app=Role=node --parameter WhyRun=True
"""
ATTRIBUTES_HELP = """JsonAttributesContent per layer from custom JSON, with each value's origin.

Merges the stack's custom JSON (default: the files [[schemas]] maps to opsworks-custom-json),
the layers' (--layer-json) and a deployment's (--deployment-json) with OpsWorks' precedence,
deployment > layer > stack. Values under secret keys are replaced by {{ssm-secure:NAME}}
references; the aws ssm put-parameter commands that create them read the values from the
files with jq, so no secret is printed. A value over 4 KB needs the Advanced tier; over 8 KB
it cannot be a parameter (exit 1).

Example:  cookbook-tool migrate attributes --layer-json java-app=stack/java.json --format json
"""
CHECK_HELP = """Report what in the cookbooks fails outside OpsWorks, as findings.

node[:opsworks] and node[:deploy] (filled by OpsWorks only), the aws_opsworks_* data bags,
the OpsWorks built-in cookbooks (opsworks_*, deploy, scm_helper, ...), and resources and
methods removed by the chosen Chef version (node.set, easy_install_package, deploy_revision,
erl_call, Chef::REST; chef_gem without compile_time). Rules: docs/migrate.md.

Example:  cookbook-tool migrate check --target chef-solo --chef-version 18 --format json
"""

CONFIG_OPTION = typer.Option(None, "--config", help="Use this cookbook-tool.toml.")
STACK_OPTION = typer.Option(
    None, "--stack", help="Stack custom JSON (repeatable) [default: the files mapped to "
    "opsworks-custom-json].")
LAYER_JSON_OPTION = typer.Option(
    None, "--layer-json", help="A layer's custom JSON, LAYER=FILE (repeatable).")
DEPLOYMENT_OPTION = typer.Option(
    None, "--deployment-json", help="A deployment's custom JSON (repeatable).")
PREFIX_OPTION = typer.Option(
    None, "--parameter-prefix", help="Parameter Store path of the secrets [default: /BUNDLE].")


class ExportFormat(StrEnum):
    CLOUDFORMATION = "cloudformation"
    CLOUDFORMATION_JSON = "cloudformation-json"
    TERRAFORM = "terraform"
    CLI = "cli"
    JSON = "json"


class Runner(StrEnum):
    SSM = "ssm"
    CHEF_SOLO = "chef-solo"


def register(app: typer.Typer) -> None:
    migrate = typer.Typer(
        name="migrate", no_args_is_help=True, rich_markup_mode=None,
        help="Leave OpsWorks: Systems Manager associations, attributes and a readiness check.",
    )
    migrate.command("export", help=EXPORT_HELP)(export)
    migrate.command("attributes", help=ATTRIBUTES_HELP)(attributes)
    migrate.command("check", help=CHECK_HELP)(check)
    app.add_typer(migrate)


def _config(path: Path | None) -> Config:
    from cookbook_tool.config.load import resolve_config

    return resolve_config(path, None, Path.cwd())


def _inputs(
    stack: list[Path] | None, layer_json: list[str] | None, deployment: list[Path] | None,
    prefix: str | None,
) -> AttributeInputs:
    from cookbook_tool.errors import UsageError
    from cookbook_tool.migrate.service import AttributeInputs

    layers: dict[str, tuple[Path, ...]] = {}
    for item in layer_json or ():
        layer, sep, file = item.partition("=")
        if not (sep and layer and file):
            raise UsageError(f"--layer-json {item!r}: use LAYER=FILE")
        layers[layer] = (*layers.get(layer, ()), Path(file))
    return AttributeInputs(tuple(stack) if stack else None, layers, tuple(deployment or ()),
                           prefix)


def _warn(command: str, findings: list[Finding]) -> None:
    for finding in relative_findings(findings, Path.cwd()):
        where = ":".join(str(p) for p in (finding.file, finding.line, finding.column) if p)
        stderr(f"cookbook-tool {command}: {finding.severity.value}: {where}: "
               f"[{finding.rule}] {finding.message}")


def export(
    target: str | None = typer.Option(None, "--target", "-t",
                                      help="The S3 or Git target [default: the only one]."),
    version: str | None = typer.Option(
        None, "--version",
        help="The released version, or 'current' (asked of the target) [default: [bundle] "
        "version, else current]."),
    commit: str | None = typer.Option(
        None, "--commit",
        help="Git targets: the release tag's commit (40 hex) [default: asked of the target]."),
    output_format: ExportFormat = typer.Option(ExportFormat.CLOUDFORMATION, "--format", "-f",
                                               case_sensitive=False, help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    tag: list[str] = typer.Option(None, "--tag", help="A layer's target tag, LAYER=KEY=VALUE."),
    tag_key: str = typer.Option("opsworks-layer", "--tag-key",
                                help="Tag key of the default targets (value: the layer)."),
    parameter: list[str] = typer.Option(None, "--parameter", "-p",
                                        help="A document parameter, NAME=VALUE (repeatable)."),
    ssh_key_parameter: str = typer.Option("cookbook-deploy-key", "--ssh-key-parameter",
                                          help="SecureString holding the Git deploy key."),
    no_attributes: bool = typer.Option(False, "--no-attributes",
                                       help="No JsonAttributesContent."),
    offline: bool = typer.Option(False, "--offline",
                                 help="Never ask the target (give --version, and --commit for "
                                 "Git)."),
    stack: list[Path] = STACK_OPTION,
    layer_json: list[str] = LAYER_JSON_OPTION,
    deployment_json: list[Path] = DEPLOYMENT_OPTION,
    parameter_prefix: str | None = PREFIX_OPTION,
    config: Path | None = CONFIG_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    shown = OutputFormat.JSON if output_format is ExportFormat.JSON else OutputFormat.TEXT

    def body() -> int:
        from cookbook_tool.migrate.formats import RENDERERS
        from cookbook_tool.migrate.plan import ExportSettings
        from cookbook_tool.migrate.service import ExportRequest, export_plan

        settings = ExportSettings(tag_key, dict(_tags(tag)), _parameters(parameter))
        inputs = None if no_attributes else _inputs(stack, layer_json, deployment_json,
                                                    parameter_prefix)
        loaded = _config(config)
        request = ExportRequest(target, version, commit, ssh_key_parameter, settings, inputs,
                                None if offline else _lookup(loaded))
        plan = export_plan(loaded, request, Path.cwd())
        _warn("migrate export", list(plan.findings))
        if any(f.is_error for f in plan.findings):
            stderr("cookbook-tool migrate export: nothing written: fix the errors above")
            return EXIT_FINDINGS
        text = RENDERERS[output_format.value](plan)
        _write(text, output)
        for line in plan.notes:
            note(line)
        for item in plan.on_demand:
            note(f"{item.layer} {item.event}: {item.note}:\n  {item.command()}")
        if plan.secret_parameters:
            note("create these SecureString parameters first (migrate attributes prints the "
                 "commands): " + ", ".join(plan.secret_parameters))
        return EXIT_OK

    run("migrate export", shown, debug, body)


def _lookup(config: Config) -> ReleaseLookup:
    """What the release at a target is, through the publish API (network)."""

    def lookup(name: str, version: str | None) -> tuple[str, str | None]:
        from cookbook_tool.errors import UsageError
        from cookbook_tool.publish.configured import configured_target
        from cookbook_tool.publish.targets import open_publisher

        url, options = configured_target(config, name, cwd=Path.cwd(),
                                         environ=dict(os.environ))
        publisher = open_publisher(url, options)
        if version is None:
            current = next((r for r in publisher.releases(config.bundle_name) if r.current),
                           None)
            if current is None:
                raise UsageError(f"target {name!r} holds no release of {config.bundle_name}: "
                                 "run cookbook-tool release first, or pass --version")
            version = current.version
        commit = publisher.consumer_info(config.bundle_name, version).extra.get("commit")
        return version, commit if isinstance(commit, str) else None

    return lookup


def _tags(items: list[str] | None) -> list[tuple[str, TagTarget]]:
    from cookbook_tool.migrate.plan import parse_layer_tag

    return [parse_layer_tag(item) for item in items or ()]


def _parameters(items: list[str] | None) -> dict[str, str]:
    from cookbook_tool.errors import UsageError

    parameters: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not (sep and name):
            raise UsageError(f"--parameter {item!r}: use NAME=VALUE")
        parameters[name.strip()] = value
    return parameters


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from cookbook_tool.archive.atomic import write_atomically

    write_atomically(output, lambda out: out.write(text.encode()))
    note(f"wrote {output}")


def attributes(
    stack: list[Path] = STACK_OPTION,
    layer_json: list[str] = LAYER_JSON_OPTION,
    deployment_json: list[Path] = DEPLOYMENT_OPTION,
    parameter_prefix: str | None = PREFIX_OPTION,
    config: Path | None = CONFIG_OPTION,
    result_format: ResultFormat = RESULT_FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    output = result_format.output

    def body() -> int:
        from cookbook_tool.migrate.service import layer_attributes

        inputs = _inputs(stack, layer_json, deployment_json, parameter_prefix)
        result = layer_attributes(_config(config), inputs, Path.cwd())
        findings = relative_findings(result.findings, Path.cwd())
        failed = any(f.is_error for f in findings)
        if output is OutputFormat.JSON:
            emit_json({"version": 1, "command": "migrate attributes", "ok": not failed,
                       **result.to_json(), "findings": [finding_to_json(f) for f in findings]})
        else:
            _warn("migrate attributes", findings)
            _attributes_text(result)
        return EXIT_FINDINGS if failed else EXIT_OK

    run("migrate attributes", output, debug, body)


def _attributes_text(result: object) -> None:
    from cookbook_tool.migrate.attributes import AttributesResult

    assert isinstance(result, AttributesResult)
    for name, layer in result.layers.items():
        typer.echo(f"# layer {name}: JsonAttributesContent ({len(layer.json.encode())} bytes)")
        typer.echo(layer.json)
        for path, source in layer.sources.items():
            typer.echo(f"#   {path}  <- {source}")
    if result.parameters:
        typer.echo("# Parameter Store: create once (values are read from the files, never "
                   "printed)")
        for parameter in result.parameters:
            typer.echo(parameter.command())


def check(
    path: Path | None = typer.Argument(None, help="The repository [default: the configuration's]."),
    runner: Runner = typer.Option(Runner.SSM, "--target", case_sensitive=False,
                                  help="What runs the recipes: ssm (AWS-ApplyChefRecipes) or "
                                  "chef-solo."),
    chef_version: int = typer.Option(18, "--chef-version", help="Chef major version, 11 to 18."),
    config: Path | None = CONFIG_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    def body() -> int:
        from cookbook_tool.config.load import resolve_config
        from cookbook_tool.migrate.service import readiness_check

        cwd = Path.cwd()
        settings = resolve_config(config, path, cwd)
        root = path or settings.base_dir or cwd
        findings = readiness_check(settings, root, runner.value, chef_version, cwd)
        return report_findings("migrate check", relative_findings(findings, cwd), output,
                               str(root), runner=runner.value, chef_version=chef_version)

    run("migrate check", output, debug, body)
