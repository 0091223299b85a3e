"""The unknown-key walk (one tree for every rule) finds what matching each rule's path
pattern on its own finds: keys under named and any-key parts, in lists, overlapping rules."""

from __future__ import annotations

from cookbook_tool.customjson.unknownkeys import KeyRule, KeyTree, Pattern, unknown_keys


def _matches(document: object, pattern: Pattern) -> list[tuple[tuple[object, ...], object]]:
    found: list[tuple[tuple[object, ...], object]] = [((), document)]
    for part in pattern:
        following = []
        for path, value in found:
            if isinstance(value, dict):
                following += [((*path, k), v) for k, v in value.items() if part in (None, k)]
            elif isinstance(value, list) and part is None:
                following += [((*path, i), v) for i, v in enumerate(value)]
        found = following
    return found


def _reference(document: object, rules: list[KeyRule]) -> set[tuple[object, ...]]:
    return {(*path, key) for rule in rules for path, value in _matches(document, rule.pattern)
            if isinstance(value, dict) for key in value if key not in rule.known}


RULES = [
    KeyRule(("deploy", None), {"database", "scm", "user"}, warn=True),
    KeyRule(("deploy", None, "database"), {"host", "port"}, warn=True),
    KeyRule(("deploy", "web", "database"), {"host", "port", "pool"}, warn=True),
    KeyRule((None, None), {"a"}, warn=True),
    KeyRule((), {"deploy", "extra"}, warn=True),
]
DOCUMENT = {
    "deploy": {
        "web": {"database": {"host": "h", "pool": 5, "hots": 1}, "scm": {}, "usr": "x"},
        "api": {"database": {"host": "h", "port": 1}, "user": "u"},
        "odd": [{"database": {"x": 1}}, 3],
        "flat": 7,
    },
    "other": [{"a": 1, "b": 2}, {"c": 3}],
    "top": "value",
}


def test_one_walk_finds_what_each_pattern_finds() -> None:
    found = {path for path, _ in unknown_keys(DOCUMENT, KeyTree(RULES))}
    assert found == _reference(DOCUMENT, RULES)
    assert ("deploy", "web", "database", "hots") in found
    assert ("deploy", "web", "database", "pool") in found  # the any-app rule does not know it
    assert ("other", 0, "b") in found and ("top",) in found


def test_a_list_of_rules_is_walked_as_its_tree() -> None:
    assert sorted(map(str, unknown_keys(DOCUMENT, RULES))) == sorted(
        map(str, unknown_keys(DOCUMENT, KeyTree(RULES))))
    assert list(unknown_keys({"deploy": {"w": {"database": {"host": 1}}}}, RULES[:2])) == []
