"""Checks of a parsed ``cookbook-tool.toml`` that name the key and its line.

The structure (keys, types) is checked against the built-in ``cookbook-tool-config`` schema;
the checks here are the ones a schema cannot express: known target schemes, usable globs,
recipe names, preset names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from cookbook_tool.config.mappings import glob_problem
from cookbook_tool.cookbook.opsworks import EXTERNAL_PRESETS, LIFECYCLE_EVENTS
from cookbook_tool.errors import LocalError, UsageError

RECIPE_NAME = re.compile(r"^[A-Za-z0-9_.-]+(::[A-Za-z0-9_.-]+)?$")


def check_config_document(data: Mapping[str, Any], path: Path, lines: Mapping[str, int]) -> None:
    """Raise ``LocalError`` (``file:line: key: problem``) for the first problem found."""
    from cookbook_tool.config.schema import structure_problems

    problems = [*structure_problems(data), *_semantic_problems(data),
                *_schema_problems(data, path.parent)]
    if problems:
        key, message = problems[0]
        line = _nearest_line(key, lines)
        where = f"{path}:{line}" if line else str(path)
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise LocalError(f"{where}: {key or '<top level>'}: {message}{more}")


def _nearest_line(key: str, lines: Mapping[str, int]) -> int | None:
    parts = key.split(".") if key else []
    while parts:
        line = lines.get(".".join(parts))
        if line is not None:
            return line
        parts.pop()
    return None


def _semantic_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for index, preset in enumerate(_list(data.get("external_presets"))):
        if preset not in EXTERNAL_PRESETS:
            known = ", ".join(sorted(EXTERNAL_PRESETS))
            yield f"external_presets.{index}", f"unknown preset {preset!r} (known: {known})"
    for index, mapping in enumerate(_list(data.get("schemas"))):
        if isinstance(mapping, Mapping):
            for number, glob in enumerate(_list(mapping.get("files"))):
                problem = glob_problem(glob) if isinstance(glob, str) else None
                if problem:
                    yield f"schemas.{index}.files.{number}", problem
    targets = data.get("targets")
    if isinstance(targets, Mapping):
        for name, target in targets.items():
            url = target.get("url") if isinstance(target, Mapping) else None
            if isinstance(url, str) and isinstance(target, Mapping):
                yield from _target_problems(f"targets.{name}", url, target)
    layers = data.get("layers")
    if isinstance(layers, Mapping):
        for layer, events in layers.items():
            if isinstance(events, Mapping):
                yield from _layer_problems(f"layers.{layer}", events)


def _schema_problems(data: Mapping[str, Any], base: Path) -> Iterator[tuple[str, str]]:
    """Each ``[[schemas]]`` entry names a built-in schema (by name or ``$id``) or a file."""
    from cookbook_tool.config.builtin_schemas import BUILTIN_ID_PREFIX, builtin_schema_names

    names = builtin_schema_names()
    for index, mapping in enumerate(_list(data.get("schemas"))):
        schema = mapping.get("schema") if isinstance(mapping, Mapping) else None
        if not isinstance(schema, str) or schema in names:
            continue
        if schema.startswith(BUILTIN_ID_PREFIX) and schema[len(BUILTIN_ID_PREFIX):].removesuffix(
            ".json"
        ) in names:
            continue
        if "://" not in schema and (base / schema).is_file():
            continue
        yield f"schemas.{index}.schema", (
            f"unknown schema {schema!r}: use a built-in one ({', '.join(names)}) or the path "
            "of a schema file relative to this configuration"
        )


def _target_problems(key: str, url: str, target: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    from cookbook_tool.config.target_kinds import KINDS, shared_keys, target_kind

    try:
        kind = KINDS[target_kind(url)]
    except UsageError as exc:
        yield f"{key}.url", exc.message
        return
    shape = kind.url_shape
    if (shape is not None and not shape.match(url)) or url.rstrip("/") in ("s3:", "git+", "git:"):
        yield f"{key}.url", f"{url!r} names no bucket or repository"
    shared = shared_keys()
    for option in target:
        if option not in shared and option not in kind.config_keys:
            usable = ", ".join(sorted(kind.config_keys)) or "only url and retention"
            yield f"{key}.{option}", f"{option!r} does not apply to {kind.name} targets ({usable})"


def _layer_problems(key: str, events: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for event, recipes in events.items():
        if event not in LIFECYCLE_EVENTS:
            yield (
                f"{key}.{event}",
                (f"unknown lifecycle event {event!r}: use {', '.join(LIFECYCLE_EVENTS)}"),
            )
            continue
        for index, recipe in enumerate(_list(recipes)):
            if isinstance(recipe, str) and not RECIPE_NAME.match(recipe):
                yield (
                    f"{key}.{event}.{index}",
                    (f"{recipe!r} is not a recipe name: write 'cookbook' or 'cookbook::recipe'"),
                )


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
