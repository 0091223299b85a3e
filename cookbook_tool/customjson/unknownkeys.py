"""Warnings for keys a schema does not know, where the schema asks for them.

A schema object carrying the annotation ``"x-unknown-keys": "warn"`` (the built-in deploy
schema does, on an app, its ``database`` and its ``scm``) accepts other keys, but each one is a
warning with a "did you mean" suggestion. The schema is compiled once into a few path patterns
(``deploy/*/database``) with their known keys, so the check costs a dictionary walk per file,
and it runs on valid files too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from cookbook_tool.customjson.jsonpos import Pointer
from cookbook_tool.customjson.patterns import search
from cookbook_tool.customjson.schemastore import SchemaBundle

ANNOTATION = "x-unknown-keys"
_MAX_PATTERN = 12

# A path pattern: a key, or None for "any key or index".
Pattern = tuple[str | None, ...]


@dataclass
class KeyRule:
    pattern: Pattern
    known: set[str] = field(default_factory=set)
    patterns: list[str] = field(default_factory=list)  # patternProperties, matched safely
    warn: bool = False


def key_rules(bundle: SchemaBundle) -> list[KeyRule]:
    """The places where the schema wants unknown keys reported, with the keys it knows."""
    rules: dict[Pattern, KeyRule] = {}
    seen: set[tuple[int, Pattern]] = set()
    stack: list[tuple[Any, Pattern, str]] = [(bundle.root, (), bundle.uri)]
    while stack:
        node, pattern, base = stack.pop()
        if not isinstance(node, dict) or (id(node), pattern) in seen:
            continue
        seen.add((id(node), pattern))
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
        rule = rules.setdefault(pattern, KeyRule(pattern))
        rule.warn = rule.warn or node.get(ANNOTATION) == "warn"
        rule.known.update(node.get("properties") or {})
        rule.patterns.extend(node.get("patternProperties") or {})
        stack.extend(_children(bundle, node, pattern, base))
    return [rule for rule in rules.values() if rule.warn]


def _children(
    bundle: SchemaBundle, node: dict[str, Any], pattern: Pattern, base: str
) -> Iterator[tuple[Any, Pattern, str]]:
    if isinstance(node.get("$ref"), str):
        target, target_base = _resolve(bundle, node["$ref"], base)
        yield target, pattern, target_base
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(keyword) or []:
            yield sub, pattern, base
    if len(pattern) >= _MAX_PATTERN:
        return
    for key, sub in (node.get("properties") or {}).items():
        yield sub, (*pattern, key), base
    for keyword in ("additionalProperties", "items"):
        if isinstance(node.get(keyword), dict):
            yield node[keyword], (*pattern, None), base
    for sub in (node.get("patternProperties") or {}).values():
        yield sub, (*pattern, None), base


def _resolve(bundle: SchemaBundle, ref: str, base: str) -> tuple[Any, str]:
    uri, fragment = urldefrag(urljoin(base, ref))
    node: Any = bundle.resources.get(uri)
    if not fragment.startswith("/"):
        return (node if not fragment else None), uri
    for raw in fragment.split("/")[1:]:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None, uri
    return node, uri


def unknown_keys(document: object, rules: list[KeyRule]) -> Iterator[tuple[Pointer, KeyRule]]:
    """``(path of the unknown key, rule)`` for every key a warning rule does not know."""
    for rule in rules:
        known, patterns = rule.known, rule.patterns
        for path, value in _matches(document, rule.pattern):
            if not isinstance(value, dict):
                continue
            for key in value.keys() - known if not patterns else value:
                if key not in known and not any(search(p, key) for p in patterns):
                    yield (*path, key), rule


def _matches(document: object, pattern: Pattern) -> list[tuple[Pointer, object]]:
    found: list[tuple[Pointer, object]] = [((), document)]
    for part in pattern:
        following: list[tuple[Pointer, object]] = []
        for path, value in found:
            if isinstance(value, dict):
                if part is None:
                    following.extend(((*path, k), v) for k, v in value.items())
                elif part in value:
                    following.append(((*path, part), value[part]))
            elif isinstance(value, list) and part is None:
                following.extend(((*path, i), v) for i, v in enumerate(value))
        found = following
    return found
