"""The path-directed locator gives exactly the places the full position index gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cookbook_tool.customjson.jsonpos import parse_json_bytes
from cookbook_tool.customjson.locator import locate_offsets
from cookbook_tool.metadata.jsonindex import Indexer

KEYS = st.sampled_from(["a", "b", "é", 'q"', "a b", "\\"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([None, 1, 3]))
def test_the_locator_agrees_with_the_index(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    index = Indexer(text, 100).run()
    for path, offset in index.values.items():
        found = locate_offsets(text, path)
        assert found is not None and found[:2] == (len(path), offset)
        if path in index.keys:
            assert found[2] == index.keys[path]


def test_a_missing_path_gives_its_nearest_ancestor() -> None:
    text = '{\n  "deploy": {\n    "app": {"port": 1}\n  }\n}'
    found = locate_offsets(text, ("deploy", "app", "host", "x"))
    assert found == (2, text.index('{"port"'), text.index('"app"'))
    assert locate_offsets(text, ("deploy", 0)) == (1, text.index('{\n    "app"'),
                                                   text.index('"deploy"'))


def test_repeated_keys_locate_the_last_one_like_the_parsed_value() -> None:
    text = '{"a": 1, "b": {"x": 1}, "a": 2}'
    assert locate_offsets(text, ("a",)) == (1, text.rindex("2"), text.rindex('"a"'))


def test_a_failing_file_is_located_without_the_full_index() -> None:
    document = {"deploy": {f"app{i}": {"database": {"port": 3306}} for i in range(50)}}
    text = json.dumps(document, indent=2)
    read = parse_json_bytes(text.encode())
    assert read.document is not None
    line, column = read.document.locate(("deploy", "app49", "database", "port"))
    offset = text.index("3306", text.index('"app49"'))
    assert (line, column) == (text.count("\n", 0, offset) + 1,
                              offset - text.rindex("\n", 0, offset))
    assert read.document._index is None  # never built
