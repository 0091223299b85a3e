"""Where one value of a JSON text is, found along its path only.

A finding needs the place of one value, not of all of them: this walks the path from the root,
reading each key with the C string scanner and stepping over the siblings before (and, for
repeated keys, after) it with the C decoder, so locating a value in a 60 KB file costs a few
Python steps per level instead of a Python step per token of the file. The last of repeated
keys wins, as it does in the parsed document. Only for a text that parsed: anything else (or a
number the decoder refuses) answers None, and the caller falls back to the full position index.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C string scanner

from cookbook_tool.metadata.jsonindex import Pointer

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Unlocatable(Exception):
    pass


def locate_offsets(text: str, path: Pointer) -> tuple[int, int, int | None] | None:
    """``(levels found, offset of the deepest value found, offset of its key or None)``;
    None when the text cannot be walked (then use the full index)."""
    try:
        return _walk(text, path)
    except (_Unlocatable, ValueError, IndexError):
        return None


def _walk(text: str, path: Pointer) -> tuple[int, int, int | None]:
    at = _skip(text, 0)
    key_at: int | None = None
    for depth, part in enumerate(path):
        opener = text[at]
        if opener == "{" and isinstance(part, str):
            found = _member(text, at, part)
        elif opener == "[" and isinstance(part, int) and not isinstance(part, bool):
            found = _item(text, at, part)
        else:
            found = None
        if found is None:
            return depth, at, key_at
        key_at, at = found
    return len(path), at, key_at


def _member(text: str, start: int, name: str) -> tuple[int | None, int] | None:
    """``(key offset, value offset)`` of the last member ``name`` of the object at ``start``."""
    found = None
    at = _skip(text, start + 1)
    if text[at] == "}":
        return None
    while True:
        if text[at] != '"':
            raise _Unlocatable
        key, end = scanstring(text, at + 1)
        colon = _skip(text, end)
        if text[colon] != ":":
            raise _Unlocatable
        value = _skip(text, colon + 1)
        if key == name:
            found = (at, value)
        after = _skip(text, _DECODER.raw_decode(text, value)[1])
        if text[after] != ",":
            return found
        at = _skip(text, after + 1)


def _item(text: str, start: int, index: int) -> tuple[int | None, int] | None:
    at = _skip(text, start + 1)
    if text[at] == "]":
        return None
    for _ in range(index):
        after = _skip(text, _DECODER.raw_decode(text, at)[1])
        if text[after] != ",":
            return None
        at = _skip(text, after + 1)
    return None, at


def _skip(text: str, at: int) -> int:
    match = _WS.match(text, at)
    return match.end() if match else at
