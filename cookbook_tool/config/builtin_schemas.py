"""Where the built-in JSON Schemas live: inside the wheel (``cookbook_tool/schemas``, mapped from
the top-level ``schemas/`` at build time) or, in a source checkout or editable install, in the
repository's ``schemas/`` folder."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from cookbook_tool.errors import LocalError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # cookbook_tool/
BUILTIN_ID_PREFIX = "https://cookbook-tool.dev/schemas/"


@cache
def builtin_schema_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "schemas", _PACKAGE_DIR.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise LocalError("the built-in schemas are missing from this installation: reinstall it")


def builtin_schema_names() -> list[str]:
    """The names of the built-in schemas (``NAME.json`` in the folder), sorted. Listed with
    ``os.listdir``: the same names as ``glob("*.json")``, without compiling a pattern."""
    return sorted(name[:-5] if len(name) > 5 else name  # ".json": its stem is ".json"
                  for name in os.listdir(builtin_schema_dir()) if name.endswith(".json"))


def builtin_schema_path(name: str) -> Path:
    path = builtin_schema_dir() / f"{name}.json"
    if not path.is_file():
        known = ", ".join(builtin_schema_names())
        raise LocalError(f"unknown built-in schema {name!r} (known: {known})")
    return path
