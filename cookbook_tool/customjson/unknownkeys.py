"""Warnings for keys a schema does not know, where the schema asks for them.

A schema object carrying the annotation ``"x-unknown-keys": "warn"`` (the built-in deploy
schema does, on an app, its ``database`` and its ``scm``) accepts other keys, but each one is a
warning with a "did you mean" suggestion. The schema is compiled once into a few path patterns
(``deploy/*/database``) with their known keys, merged into one tree (:class:`KeyTree`), so the
check costs one walk per file along the containers the patterns name (a set test per object
whose keys are all known), and it runs on valid files too.
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
_CONTAINERS = (dict, list)
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


class KeyTree:
    """The rules' path patterns merged into one tree: a document is walked once for all of
    them, and only along the containers their patterns name."""

    def __init__(self, rules: list[KeyRule] | None = None) -> None:
        self.here: list[KeyRule] = []  # rules whose pattern ends at this node
        self.named: dict[str, KeyTree] = {}
        self.anything: KeyTree | None = None  # a None part: any key or index
        for rule in rules or ():
            node = self
            for part in rule.pattern:
                if part is None:
                    node.anything = node.anything or KeyTree()
                    node = node.anything
                else:
                    node = node.named.setdefault(part, KeyTree())
            node.here.append(rule)

    @property
    def leaf(self) -> bool:
        """Only rules here: nothing below to walk."""
        return not self.named and self.anything is None


def unknown_keys(
    document: object, rules: list[KeyRule] | KeyTree
) -> Iterator[tuple[Pointer, KeyRule]]:
    """``(path of the unknown key, rule)`` for every key a warning rule does not know."""
    found: list[tuple[Pointer, KeyRule]] = []
    _walk(document, rules if isinstance(rules, KeyTree) else KeyTree(rules), (), found)
    return iter(found)


def _walk(value: object, node: KeyTree, path: Pointer,
          found: list[tuple[Pointer, KeyRule]]) -> None:
    if isinstance(value, dict):
        _check(value, node, path, found)
        for key, child in node.named.items():
            below = value.get(key)
            if child.leaf:  # checked here: one call less per object (an app's database...)
                if isinstance(below, dict):
                    _check(below, child, (*path, key), found)
            elif isinstance(below, _CONTAINERS):
                _walk(below, child, (*path, key), found)
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    anything = node.anything
    if anything is not None:
        for key, below in items:
            if isinstance(below, _CONTAINERS):
                _walk(below, anything, (*path, key), found)
def _check(value: dict[str, object], node: KeyTree, path: Pointer,
           found: list[tuple[Pointer, KeyRule]]) -> None:
    for rule in node.here:
        if not rule.known.issuperset(value):  # no set built when every key is known
            found.extend(_unknown_in(value, path, rule))


def _unknown_in(
    value: dict[str, object], path: Pointer, rule: KeyRule
) -> Iterator[tuple[Pointer, KeyRule]]:
    known, patterns = rule.known, rule.patterns
    for key in value.keys() - known if not patterns else value:
        if key not in known and not any(search(p, key) for p in patterns):
            yield (*path, key), rule
