"""The fast pass and the depth limit in one Rust walk: a valid document costs one conversion,
and every verdict stays what the two separate checks give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cookbook_tool.customjson.check import check_file
from cookbook_tool.customjson.compiled import CompiledSchema, compile_schema
from cookbook_tool.customjson.schemastore import resolve_schema
from cookbook_tool.metadata.jsonindex import MAX_DEPTH

APP = {"application": "web", "application_type": "rails", "deploy_to": "/srv/www/web",
       "database": {"host": "db", "port": 3306}}


def _deep(levels: int) -> object:
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("document, valid", [
    ({"deploy": {"web": APP}}, True),
    ({"deploy": {"web": {**APP, "database": {"port": "3306"}}}}, False),
    ({"deploy": {"web": APP}, "mine": _deep(63)}, True),  # the root is the 64th level
    ({"deploy": {"web": APP}, "mine": _deep(64)}, False),
])
def test_valid_within_is_valid_and_within_the_depth(document: object, valid: bool) -> None:
    schema = compile_schema("opsworks-custom-json", Path("."))
    assert schema.is_valid_within(document, 64) is valid


def test_too_deep_but_valid_is_still_too_deep(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"deploy": {"web": APP}, "mine": _deep(MAX_DEPTH + 5)}))
    findings = check_file(path, compile_schema("opsworks-custom-json", Path(".")))
    assert [f.rule for f in findings] == ["json-too-deep"]


def test_valid_is_quiet_and_invalid_is_explained(tmp_path: Path) -> None:
    schema = compile_schema("opsworks-custom-json", Path("."))
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"deploy": {"web": APP}}, indent=2))
    bad.write_text(json.dumps({"deploy": {"web": {**APP, "database": {"port": "3306"}}}},
                              indent=2))
    assert check_file(good, schema) == []
    [finding] = check_file(bad, schema)
    assert (finding.rule, finding.path, finding.line) == (
        "schema-violation", "/deploy/web/database/port", 8)


def test_a_schema_of_another_dialect_is_checked_in_two_walks(tmp_path: Path) -> None:
    path = tmp_path / "draft7.json"
    path.write_text(json.dumps({"$schema": "http://json-schema.org/draft-07/schema#",
                                "type": "object", "required": ["a"]}))
    schema = CompiledSchema(resolve_schema(str(path), tmp_path))
    assert schema.is_valid_within({"a": 1}, 64) is False  # not combined: asked separately
    assert schema.is_valid({"a": 1}) is True
    target = tmp_path / "doc.json"
    target.write_text('{"b": 1}')
    assert [f.rule for f in check_file(target, schema)] == ["schema-violation"]
