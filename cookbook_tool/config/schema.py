"""Check the configuration against the built-in ``cookbook-tool-config`` JSON Schema without
importing ``jsonschema`` (about 0.1 s of start-up that every ``validate`` would pay).

The schema uses a small subset of draft 2020-12, interpreted here; a keyword outside the subset
is a programming error (a test checks the schema stays inside it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from cookbook_tool.config.builtin_schemas import builtin_schema_path
from cookbook_tool.text import did_you_mean

SUPPORTED = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "title", "description", "default", "examples",
        "type", "properties", "additionalProperties", "required", "items", "enum", "pattern",
        "minimum", "maximum", "minLength", "minItems", "uniqueItems", "propertyNames",
    }
)
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@cache
def config_schema() -> dict[str, Any]:
    with builtin_schema_path("cookbook-tool-config").open(encoding="utf-8") as stream:
        schema: dict[str, Any] = json.load(stream)
    return schema


def structure_problems(document: object) -> list[tuple[str, str]]:
    """(dotted key, message) for every place the document breaks the schema."""
    schema = config_schema()
    return list(_check(document, schema, schema, ()))


def _check(
    value: object, schema: Mapping[str, Any], root: Mapping[str, Any], at: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    unknown = set(schema) - SUPPORTED
    if unknown:
        raise ValueError(f"config schema uses unsupported keywords: {sorted(unknown)}")
    if "$ref" in schema:
        yield from _check(value, _resolve(schema["$ref"], root), root, at)
    key = ".".join(at)
    expected = schema.get("type")
    if expected is not None and not _is_type(value, expected):
        yield key, f"expected {_article(expected)}, found {_describe(value)}"
        return
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(json.dumps(c) for c in schema["enum"])
        yield key, f"{json.dumps(value)} is not one of {choices}"
    if isinstance(value, str):
        yield from _check_string(value, schema, key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            yield key, f"{value} is less than the minimum {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            yield key, f"{value} is more than the maximum {schema['maximum']}"
    if isinstance(value, list):
        yield from _check_array(value, schema, root, at)
    if isinstance(value, dict):
        yield from _check_object(value, schema, root, at)


def _check_string(value: str, schema: Mapping[str, Any], key: str) -> Iterator[tuple[str, str]]:
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield key, "must not be empty"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        yield key, f"{value!r} does not match {schema['pattern']}"


def _check_array(
    value: list[Any], schema: Mapping[str, Any], root: Mapping[str, Any], at: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield ".".join(at), f"needs at least {schema['minItems']} item(s)"
    if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) < len(
        value
    ):
        yield ".".join(at), "items must be unique"
    if "items" in schema:
        for index, item in enumerate(value):
            yield from _check(item, schema["items"], root, (*at, str(index)))


def _check_object(
    value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], at: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    for required in schema.get("required", []):
        if required not in value:
            yield ".".join(at), f"missing required key {required!r}"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames")
    for name, item in value.items():
        if names is not None:
            for _, message in _check(name, names, root, ()):
                yield ".".join((*at, name)), f"invalid name: {message}"
        if name in properties:
            yield from _check(item, properties[name], root, (*at, name))
        elif extra is False:
            yield ".".join((*at, name)), _unknown_key_message(name, properties)
        elif isinstance(extra, dict):
            yield from _check(item, extra, root, (*at, name))


def _unknown_key_message(name: str, properties: Mapping[str, Any]) -> str:
    hint = did_you_mean(name, list(properties))
    known = ", ".join(properties) or "none"
    return f"unknown key {name!r}{hint}; known keys: {known}"


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"config schema may only use local $ref, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    resolved: Mapping[str, Any] = node
    return resolved


def _is_type(value: object, expected: str | list[str]) -> bool:
    names = [expected] if isinstance(expected, str) else expected
    for name in names:
        if isinstance(value, bool) and name != "boolean":
            continue
        if isinstance(value, _TYPES[name]):
            return True
    return False


def _article(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else expected
    words = {"object": "a table", "array": "a list", "integer": "an integer",
             "string": "a string", "boolean": "true or false", "number": "a number"}
    return " or ".join(words[n] for n in names)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"
