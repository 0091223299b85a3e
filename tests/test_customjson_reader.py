"""Strict JSON reading: every bad-input class is a problem with a place, never an exception."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cookbook_tool.customjson.jsonpos import parse_json_bytes, read_json_file
from cookbook_tool.errors import LocalError

ROOT = Path(__file__).resolve().parent.parent


def problems(data: bytes, **limits: int) -> list[tuple[str, int | None, int | None]]:
    return [(p.rule, p.line, p.column) for p in parse_json_bytes(data, **limits).problems]


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n"])
def test_empty_files_are_refused(data: bytes) -> None:
    assert problems(data) == [("json-empty", None, None)]


def test_a_utf8_bom_is_accepted_and_positions_ignore_it() -> None:
    read = parse_json_bytes(b'\xef\xbb\xbf{"a": [1, "x"]}')
    assert read.problems == []
    assert read.document is not None
    assert read.document.value == {"a": [1, "x"]}
    assert read.document.locate(("a", 1)) == (1, 11)


def test_invalid_utf8_is_refused_with_its_place() -> None:
    data = '{\n  "name": "caf\u00e9",\n  "x": "'.encode() + b"\xff\xfe" + b'"\n}'
    assert problems(data) == [("json-encoding", 3, 9)]
    assert "0xff" in parse_json_bytes(data).problems[0].message


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "a": 1,\n  "b": 2,\n}', 3, 9, "trailing comma"),
        ('[1, 2,\n]', 1, 6, "trailing comma"),
        ("{'a': 1}", 1, 2, "double quotes"),
        ('{"a": 1\n "b": 2}', 2, 2, "delimiter"),
        ('{"a": tru}', 1, 7, "Expecting value"),
        ('{"a": 1} {"b": 2}', 1, 10, "Extra data"),
        ('{"a": "line\nbreak"}', 1, 12, "control character"),
    ],
)
def test_syntax_errors_have_line_and_column(text: str, line: int, column: int, words: str) -> None:
    read = parse_json_bytes(text.encode())
    assert [(p.rule, p.line, p.column) for p in read.problems] == [("json-syntax", line, column)]
    assert words in read.problems[0].message


def test_duplicate_keys_are_reported_each_at_the_repeated_key() -> None:
    text = ('{\n  "db": {\n    "host": "a",\n    "port": 1,\n    "host": "b"\n  },\n'
            '  "db2": 1,\n  "db2": 2\n}')
    read = parse_json_bytes(text.encode())
    found = [(p.rule, p.line, p.column, p.path) for p in read.problems]
    assert found == [
        ("json-duplicate-key", 5, 5, ("db", "host")),
        ("json-duplicate-key", 8, 3, ("db2",)),
    ]
    assert "first on line 3" in read.problems[0].message
    # The document is still available (with the value a JSON reader keeps: the last one).
    assert read.document is not None
    assert read.document.value == {"db": {"host": "b", "port": 1}, "db2": 2}


def test_same_key_in_different_objects_is_no_duplicate() -> None:
    assert problems(b'{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}') == []


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(token: str) -> None:
    read = parse_json_bytes(f'{{\n  "values": [1, {token}]\n}}'.encode())
    assert [(p.rule, p.line, p.column, p.path) for p in read.problems] == [
        ("json-invalid-number", 2, 17, ("values", 1))
    ]
    assert token in read.problems[0].message


@pytest.mark.parametrize("depth", [101, 5_000, 200_000])
def test_absurd_depth_is_refused_without_recursion_error(depth: int) -> None:
    data = b'{"a": ' * depth + b"1" + b"}" * depth
    found = problems(data)
    assert found == [("json-too-deep", 1, 601)]  # the 101st object opens at column 601


def test_depth_at_the_limit_is_accepted() -> None:
    data = b"[" * 100 + b"]" * 100
    assert problems(data) == []


def test_unterminated_deep_document_is_still_too_deep() -> None:
    assert problems(b"[" * 300_000)[0][0] == "json-too-deep"


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"1," * 600 + b"1]")
    read = read_json_file(path, max_bytes=1000)
    assert [p.rule for p in read.problems] == ["json-too-large"]
    assert "1,203 bytes" in read.problems[0].message


def test_missing_file_and_directory_are_local_errors(tmp_path: Path) -> None:
    with pytest.raises(LocalError, match=r"missing\.json: cannot read"):
        read_json_file(tmp_path / "missing.json")
    with pytest.raises(LocalError, match="is a directory"):
        read_json_file(tmp_path)


def test_every_value_and_key_is_located() -> None:
    document = {"deploy": {"app": {"database": {"port": 3306, "tags": ["a", {"b": None}]}}}}
    text = json.dumps(document, indent=2)
    read = parse_json_bytes(text.encode())
    assert read.document is not None
    lines = text.splitlines()
    for path, needle in [
        (("deploy", "app", "database", "port"), "3306"),
        (("deploy", "app", "database", "tags", 0), '"a"'),
        (("deploy", "app", "database", "tags", 1, "b"), "null"),
    ]:
        line, column = read.document.locate(path)
        assert line is not None and column is not None
        assert lines[line - 1][column - 1 :].startswith(needle)
    line, column = read.document.locate_key(("deploy", "app", "database", "port"))
    assert line is not None and column is not None
    assert lines[line - 1][column - 1 :].startswith('"port"')


def test_columns_count_characters_not_bytes() -> None:
    read = parse_json_bytes('{"n\u00e4me": "\u00fc\u00fc", "x": 1}'.encode())
    assert read.document is not None
    assert read.document.locate(("x",)) == (1, 21)


def test_unknown_paths_fall_back_to_the_nearest_ancestor() -> None:
    read = parse_json_bytes(b'{\n "a": {"b": 1}}')
    assert read.document is not None
    assert read.document.locate(("a", "missing")) == (2, 7)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


Path_ = tuple[str | int, ...]


def _leaves(value: object, path: Path_ = ()) -> list[tuple[Path_, object]]:
    found: list[tuple[Path_, object]] = [(path, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _leaves(child, (*path, index))
    return found


@settings(max_examples=150, deadline=None)
@given(value=_json_values, indent=st.sampled_from([None, 1, 2]))
def test_located_positions_point_at_the_value(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    read = parse_json_bytes(text.encode())
    assert read.problems == []
    assert read.document is not None
    lines = text.split("\n")
    decoder = json.JSONDecoder()
    for path, expected in _leaves(value):
        line, column = read.document.locate(path)
        assert line is not None and column is not None
        found, _ = decoder.raw_decode(lines[line - 1] + "\n".join(lines[line:]), column - 1)
        assert found == expected


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("9" * 5_000, "5,000 digits is too long"),
        ("-" + "1" * 4_301, "4,301 digits is too long"),
        ("1e999999", "1e999999 is too large"),
        ("-1E+400", "-1E+400 is too large"),
        ("1" * 400 + ".5", "overflows to infinity"),
    ],
)
def test_numbers_that_cannot_be_checked_are_refused_with_their_place(token: str,
                                                                     words: str) -> None:
    read = parse_json_bytes(f'{{\n  "a": {{"b": [1, {token}], "c": 2.5}}\n}}'.encode())
    assert [(p.rule, p.line, p.column, p.path) for p in read.problems] == [
        ("json-invalid-number", 2, 18, ("a", "b", 1))
    ]
    message = read.problems[0].message
    assert words in message and len(message) < 200
    assert read.document is not None  # the rest of the document is still checked
    assert read.document.value == {"a": {"b": [1, read.document.value["a"]["b"][1]], "c": 2.5}}


@pytest.mark.parametrize("token", ["9" * 4_300, "1e308", "-1.7976931348623157e308", "1e-999999"])
def test_numbers_at_the_limits_are_accepted(token: str) -> None:
    assert problems(f"[{token}]".encode()) == []


def test_a_huge_number_is_a_finding_and_other_files_are_still_checked(tmp_path: Path) -> None:
    from cookbook_tool.customjson import check_json_files

    huge = tmp_path / "a-huge.json"
    huge.write_text('{"deploy": {"app": {"environment": {"N": ' + "1" * 5_000 + "}}}}")
    other = tmp_path / "b-other.json"
    other.write_text('{"deploy": {"app": {"keep_releases": 1e999999, "domains": "x"}}}')
    result = check_json_files([huge, other], schema="opsworks-custom-json", mappings=[],
                              base_dir=tmp_path)
    assert [(Path(f.file or "").name, f.rule, f.path, f.line, f.column)
            for f in result.findings] == [
        ("a-huge.json", "json-invalid-number", "/deploy/app/environment/N", 1, 42),
        ("b-other.json", "json-invalid-number", "/deploy/app/keep_releases", 1, 38),
        ("b-other.json", "schema-violation", "/deploy/app/domains", 1, 59),
    ]
    assert result.checked == [huge, other]


@pytest.mark.parametrize(("limit", "most"), [("0", 4300), ("640", 640), ("100000", 4300)])
def test_the_integer_limit_is_4300_digits_unless_the_interpreter_sets_less(limit: str,
                                                                            most: int) -> None:
    code = ("from cookbook_tool.customjson.jsonpos import parse_json_bytes\n"
            f"ok = parse_json_bytes(b'[' + b'7' * {most} + b']')\n"
            f"bad = parse_json_bytes(b'[' + b'7' * {most + 1} + b']').problems\n"
            "assert ok.document is not None and ok.document.value[0] % 10 == 7\n"
            "print(len(ok.problems), [(p.rule, p.column) for p in bad], bad[0].message)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONINTMAXSTRDIGITS": limit,
                                            "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 [('json-invalid-number', 2)] a number of "
                                  f"{most + 1:,} digits is too long to check (at most {most:,})")
