"""``cookbook-tool schemas list|show``: the built-in JSON schemas."""

from __future__ import annotations

import json
import sys

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    JSON_DOCUMENT_VERSION,
    RESULT_FORMAT_OPTION,
    OutputFormat,
    ResultFormat,
    emit_json,
    run,
)

NAME_ARGUMENT = typer.Argument(..., help="A built-in schema name (see `schemas list`) or its $id.")


def register(app: typer.Typer) -> None:
    schemas = typer.Typer(
        help="List and show the built-in JSON schemas (custom JSON, metadata.json, the "
        "configuration file).\n\nExample:  cookbook-tool schemas show opsworks-deploy-app",
        no_args_is_help=True,
    )

    @schemas.command("list")
    def list_command(
        result_format: ResultFormat = RESULT_FORMAT_OPTION, debug: bool = DEBUG_OPTION
    ) -> None:
        """List the built-in schemas: name, title and $id.

        Example: cookbook-tool schemas list --format json
        """
        output = result_format.output
        run("schemas list", output, debug, lambda: _list(output))

    @schemas.command("show")
    def show_command(
        name: str = NAME_ARGUMENT,
        result_format: ResultFormat = RESULT_FORMAT_OPTION,
        debug: bool = DEBUG_OPTION,
    ) -> None:
        """Print a built-in schema as JSON, to read it or to save it next to your own schemas.
        With --format json, the schema is the "schema" key of the standard JSON document.

        Example: cookbook-tool schemas show opsworks-deploy-app > deploy-app.json
        """
        output = result_format.output
        run("schemas show", output, debug, lambda: _show(name, output))

    app.add_typer(schemas, name="schemas")


def _list(output: OutputFormat) -> int:
    from cookbook_tool.customjson.schemastore import list_schemas

    found = list_schemas()
    if output is OutputFormat.JSON:
        emit_json({
            "version": JSON_DOCUMENT_VERSION,
            "command": "schemas list",
            "ok": True,
            "schemas": [{"name": s.name, "title": s.title, "id": s.id,
                         "description": s.description} for s in found],
        })
        return 0
    width = max(len(s.name) for s in found)
    title_width = max(len(s.title) for s in found)
    for s in found:
        sys.stdout.write(f"{s.name:<{width}}  {s.title:<{title_width}}  {s.id}\n")
    return 0


def _show(name: str, output: OutputFormat) -> int:
    from cookbook_tool.customjson.schemastore import list_schemas, load_schema

    schema = load_schema(name)
    if output is OutputFormat.JSON:
        schema_id = schema.get("$id")
        shown = next((s.name for s in list_schemas() if s.id == schema_id), name)
        emit_json({"version": JSON_DOCUMENT_VERSION, "command": "schemas show", "ok": True,
                   "name": shown, "id": schema_id, "schema": schema})
        return 0
    sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return 0
