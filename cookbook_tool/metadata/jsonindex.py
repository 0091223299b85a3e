"""Where every value of a JSON text is: a small recursive indexer (its depth is bounded by
the depth limit) that records the offset of each value and key by JSON path, duplicate keys,
``NaN``/``Infinity`` tokens and numbers that cannot be checked (too many digits, or beyond a
float's range). It runs only when a finding needs a place.

The one JSON position scanner: the ``metadata.json`` reader and the custom JSON checks (which sit
above ``metadata`` in the layers) both use it."""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field

Pointer = tuple[str | int, ...]
MAX_DEPTH = 100  # nesting levels a document may have

_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
      (?P<str>"(?:[^"\\\x00-\x1f]|\\.)*")
    | (?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    | (?P<lit>true|false|null|NaN|-?Infinity)
    | (?P<punct>[{}\[\]:,])
    )""",
    re.VERBOSE | re.DOTALL,
)
_CONSTANTS = frozenset({"NaN", "Infinity", "-Infinity"})
# Python's default limit for converting between int and str. A fixed figure, so that findings
# do not depend on PYTHONINTMAXSTRDIGITS, unless that sets a lower limit (at least 640).
MAX_INT_DIGITS = 4300


def int_digits_limit() -> int:
    limit = sys.get_int_max_str_digits()
    return limit if 0 < limit < MAX_INT_DIGITS else MAX_INT_DIGITS


def number_problem(token: str) -> str | None:
    """Why a JSON number token cannot be checked, or None: an integer of more digits than
    :func:`int_digits_limit`, or a number beyond a float's range (``1e999999``)."""
    digits = token.lstrip("-")
    if digits.isdigit():
        if len(digits) <= int_digits_limit():
            return None
        return (f"a number of {len(digits):,} digits is too long to check (at most "
                f"{int_digits_limit():,}); write it as a string if it is meant to be one")
    if not math.isinf(float(token)):
        return None
    shown = token if len(token) <= 20 else token[:12] + "…"
    return (f"{shown} is too large for a number (it overflows to infinity); "
            "use a smaller number or a string")


class Stop(Exception):
    """Internal: the indexer cannot go on (syntax error or too deep)."""

    def __init__(self, rule: str, message: str, offset: int) -> None:
        super().__init__(message)
        self.rule, self.message, self.offset = rule, message, offset


@dataclass
class PositionIndex:
    """Offsets of every value and key of a document, by JSON path."""

    values: dict[Pointer, int] = field(default_factory=dict)
    keys: dict[Pointer, int] = field(default_factory=dict)
    duplicates: list[tuple[Pointer, int, int]] = field(default_factory=list)
    constants: list[tuple[Pointer, int, str]] = field(default_factory=list)
    numbers: list[tuple[Pointer, int, str]] = field(default_factory=list)  # (path, offset, why)
    stop: Stop | None = None


class Indexer:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text, self.pos, self.max_depth = text, 0, max_depth
        self.index = PositionIndex()

    def run(self) -> PositionIndex:
        try:
            self.value((), 0, self.next())
            if self.text[self.pos :].strip(" \t\r\n"):
                raise Stop("json-syntax", "extra data after the JSON value", self.skip_ws())
        except Stop as stop:
            self.index.stop = stop
        return self.index

    def skip_ws(self) -> int:
        end = len(self.text) - len(self.text[self.pos :].lstrip(" \t\r\n"))
        return end

    def next(self) -> re.Match[str]:
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            raise Stop("json-syntax", "invalid JSON", self.skip_ws())
        self.pos = match.end()
        return match

    def value(self, path: Pointer, depth: int, match: re.Match[str]) -> None:
        kind = match.lastgroup or ""
        start = match.start(kind)
        token = match.group(kind)
        self.index.values[path] = start
        if kind == "lit" and token in _CONSTANTS:
            self.index.constants.append((path, start, token))
        elif kind == "num":
            problem = number_problem(token)
            if problem is not None:
                self.index.numbers.append((path, start, problem))
        elif kind == "punct":
            if token not in "{[":
                raise Stop("json-syntax", f"expected a value, found {token!r}", start)
            if depth >= self.max_depth:
                raise Stop(
                    "json-too-deep", f"nesting deeper than {self.max_depth} levels", start
                )
            if token == "{":
                self.object(path, depth + 1)
            else:
                self.array(path, depth + 1)

    def object(self, path: Pointer, depth: int) -> None:
        seen: dict[str, int] = {}
        match = self.next()
        if match.group(0).strip() == "}":
            return
        while True:
            if match.lastgroup != "str":
                raise Stop("json-syntax", "expected a key in double quotes", match.start())
            key = json.loads(match.group("str"))
            child = (*path, key)
            if key in seen:
                self.index.duplicates.append((child, match.start("str"), seen[key]))
            else:
                seen[key] = match.start("str")
            self.index.keys[child] = match.start("str")
            colon = self.next()
            if colon.group(0).strip() != ":":
                raise Stop("json-syntax", "expected ':' after the key", colon.start())
            self.value(child, depth, self.next())
            match = self.next()
            if match.group(0).strip() == "}":
                return
            if match.group(0).strip() != ",":
                raise Stop("json-syntax", "expected ',' or '}'", match.start())
            match = self.next()

    def array(self, path: Pointer, depth: int) -> None:
        match = self.next()
        if match.group(0).strip() == "]":
            return
        index = 0
        while True:
            self.value((*path, index), depth, match)
            match = self.next()
            if match.group(0).strip() == "]":
                return
            if match.group(0).strip() != ",":
                raise Stop("json-syntax", "expected ',' or ']'", match.start())
            index += 1
            match = self.next()
