"""Regular expressions of schemas (``pattern``, ``patternProperties``), matched without
catastrophic backtracking, the same way in every pass.

A schema's pattern is user input: ``^(a+)+$`` against 41 ``a`` and a ``!`` takes Python's
``re`` minutes. Every pattern is therefore matched by jsonschema-rs's engines: Rust's
``regex`` (linear time) for every pattern it can express, and ``fancy-regex`` only for the
lookaround and backreferences ``regex`` lacks, bounded at :data:`BACKTRACK_LIMIT` steps (a
match that needs more counts as no match, and the message about it says so). The fast
validity pass and the explaining pass (jsonschema, whose ``pattern``, ``patternProperties``
and ``additionalProperties`` keywords are replaced by :func:`keyword_overrides`) so always
agree on what matches; so do the unknown-key warnings.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from cookbook_tool.customjson.focus import wanted
from cookbook_tool.errors import LocalError

BACKTRACK_LIMIT = 1_000_000


def pattern_options() -> Any:
    """The regex options every jsonschema-rs validator is built with."""
    import jsonschema_rs

    return jsonschema_rs.FancyRegexOptions(backtrack_limit=BACKTRACK_LIMIT)


@functools.cache
def _matcher(pattern: str) -> Any:
    import jsonschema_rs

    try:
        return jsonschema_rs.validator_for({"pattern": pattern}, pattern_options=pattern_options())
    except (jsonschema_rs.ValidationError, ValueError) as exc:
        raise LocalError(f"schema pattern {pattern!r} cannot be compiled: "
                         f"{str(exc).splitlines()[0]}") from exc


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches anywhere in ``text`` (JSON Schema's ``pattern``)."""
    return bool(_matcher(pattern).is_valid(text))


@functools.cache
def backtracks(pattern: str) -> bool:
    """Whether ``pattern`` needs the bounded backtracking engine (lookaround, backreferences)."""
    import jsonschema_rs

    try:
        jsonschema_rs.validator_for({"pattern": pattern},
                                    pattern_options=jsonschema_rs.RegexOptions())
    except (jsonschema_rs.ValidationError, ValueError):
        return True
    return False


def keyword_overrides() -> dict[str, Any]:
    """jsonschema keyword functions matching patterns through :func:`search` (and descending
    only where :mod:`focus` says errors are)."""
    return {
        "pattern": _pattern,
        "properties": _properties,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    }


def additional_keys(instance: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    """The keys of ``instance`` neither ``properties`` nor ``patternProperties`` names."""
    known = schema.get("properties") or {}
    patterns = list(schema.get("patternProperties") or {})
    for key in instance:
        if key not in known and not any(search(p, key) for p in patterns):
            yield key


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key) and wanted(instance, value):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _properties(validator: Any, properties: dict[str, Any], instance: Any,
                schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for key, subschema in properties.items():
        if key in instance and wanted(instance, instance[key]):
            yield from validator.descend(instance[key], subschema, path=key, schema_path=key)


def _additional_properties(validator: Any, additional: Any, instance: Any,
                           schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = sorted(additional_keys(instance, schema))
    if validator.is_type(additional, "object"):
        for key in extras:
            if wanted(instance, instance[key]):
                yield from validator.descend(instance[key], additional, path=key)
    elif additional is False and extras:
        yield ValidationError(f"additional properties are not allowed ({len(extras)} found)")
