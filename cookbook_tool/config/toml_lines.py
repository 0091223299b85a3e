"""Where each key of a TOML document is written: ``tomllib`` keeps no positions, so error
messages get their line numbers from this small scanner (tables, arrays of tables, keys)."""

from __future__ import annotations

import re

_TABLE = re.compile(r"^\s*\[(?P<array>\[)?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(?P<key>(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([^.\s]+)", key)
    return [a or b or c for a, b, c in parts]


def key_lines(text: str) -> dict[str, int]:
    """Map dotted key paths (``layers.java-app.deploy``, ``schemas.0.files``) to 1-based lines.

    Multi-line values are skipped over by ignoring lines that start inside brackets.
    """
    lines: dict[str, int] = {}
    table: list[str] = []
    array_counts: dict[str, int] = {}
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw and "'" not in raw else raw
        if depth == 0:
            table_match = _TABLE.match(line)
            if table_match:
                name = _split_key(table_match["name"])
                if table_match["array"]:
                    dotted = ".".join(name)
                    index = array_counts.get(dotted, -1) + 1
                    array_counts[dotted] = index
                    table = [*name, str(index)]
                else:
                    table = name
                lines.setdefault(".".join(table), number)
                continue
            key_match = _KEY.match(line)
            if key_match:
                dotted = ".".join([*table, *_split_key(key_match["key"])])
                lines.setdefault(dotted, number)
        depth = max(0, depth + _bracket_balance(line))
    return lines


def _bracket_balance(line: str) -> int:
    without_strings = re.sub(r"\"(?:\\.|[^\"\\])*\"|'[^']*'", "", line)
    code = without_strings.split("#", 1)[0]
    if _TABLE.match(code):
        return 0
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")
