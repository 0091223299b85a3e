"""Schema patterns never backtrack catastrophically: ``^(a+)+$`` against 41 ``a`` and a ``!``
(minutes for Python's ``re``) is answered at once, by the same engine in every pass."""

from __future__ import annotations

import json
from pathlib import Path

from cookbook_tool.customjson import check_json_files
from cookbook_tool.customjson.patterns import search
from tests.cli import run_process

EVIL = "^(a+)+$"
VALUE = "a" * 41 + "!"


def _check(tmp_path: Path, schema: dict[str, object], document: object) -> list[tuple[str, str]]:
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "doc.json").write_text(json.dumps(document, indent=2))
    result = check_json_files([tmp_path / "doc.json"], schema="schema.json", mappings=[],
                              base_dir=tmp_path)
    return [(f.path or "", f.message) for f in result.findings]


def test_a_catastrophic_pattern_is_reported_not_hung(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text(json.dumps(
        {"properties": {"name": {"type": "string", "pattern": EVIL}}}))
    (tmp_path / "doc.json").write_text(json.dumps({"name": VALUE}))
    # A real process with a timeout: before the fix, this never ended.
    result = run_process("validate", "--schema", tmp_path / "schema.json", "--format", "json",
                         tmp_path / "doc.json", timeout=60)
    assert result.code == 1, result.stdout + result.stderr
    [finding] = result.json()["findings"]
    assert finding["path"] == "/name"
    assert f"does not match the pattern {EVIL}" in finding["message"]


def test_pattern_properties_and_additional_properties_match_safely(tmp_path: Path) -> None:
    schema = {"type": "object", "patternProperties": {EVIL: {"type": "integer"}},
              "additionalProperties": False}
    found = _check(tmp_path, schema, {"aaa": "x", VALUE: 1})
    assert found == [("/aaa", '"x" is not of type integer'),
                     (f"/{VALUE}", f'unknown key "{VALUE}"')]


def test_unknown_key_warnings_match_pattern_properties_safely(tmp_path: Path) -> None:
    schema = {"type": "object", "x-unknown-keys": "warn", "properties": {"known": {}},
              "patternProperties": {EVIL: {}}}
    found = _check(tmp_path, schema, {"known": 1, "aaaa": 2, VALUE: 3})
    assert [path for path, _ in found] == [f"/{VALUE}"]


def test_both_passes_agree_with_ecmascript_classes(tmp_path: Path) -> None:
    # Python's re and Rust's regex differ on some classes; one engine decides for both passes,
    # so a document the fast pass rejects always gets its explanation.
    schema = {"properties": {"code": {"type": "string", "pattern": "^\\d+$"}}}
    assert _check(tmp_path, schema, {"code": "123"}) == []
    [(path, message)] = _check(tmp_path, schema, {"code": "12a"})
    assert path == "/code" and "does not match the pattern" in message


def test_lookaround_patterns_say_they_are_bounded(tmp_path: Path) -> None:
    schema = {"properties": {"v": {"type": "string", "pattern": "^(?!admin)[a-z]+$"}}}
    assert search("^(?!admin)[a-z]+$", "deploy")
    [(path, message)] = _check(tmp_path, schema, {"v": "admin"})
    assert path == "/v" and "1,000,000 backtracking steps" in message
