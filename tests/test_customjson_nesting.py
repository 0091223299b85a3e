"""The C-speed depth bound: never accepts a document nested deeper than the limit, and
accepts the realistic ones without the Python indexer."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cookbook_tool.customjson import jsonpos
from cookbook_tool.customjson.nesting import surely_within
from cookbook_tool.metadata.jsonindex import Indexer

TRICKY = st.text(alphabet='[]{}"\\ab\n', max_size=6)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(TRICKY, children, max_size=4),
    max_leaves=40,
)


def depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(VALUES, st.integers(min_value=0, max_value=12), st.booleans())
def test_never_accepts_a_document_deeper_than_the_limit(
    value: object, limit: int, indent: bool
) -> None:
    data = json.dumps(value, indent=2 if indent else None, ensure_ascii=False).encode()
    if surely_within(data, limit):
        assert depth(value) <= limit


def test_strings_holding_brackets_cannot_hide_nesting() -> None:
    # Structure 101 deep; the strings' brackets would balance the count to 100.
    data = b'["]", ' + b"[" * 100 + b"]" * 100 + b', "["]'
    assert not surely_within(data, 100)
    assert surely_within(data, 102)
    escaped = b'["\\"]\\\\", ' + b"[" * 99 + b"]" * 99 + b"]"
    assert not surely_within(escaped, 99)
    assert surely_within(escaped, 100)


def test_realistic_documents_are_accepted_without_the_indexer() -> None:
    document = {"deploy": {f"app{i}": {"environment_variables": {"A": "x[1]", "B": "{"},
                                       "domains": ["a", "b"], "database": {"port": 1}}
                           for i in range(200)}}
    data = json.dumps(document, indent=2).encode()
    assert data.count(b"{") > 100
    assert surely_within(data, 100)


def test_broken_documents_are_left_to_the_exact_pass() -> None:
    assert not surely_within(b"[" * 300, 100)
    assert not surely_within(b'[' * 120 + b'"' + b"]" * 120, 100)
    assert not surely_within(b"[" * 120 + b"}" * 120, 100)


def test_a_valid_file_is_never_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = Indexer.run

    def counting(self: Indexer) -> object:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Indexer, "run", counting)
    data = json.dumps({"deploy": {f"a{i}": {"x": [1, {"y": 2}]} for i in range(300)}}).encode()
    read = jsonpos.parse_json_bytes(data)
    assert read.problems == [] and read.document is not None
    assert calls == []


def test_the_parsed_document_is_checked_exactly() -> None:
    # Strings holding brackets cannot hide nesting from the check of the parsed value.
    data = b'["]", ' + b"[" * 100 + b"]" * 100 + b', "["]'
    assert [(p.rule, p.column) for p in jsonpos.parse_json_bytes(data).problems] == [
        ("json-too-deep", 106)]
    assert jsonpos.parse_json_bytes(b'["]", ' + b"[" * 99 + b"]" * 99 + b"]").problems == []
    with_nan = b"[NaN, " + b"[" * 101 + b"]" * 101 + b"]"
    assert [p.rule for p in jsonpos.parse_json_bytes(with_nan).problems] == ["json-too-deep"]
