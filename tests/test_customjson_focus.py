"""The explaining pass looks only where the fast pass found errors, and finds the same
violations as a walk of the whole document."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cookbook_tool.customjson.compiled import CompiledSchema, compile_schema

SCHEMA = {
    "type": "object",
    "properties": {
        "mode": {"oneOf": [{"type": "integer"}, {"enum": ["a", "b"]}]},
        "items": {"type": "array", "items": {"type": "object",
                                             "properties": {"n": {"type": "integer"}}}},
    },
    "patternProperties": {"^x-": {"type": "string", "pattern": "^[a-z]+$"}},
    "additionalProperties": {"type": "object", "required": ["id"],
                             "properties": {"id": {"type": "integer"}}},
}


def _app(rng: random.Random) -> dict[str, object]:
    return {"application_type": "rails", "database": {"port": 3306, "reconnect": True},
            "environment_variables": {f"V{i}": "x" for i in range(rng.randint(1, 5))}}


def _break(rng: random.Random, document: dict[str, object]) -> None:
    deploy = document["deploy"]
    assert isinstance(deploy, dict)
    app = deploy[rng.choice(sorted(deploy))]
    fault = rng.randrange(4)
    if not isinstance(app["database"], dict):
        app["database"] = {"port": 1}
    if fault == 0:
        app["database"]["port"] = "3306"
    elif fault == 1:
        app["application_type"] = "django"
    elif fault == 2:
        app["environment_variables"]["BAD"] = 1
    else:
        app["database"] = []


def _both(schema: CompiledSchema, document: object, monkeypatch: pytest.MonkeyPatch,
          ) -> tuple[list[object], list[object]]:
    assert not schema.is_valid(document)
    focused = schema.violations(document)
    with monkeypatch.context() as patched:
        patched.setattr(CompiledSchema, "_focus", lambda self, instance: None)
        whole = schema.violations(document)
    return focused, whole


def test_the_builtin_schema_gets_the_same_violations(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    schema = compile_schema("opsworks-custom-json", Path("."))
    for _ in range(40):
        document = {"deploy": {f"app{i}": _app(rng) for i in range(rng.randint(1, 8))}}
        for _ in range(rng.randint(1, 3)):
            _break(rng, document)
        focused, whole = _both(schema, document, monkeypatch)
        assert focused == whole and focused


def test_a_user_schema_with_alternatives_gets_the_same_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "s.json").write_text(json.dumps(SCHEMA))
    schema = compile_schema(str(tmp_path / "s.json"), tmp_path)
    for document in (
        {"mode": "c", "items": [{"n": 1}, {"n": "x"}], "x-a": "ok", "u": {"id": 1}},
        {"mode": 1.5, "x-b": "NO", "v": {}, "w": {"id": "1"}, "items": {}},
        {"items": [{"n": 1}] * 3 + [{"n": None}], "z": 3},
    ):
        focused, whole = _both(schema, document, monkeypatch)
        assert focused == whole and focused


def test_schemas_with_unevaluated_keywords_are_walked_whole(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(
        {"properties": {"a": {}}, "unevaluatedProperties": False}))
    schema = compile_schema(str(tmp_path / "s.json"), tmp_path)
    assert not schema.is_valid({"a": 1, "b": 2})
    assert schema._focus({"a": 1, "b": 2}) is None
    assert [v.path for v in schema.violations({"a": 1, "b": 2})] == [("b",)]
