"""``cookbook-tool validate`` as the pre-commit hooks call it: from the repository root, with the
changed files relative to it, and ``--skip-json`` (cookbook-validate) or ``--only-json``
(custom-json). The real pre-commit runs are in test_precommit_hooks.py."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli import run_cli


def _string_port(repo: Path) -> None:
    custom = repo / "stack/custom.json"
    custom.write_text(custom.read_text().replace('"port": 3306', '"port": "3306"', 1))


def test_skip_json_leaves_mapped_json_alone_and_notes_loose_files(sample_repo: Path) -> None:
    _string_port(sample_repo)
    (sample_repo / "NOTES.txt").write_text("hello\n")
    result = run_cli("validate", "--skip-json", "--format", "json", "stack/custom.json",
                     "NOTES.txt", cwd=sample_repo)
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["findings"] == []
    text = run_cli("validate", "--skip-json", "stack/custom.json", "NOTES.txt", cwd=sample_repo)
    assert "not checked: NOTES.txt" in text.stderr
    assert "custom.json" not in text.stderr + text.stdout


def test_only_json_leaves_cookbook_json_to_the_cookbook_check(sample_repo: Path) -> None:
    metadata = sample_repo / "cookbooks/webapp/metadata.json"
    metadata.write_text('{"name": "webapp", "version": "one"}')
    result = run_cli("validate", "--only-json", "cookbooks/webapp/metadata.json", cwd=sample_repo)
    assert result.code == 0, result.stdout + result.stderr
    assert "metadata.json" not in result.stdout + result.stderr
    cookbook = run_cli("validate", "--skip-json", "--format", "json",
                       "cookbooks/webapp/metadata.json", cwd=sample_repo)
    assert cookbook.code == 1
    assert {(f["file"], f["rule"]) for f in cookbook.json()["findings"]} >= {
        ("cookbooks/webapp/metadata.json", "metadata-invalid-version")
    }


def test_only_json_checks_cookbook_json_a_mapping_names(sample_repo: Path) -> None:
    config = sample_repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace(
        'files = ["stack/*.json"]', 'files = ["stack/*.json", "cookbooks/*/data/*.json"]'))
    data = sample_repo / "cookbooks/webapp/data/custom.json"
    data.parent.mkdir()
    data.write_text('{"deploy": {"app": {"database": {"port": "3306"}}}}')
    result = run_cli("validate", "--only-json", "--format", "json",
                     "cookbooks/webapp/data/custom.json", cwd=sample_repo)
    assert result.code == 1, result.stdout + result.stderr
    assert [f["rule"] for f in result.json()["findings"]] == ["schema-violation"]


def test_changed_dependency_checks_its_dependents(sample_repo: Path) -> None:
    metadata = sample_repo / "cookbooks/db_connect/metadata.rb"
    metadata.write_text(re.sub(r"(?m)^version .*$", "version '2.0.0'", metadata.read_text()))
    result = run_cli("validate", "--skip-json", "--format", "json",
                     "cookbooks/db_connect/metadata.rb", cwd=sample_repo)
    assert result.code == 1, result.stdout + result.stderr
    document = result.json()
    assert document["cookbooks"] == ["db_connect", "nodejs_demo", "webapp"]
    assert ("cookbooks/webapp/metadata.rb", "dependency-unsatisfied") in {
        (f["file"], f["rule"]) for f in document["findings"]
    }


def test_unchanged_dependents_are_not_checked_for_a_leaf_change(sample_repo: Path) -> None:
    result = run_cli("validate", "--skip-json", "--format", "json",
                     "cookbooks/webapp/recipes/deploy.rb", cwd=sample_repo)
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["cookbooks"] == ["webapp"]


def test_changed_config_checks_every_cookbook_and_layer(sample_repo: Path) -> None:
    config = sample_repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace("webapp::deploy", "webapp::deplyo"))
    result = run_cli("validate", "--skip-json", "--format", "json", "cookbook-tool.toml",
                     cwd=sample_repo)
    assert result.code == 1, result.stdout + result.stderr
    document = result.json()
    assert document["cookbooks"] == ["db_connect", "nodejs_demo", "webapp"]
    assert [(f["file"], f["rule"]) for f in document["findings"]] == [
        ("cookbook-tool.toml", "layer-recipe-missing")
    ]


def _strict_schema(repo: Path) -> Path:
    """Map stack/*.json to a user schema, strict.json, that the sample custom JSON satisfies."""
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('schema = "opsworks-custom-json"',
                                                 'schema = "schemas/strict.json"'))
    schema = repo / "schemas/strict.json"
    schema.parent.mkdir()
    schema.write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema",'
                      ' "type": "object", "required": ["deploy"]}')
    return schema


def test_changed_user_schema_checks_every_file_it_maps(sample_repo: Path) -> None:
    schema = _strict_schema(sample_repo)
    assert run_cli("validate", cwd=sample_repo).code == 0
    schema.write_text(schema.read_text().replace('["deploy"]', '["deploy", "region"]'))
    full = run_cli("validate", "--format", "json", cwd=sample_repo)
    assert full.code == 1, full.stdout + full.stderr
    hook = run_cli("validate", "--only-json", "--format", "json", "schemas/strict.json",
                   cwd=sample_repo)
    assert hook.code == 1, hook.stdout + hook.stderr
    assert hook.json()["json_files"] == ["stack/custom.json"]
    assert {(f["file"], f["rule"]) for f in hook.json()["findings"]} == {
        ("stack/custom.json", "schema-violation")
    }
    text = run_cli("validate", "--only-json", "schemas/strict.json", cwd=sample_repo)
    assert "not checked" not in text.stderr
    # the cookbook hook leaves the schema file to the custom JSON hook, without a note
    cookbook = run_cli("validate", "--skip-json", "schemas/strict.json", cwd=sample_repo)
    assert cookbook.code == 0 and "not checked" not in cookbook.stderr


def test_changed_config_checks_every_mapped_json_file(sample_repo: Path) -> None:
    _strict_schema(sample_repo)
    (sample_repo / "stack/other.json").write_text('{"other": 1}')
    config = sample_repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('"stack/*.json"', '"stack/custom.json"'))
    assert run_cli("validate", cwd=sample_repo).code == 0
    config.write_text(config.read_text().replace('"stack/custom.json"', '"stack/*.json"'))
    hook = run_cli("validate", "--only-json", "--format", "json", "cookbook-tool.toml",
                   cwd=sample_repo)
    assert hook.code == 1, hook.stdout + hook.stderr
    assert hook.json()["json_files"] == ["stack/custom.json", "stack/other.json"]
    assert {(f["file"], f["rule"]) for f in hook.json()["findings"]} == {
        ("stack/other.json", "schema-violation")
    }


def test_json_only_summary_never_talks_about_cookbooks(sample_repo: Path) -> None:
    (sample_repo / "other.json").write_text("{}")
    # (--schema with an empty folder is refused: tests/test_customjson_inputs.py)
    for args in (("--only-json", "other.json"),):
        result = run_cli("validate", *args, cwd=sample_repo)
        assert result.code == 0, result.stdout + result.stderr
        assert "OK: 0 JSON file(s) checked" in result.stdout
        assert "cookbook" not in result.stdout
    mapped = run_cli("validate", "--only-json", "stack/custom.json", cwd=sample_repo)
    assert "OK: 1 JSON file(s) checked" in mapped.stdout
