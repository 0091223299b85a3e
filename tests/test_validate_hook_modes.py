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
                     "NOTES.txt", cwd=sample_repo)  # fmt: skip
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
                       "cookbooks/webapp/metadata.json", cwd=sample_repo)  # fmt: skip
    assert cookbook.code == 1
    assert {(f["file"], f["rule"]) for f in cookbook.json()["findings"]} >= {
        ("cookbooks/webapp/metadata.json", "metadata-invalid-version")
    }


def test_only_json_checks_cookbook_json_a_mapping_names(sample_repo: Path) -> None:
    config = sample_repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace(
        'files = ["stack/*.json"]', 'files = ["stack/*.json", "cookbooks/*/data/*.json"]'))  # fmt: skip
    data = sample_repo / "cookbooks/webapp/data/custom.json"
    data.parent.mkdir()
    data.write_text('{"deploy": {"app": {"database": {"port": "3306"}}}}')
    result = run_cli("validate", "--only-json", "--format", "json",
                     "cookbooks/webapp/data/custom.json", cwd=sample_repo)  # fmt: skip
    assert result.code == 1, result.stdout + result.stderr
    assert [f["rule"] for f in result.json()["findings"]] == ["schema-violation"]


def test_changed_dependency_checks_its_dependents(sample_repo: Path) -> None:
    metadata = sample_repo / "cookbooks/db_connect/metadata.rb"
    metadata.write_text(re.sub(r"(?m)^version .*$", "version '2.0.0'", metadata.read_text()))
    result = run_cli("validate", "--skip-json", "--format", "json",
                     "cookbooks/db_connect/metadata.rb", cwd=sample_repo)  # fmt: skip
    assert result.code == 1, result.stdout + result.stderr
    document = result.json()
    assert document["cookbooks"] == ["db_connect", "nodejs_demo", "webapp"]
    assert ("cookbooks/webapp/metadata.rb", "dependency-unsatisfied") in {
        (f["file"], f["rule"]) for f in document["findings"]
    }


def test_unchanged_dependents_are_not_checked_for_a_leaf_change(sample_repo: Path) -> None:
    result = run_cli("validate", "--skip-json", "--format", "json",
                     "cookbooks/webapp/recipes/deploy.rb", cwd=sample_repo)  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["cookbooks"] == ["webapp"]


def test_changed_config_checks_every_cookbook_and_layer(sample_repo: Path) -> None:
    config = sample_repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace("webapp::deploy", "webapp::deplyo"))
    result = run_cli("validate", "--skip-json", "--format", "json", "cookbook-tool.toml",
                     cwd=sample_repo)  # fmt: skip
    assert result.code == 1, result.stdout + result.stderr
    document = result.json()
    assert document["cookbooks"] == ["db_connect", "nodejs_demo", "webapp"]
    assert [(f["file"], f["rule"]) for f in document["findings"]] == [
        ("cookbook-tool.toml", "layer-recipe-missing")
    ]
