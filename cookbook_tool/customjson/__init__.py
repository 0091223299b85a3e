"""Custom JSON validation: strict JSON reading with positions, built-in and user schemas,
findings that point at file, line, column and JSON path, secrets never printed.

Public API (for the CLI and the configuration loader)::

    check_json_files(files, schema=None, mappings=[...], base_dir=root) -> CheckResult
    validate_document(document, "cookbook-tool-config", file="cookbook-tool.toml", locate=...)
    list_schemas() / load_schema(name)

Heavy libraries (jsonschema-rs, jsonschema) are imported only when a document is validated.
"""

from cookbook_tool.config.mappings import SchemaMapping, glob_problem, mapped_files
from cookbook_tool.customjson.check import CheckResult, check_json_files, pointer, validate_document
from cookbook_tool.customjson.schemastore import (
    BUILTIN_NAMES,
    SchemaInfo,
    list_schemas,
    load_schema,
    schemas_dir,
)

__all__ = [
    "BUILTIN_NAMES",
    "CheckResult",
    "SchemaInfo",
    "SchemaMapping",
    "check_json_files",
    "glob_problem",
    "list_schemas",
    "load_schema",
    "mapped_files",
    "pointer",
    "schemas_dir",
    "validate_document",
]
