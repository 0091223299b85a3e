"""The sample stack's custom JSON passes; each broken sample fails at the expected place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cookbook_tool.customjson import check_json_files
from cookbook_tool.findings import Finding, Severity

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "sample_cookbooks" / "broken-json"


def check(path: Path, schema: str = "opsworks-custom-json") -> list[Finding]:
    return check_json_files([path], schema=schema, mappings=[], base_dir=path.parent).findings


def test_sample_stack_custom_json_passes() -> None:
    path = ROOT / "sample_cookbooks" / "opsworks-stack" / "stack" / "custom.json"
    document = json.loads(path.read_text())
    assert {app["application_type"] for app in document["deploy"].values()} == {"java", "nodejs"}
    assert check(path) == []


@pytest.mark.parametrize(
    ("name", "rule", "severity", "path", "line", "column", "words"),
    [
        ("port-as-string.json", "schema-violation", Severity.ERROR,
         "/deploy/javaapp/database/port", 5, 51, '"3306" is not of type integer'),
        ("reconnect-yes.json", "schema-violation", Severity.ERROR,
         "/deploy/javaapp/database/reconnect", 7, 22, '"yes" is not of type boolean'),
        ("misspelled-hots.json", "schema-unknown-key", Severity.WARNING,
         "/deploy/nodeapp/database/hots", 6, 9, 'did you mean "host"?'),
        ("duplicate-key.json", "json-duplicate-key", Severity.ERROR,
         "/deploy/nodeapp/database/host", 7, 9, 'duplicate key "host" (first on line 5)'),
        ("trailing-comma.json", "json-syntax", Severity.ERROR, None, 4, 35, "trailing comma"),
        ("nan.json", "json-invalid-number", Severity.ERROR,
         "/deploy/nodeapp/keep_releases", 4, 24, "NaN is not valid JSON"),
        ("not-object.json", "custom-json-not-object", Severity.ERROR, "", 1, 1,
         "must be a JSON object, not an array"),
    ],
)
def test_broken_sample_fails_at_the_expected_place(
    name: str, rule: str, severity: Severity, path: str | None, line: int, column: int, words: str
) -> None:
    findings = check(BROKEN / name)
    assert len(findings) == 1, findings
    found = findings[0]
    assert (found.rule, found.severity, found.path, found.line, found.column) == (
        rule, severity, path, line, column)
    assert words in found.message
    assert found.file == (BROKEN / name).as_posix()


def test_every_broken_sample_is_covered() -> None:
    covered = {"port-as-string.json", "reconnect-yes.json", "misspelled-hots.json",
               "duplicate-key.json", "trailing-comma.json", "nan.json", "not-object.json"}
    assert {p.name for p in BROKEN.glob("*.json")} == covered


def test_too_large_custom_json_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    filler = {f"attribute_{i:05d}": "x" * 100 for i in range(1200)}
    path.write_text(json.dumps({"my_cookbook": filler}))
    assert path.stat().st_size > 120 * 1024
    findings = check(path)
    assert [(f.rule, f.severity) for f in findings] == [("custom-json-too-large", Severity.ERROR)]
    assert "120 KB" in findings[0].message


def test_just_under_the_limit_passes(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    text = json.dumps({"my_cookbook": {"blob": ""}})
    path.write_text(text.replace('""', '"' + "x" * (120 * 1024 - len(text)) + '"'))
    assert path.stat().st_size == 120 * 1024
    assert check(path) == []
