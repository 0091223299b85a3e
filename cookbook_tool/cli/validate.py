"""``cookbook-tool validate``: check cookbooks (and custom JSON) and report findings."""

from __future__ import annotations

from pathlib import Path

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    EXTERNAL_OPTION,
    EXTERNAL_PRESET_OPTION,
    FORMAT_OPTION,
    OutputFormat,
    run,
)

HELP = """Check cookbook layout, metadata, dependencies, recipes and secrets.

PATH may be a repository (cookbooks at its top level or under cookbooks/), one cookbook, or
files inside cookbooks (as pre-commit passes them): then only the cookbooks holding those files
are reported, while dependencies are resolved against the whole repository.

With --schema, the given files are checked against that JSON Schema (a folder stands for the
*.json files under it, hidden folders skipped; FIFOs and devices are refused); without it, JSON
files are checked against the schemas cookbook-tool.toml maps them to ([[schemas]]). Naming
cookbook-tool.toml checks everything; naming a mapping's schema file checks every file that
mapping names. A symbolic link is checked where it lies, never where it points.

\b
Examples:
  cookbook-tool validate sample_cookbooks/opsworks-stack --format json
  cookbook-tool validate --schema opsworks-custom-json stack/custom.json
  cookbook-tool validate --schema opsworks-custom-json stack/
  cookbook-tool validate . --external-preset opsworks-chef-11.10 --external apt
"""


def register(app: typer.Typer) -> None:
    app.command("validate", help=HELP)(validate)


def validate(
    paths: list[Path] = typer.Argument(None, help="Repositories, cookbooks or files to check."),
    config: Path | None = typer.Option(None, "--config", help="Use this cookbook-tool.toml."),
    schema: str | None = typer.Option(
        None, "--schema", "-s",
        help="Check the given files against this schema: a built-in name "
        "(see `cookbook-tool schemas list`), a schema $id, or a path.",
    ),
    skip_json: bool = typer.Option(False, "--skip-json", help="Only check cookbooks."),
    only_json: bool = typer.Option(False, "--only-json", help="Only check custom JSON files."),
    external: list[str] = EXTERNAL_OPTION,
    presets: list[str] = EXTERNAL_PRESET_OPTION,
    output: OutputFormat = FORMAT_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when all is well."),
    debug: bool = DEBUG_OPTION,
) -> None:
    def body() -> int:
        from cookbook_tool.errors import UsageError

        if skip_json and (only_json or schema):
            raise UsageError("--skip-json cannot be combined with --only-json or --schema")
        cwd = Path.cwd()
        if schema is not None:
            from cookbook_tool.cli.plain_validate import check_schema

            return check_schema(schema, tuple(paths or ()), cwd, config, output, quiet)
        from cookbook_tool.cli.plain_validate import check_cookbooks

        return check_cookbooks(
            tuple(paths or ()), cwd, config, output, quiet, skip_json=skip_json,
            only_json=only_json, external=tuple(external), presets=tuple(presets),
        )

    run("validate", output, debug, body)
