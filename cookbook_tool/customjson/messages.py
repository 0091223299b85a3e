"""Schema violations in words, built from jsonschema's errors without ever printing a secret.

jsonschema's own messages embed the instance (``'hunter2' is not of type 'integer'``), so they
are not used: each message is composed here from the error's keyword, the schema's value and
the instance rendered through :func:`secrets.render`, which shows ``"***"`` for secrets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cookbook_tool.customjson.jsonpos import Pointer
from cookbook_tool.customjson.patterns import BACKTRACK_LIMIT, additional_keys, backtracks
from cookbook_tool.customjson.secrets import is_secret_path, mask_credentials, render
from cookbook_tool.text import closest

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError



@dataclass(frozen=True)
class Violation:
    """One schema violation: where (``at_key``: point at the key rather than the value)."""

    path: Pointer
    message: str
    at_key: bool = False


def violations(errors: Iterable[ValidationError]) -> Iterator[Violation]:
    """Violations for jsonschema errors; ``oneOf``/``anyOf`` give their most specific error."""
    from jsonschema.exceptions import best_match

    for found in errors:
        yield from _describe((best_match([found]) or found) if found.context else found)


def _describe(error: ValidationError) -> Iterator[Violation]:
    path: Pointer = tuple(error.absolute_path)
    keyword = str(error.validator)
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(
        error.instance, dict
    ):
        extras = _extra_keys(error.instance, error.schema)
        if extras:
            schema = error.schema if isinstance(error.schema, dict) else {}
            known = sorted(schema.get("properties") or {})
            for key in extras:
                message = f"unknown key {render(key)}{key_hint(key, known)}"
                yield Violation((*path, key), message, at_key=True)
            return
    if keyword == "required" and isinstance(error.validator_value, list):
        # jsonschema yields one error per missing key, named only in its message.
        names = [n for n in error.validator_value
                 if f"{n!r} is a required property" == error.message]
        if names:
            yield Violation(path, f"missing required key {render(names[0])}")
            return
    yield Violation(path, message_for(keyword, error.validator_value, error.instance,
                                      is_secret_path(path), error.message))


def _extra_keys(instance: dict[str, Any], schema: Any) -> list[str]:
    return list(additional_keys(instance, schema)) if isinstance(schema, dict) else []


def key_hint(key: str, known: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` for an unknown key: the closest known key, or one it
    abbreviates ("repo" for "repository"); the key is shown as JSON shows it."""
    names = sorted(known)
    close = closest(key, names)
    if close is None and len(key) >= 3:
        close = next((name for name in names if name.startswith(key)), None)
    return f" (did you mean {render(close)}?)" if close is not None else ""


def _bounded(pattern: object) -> str:
    if not isinstance(pattern, str) or not backtracks(pattern):
        return ""
    return (f" (a pattern with lookaround or backreferences is tried for at most "
            f"{BACKTRACK_LIMIT:,} backtracking steps; a match needing more counts as none)")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _size(instance: object) -> int:
    return len(instance) if isinstance(instance, (list, dict, str)) else 0


_Formatter = Callable[[str, Any, Any], str]
_MESSAGES: dict[str, _Formatter] = {
    "type": lambda shown, value, _i: f"{shown} is not of type "
    + " or ".join(value if isinstance(value, list) else [str(value)]),
    "enum": lambda shown, value, _i: f"{shown} is not one of "
    + ", ".join(render(v) for v in value),
    "const": lambda shown, value, _i: f"{shown} is not {render(value)}",
    "minimum": lambda shown, value, _i: f"{shown} is less than the minimum {value}",
    "maximum": lambda shown, value, _i: f"{shown} is greater than the maximum {value}",
    "exclusiveMinimum": lambda shown, value, _i: f"{shown} must be greater than {value}",
    "exclusiveMaximum": lambda shown, value, _i: f"{shown} must be less than {value}",
    "multipleOf": lambda shown, value, _i: f"{shown} is not a multiple of {value}",
    "minLength": lambda shown, value, _i: f"{shown} is shorter than {_count(value, 'character')}",
    "maxLength": lambda shown, value, _i: f"{shown} is longer than {_count(value, 'character')}",
    "pattern": lambda shown, value, _i: f"{shown} does not match the pattern {value}"
    + _bounded(value),
    "format": lambda shown, value, _i: f"{shown} is not a valid {value}",
    "minItems": lambda _s, value, inst: f"has {_count(_size(inst), 'item')}; "
    f"at least {value} required",
    "maxItems": lambda _s, value, inst: f"has {_count(_size(inst), 'item')}; "
    f"at most {value} allowed",
    "uniqueItems": lambda _s, _v, _i: "items must be unique",
    "minProperties": lambda _s, value, inst: f"has {_count(_size(inst), 'key')}; "
    f"at least {value} required",
    "maxProperties": lambda _s, value, inst: f"has {_count(_size(inst), 'key')}; "
    f"at most {value} allowed",
    "contains": lambda _s, _v, _i: "no item matches the required item schema",
    "not": lambda shown, _v, _i: f"{shown} is not allowed here",
    "None": lambda shown, _v, _i: f"{shown} is not allowed here",
    "additionalProperties": lambda _s, _v, _i: "has keys that are not allowed here",
    "unevaluatedProperties": lambda _s, _v, _i: "has keys that are not allowed here",
    "items": lambda _s, _v, _i: "has more items than allowed",
    "unevaluatedItems": lambda _s, _v, _i: "has more items than allowed",
}


def message_for(keyword: str, value: Any, instance: object, secret: bool,
                original: str = "") -> str:
    """The message for one failed keyword; ``secret`` masks the instance."""
    shown = render(instance, secret)
    if keyword in ("oneOf", "anyOf"):
        if "is valid under each of" in original:
            return f"{shown} matches more than one of the allowed forms"
        choices = _constants(value)
        if choices:
            return f"{shown} is not one of " + ", ".join(render(c) for c in choices)
        return f"{shown} does not match any of the allowed forms"
    if keyword in ("dependentRequired", "dependencies") and original:
        return mask_credentials(original)  # names only: "'b' is a dependency of 'a'"
    formatter = _MESSAGES.get(keyword)
    if formatter is None:
        return f"{shown} fails the {json.dumps(keyword)} constraint"
    return formatter(shown, value, instance)


def _constants(alternatives: Any) -> list[Any]:
    """The values of ``oneOf``/``anyOf`` alternatives that are all ``const``/``enum``."""
    values: list[Any] = []
    for alternative in alternatives if isinstance(alternatives, list) else []:
        if isinstance(alternative, dict) and "const" in alternative:
            values.append(alternative["const"])
        elif isinstance(alternative, dict) and isinstance(alternative.get("enum"), list):
            values.extend(alternative["enum"])
        else:
            return []
    return values
