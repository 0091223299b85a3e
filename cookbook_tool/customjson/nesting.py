"""How deep a JSON document nests, without a Python-level walk, so that valid files never pay
for the Python position indexer just to prove they are not too deep.

:func:`within` checks a parsed document with a jsonschema-rs validator of ``max_depth`` nested
``$defs`` (a Rust walk: about a millisecond per megabyte); a value it cannot take (``NaN``, an
integer beyond 64 bits) falls back to :func:`surely_within`, a bound on the text.

:func:`surely_within` answers True only when the text, *if it is valid JSON*, nests at most
``max_depth`` levels; False means "not proven": the caller then runs the exact (Python)
indexer, which also finds where a too-deep or broken document goes wrong. Every step is a
``bytes`` method (``replace``, ``translate``, ``count``), so a 60 KB file costs microseconds.

How: escaped backslashes and quotes are removed, then everything but brackets and quotes.
Each string is then ``""`` unless it holds a bracket; removing every ``""`` leaves no quote at
all exactly when no string holds one (the first string holding a bracket leaves a lone quote
behind), and only then are the remaining brackets the document's structure (strings holding
brackets are cut out by a regular expression over this short residue instead). Each pass of
``replace(b"[]", b"")`` then ``replace(b"{}", b"")`` removes one or two levels, so a residue
that empties within ``max_depth // 2`` passes nests at most ``max_depth`` levels.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_STRUCTURE = b'{}[]"\\'
_DROP = bytes(b for b in range(256) if b not in _STRUCTURE)
_STRING = re.compile(rb'"[^"]*"')


def within(value: object, data: bytes, max_depth: int) -> bool:
    """Whether the parsed ``value`` (read from ``data``) nests at most ``max_depth`` levels;
    False may also mean "not proven" (the text bound could not clear it)."""
    try:
        return bool(_depth_validator(max_depth).is_valid(value))
    except (ValueError, TypeError, OverflowError):
        return surely_within(data, max_depth)


@functools.cache
def _depth_validator(max_depth: int) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for({"$defs": depth_levels(max_depth),
                                        "$ref": f"#/$defs/{max_depth}"})


def depth_levels(max_depth: int) -> dict[str, object]:
    """``$defs`` where ``"#/$defs/N"`` accepts the values nesting at most N levels."""
    levels: dict[str, object] = {"0": {"type": ["string", "number", "boolean", "null"]}}
    for level in range(1, max_depth + 1):
        below = {"$ref": f"#/$defs/{level - 1}"}
        levels[str(level)] = {"items": below, "additionalProperties": below}
    return levels


def surely_within(data: bytes, max_depth: int) -> bool:
    """Whether ``data``, if it is valid JSON, certainly nests at most ``max_depth`` levels."""
    brackets = data.translate(None, _DROP)
    if b"\\" in brackets:  # escapes: drop escaped backslashes and quotes, then the rest
        if b"\\\\" in data:
            data = data.replace(b"\\\\", b"")
        brackets = data.replace(b'\\"', b"").translate(None, _DROP).replace(b"\\", b"")
    if brackets.count(b"{") + brackets.count(b"[") <= max_depth:
        return True
    structure = brackets.replace(b'""', b"")
    if b'"' in structure:  # a string holds a bracket: cut the strings out one by one
        structure = _STRING.sub(b"", brackets)
        if b'"' in structure:
            return False  # unbalanced quotes: not valid JSON, the exact pass says where
    for _ in range(max_depth // 2):
        if not structure:
            return True
        shorter = structure.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(structure):
            return False  # mismatched brackets: not valid JSON
        structure = shorter
    return not structure
