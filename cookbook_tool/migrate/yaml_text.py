"""A small block-style YAML writer for the templates: mappings, lists and scalars only.

Every string is written double-quoted with JSON's escapes, which YAML reads the same way, so a
value can never turn into a number, a boolean, a tag or a comment.
"""

from __future__ import annotations

import json
import re

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_:.\-]*$")


def dump_yaml(value: object, comment: str = "") -> str:
    header = "".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines())
    return header + "".join(_lines(value, 0))


def _lines(value: object, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return [pad + "{}\n"]
        out: list[str] = []
        for key, child in value.items():
            out.extend(_entry(f"{pad}{_key(str(key))}:", child, indent))
        return out
    if isinstance(value, list):
        if not value:
            return [pad + "[]\n"]
        out = []
        for child in value:
            if isinstance(child, dict) and child:
                inner = _lines(child, indent + 2)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            else:
                out.extend(_entry(f"{pad}-", child, indent))
        return out
    return [pad + _scalar(value) + "\n"]


def _entry(head: str, child: object, indent: int) -> list[str]:
    if isinstance(child, dict | list) and child:
        return [head + "\n", *_lines(child, indent + 2)]
    return [f"{head} {_lines(child, 0)[0].strip()}\n"]


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else json.dumps(key)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)
