"""``migrate check``: every rule on the fixture repository written for OpsWorks
(tests/data/migrate/legacy-stack), severities by Chef version and runner, and the rules'
documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cookbook_tool.migrate.check_rules import RULES
from tests.cli import ROOT, run_cli
from tests.migrate_helpers import LEGACY, SAMPLE
from tests.samples import copy_sample

DOCS = ROOT / "docs" / "migrate.md"
ATTRIBUTE_RULES = {"migrate-parameter-advanced", "migrate-parameter-too-large"}


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample(LEGACY, tmp_path_factory.mktemp("check") / "legacy")


def _findings(root: Path, *args: str) -> list[dict]:
    result = run_cli("migrate", "check", "--format", "json", *args, cwd=root)
    assert result.code in (0, 1), result.stderr
    document = result.json()
    assert document["ok"] is (result.code == 0)
    found: list[dict] = document["findings"]
    return found


def _where(findings: list[dict]) -> set[tuple[str, int, str, str]]:
    return {(f["file"].split("legacy_app/")[1], f["line"], f["rule"], f["severity"])
            for f in findings}


def test_every_check_rule_fires_on_the_fixture(legacy: Path) -> None:
    fired = {f["rule"] for f in _findings(legacy)}
    assert fired == set(RULES) - ATTRIBUTE_RULES


def test_each_use_is_found_where_it_is(legacy: Path) -> None:
    assert _where(_findings(legacy)) == {
        ("metadata.rb", 3, "migrate-builtin-cookbook", "error"),  # opsworks_commons
        ("metadata.rb", 4, "migrate-builtin-cookbook", "error"),  # deploy
        ("metadata.rb", 5, "migrate-builtin-cookbook", "warning"),  # mysql: Supermarket has it
        ("recipes/default.rb", 1, "migrate-builtin-cookbook", "error"),
        ("recipes/default.rb", 2, "migrate-builtin-cookbook", "error"),
        ("recipes/default.rb", 4, "migrate-opsworks-attribute", "error"),
        ("recipes/default.rb", 5, "migrate-opsworks-attribute", "error"),
        ("recipes/default.rb", 7, "migrate-node-set", "error"),
        ("recipes/default.rb", 8, "migrate-node-set", "error"),
        ("recipes/default.rb", 10, "migrate-chef-gem-compile-time", "warning"),
        ("recipes/default.rb", 18, "migrate-easy-install", "error"),
        ("recipes/default.rb", 20, "migrate-erl-call", "error"),
        ("recipes/default.rb", 24, "migrate-chef-rest", "error"),
        ("recipes/deploy.rb", 1, "migrate-opsworks-data-bag", "error"),
        ("recipes/deploy.rb", 3, "migrate-deploy-attribute", "error"),
        ("recipes/deploy.rb", 4, "migrate-deploy-resource", "error"),
        ("recipes/deploy.rb", 9, "migrate-deploy-resource", "error"),
        ("templates/default/app.conf.erb", 1, "migrate-deploy-attribute", "error"),
        ("libraries/api.rb", 3, "migrate-opsworks-data-bag", "error"),
    }


def test_an_older_chef_turns_removals_into_warnings(legacy: Path) -> None:
    by_rule = {}
    for finding in _findings(legacy, "--chef-version", "12"):
        by_rule.setdefault(finding["rule"], set()).add(finding["severity"])
    for rule in ("migrate-node-set", "migrate-easy-install", "migrate-deploy-resource",
                 "migrate-erl-call", "migrate-chef-rest"):
        assert by_rule[rule] == {"warning"}, rule
    assert by_rule["migrate-opsworks-attribute"] == {"error"}
    thirteen = {f["rule"]: f["severity"] for f in _findings(legacy, "--chef-version", "13")}
    assert thirteen["migrate-chef-rest"] == "error"
    assert thirteen["migrate-node-set"] == "warning"


def test_chef_solo_can_be_given_the_data_bags(legacy: Path) -> None:
    bags = [f for f in _findings(legacy, "--target", "chef-solo")
            if f["rule"] == "migrate-opsworks-data-bag"]
    assert {f["severity"] for f in bags} == {"warning"}
    assert "data_bags/aws_opsworks_app/*.json" in bags[-1]["message"]


def test_attributes_the_custom_json_supplies_are_warnings(tmp_path: Path) -> None:
    root = copy_sample(SAMPLE, tmp_path / "stack")
    result = run_cli("migrate", "check", "--format", "json", cwd=root)
    assert result.code == 0, result.stderr
    findings = result.json()["findings"]
    assert {(f["rule"], f["severity"]) for f in findings} == {
        ("migrate-deploy-attribute", "warning")}
    assert "OpsWorks also filled deploy_to, scm" in findings[0]["message"]


def test_comments_are_not_uses(legacy: Path) -> None:
    files = {f["file"] for f in _findings(legacy)}
    assert not any(f.endswith("attributes/default.rb") for f in files)
    lines = {f["line"] for f in _findings(legacy) if f["file"].endswith("recipes/default.rb")}
    assert 26 not in lines  # node.set inside =begin/=end


@pytest.mark.parametrize("fmt", ["text", "github", "sarif"])
def test_the_validate_formats(legacy: Path, fmt: str) -> None:
    result = run_cli("migrate", "check", "--format", fmt, cwd=legacy)
    assert result.code == 1
    assert "migrate-node-set" in result.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (("--chef-version", "10"), "use 11 to 18"),
    (("--target", "lambda"), "'lambda' is not one of"),
])
def test_bad_options(legacy: Path, args: tuple[str, ...], expected: str) -> None:
    result = run_cli("migrate", "check", *args, cwd=legacy)
    assert result.code == 2
    assert expected in result.stderr


def test_every_rule_is_documented_with_its_source() -> None:
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r"^\| `(migrate-[a-z-]+)` \|.*\| ([^|]+) \|$", DOCS.read_text(),
                        re.MULTILINE)}
    assert set(rows) == set(RULES)
    for rule in RULES.values():
        cited = re.findall(r"Chef/\w+/\w+", rule.source)
        assert all(cop in rows[rule.id] for cop in cited), rule.id
    cops = set(re.findall(r"Chef/\w+/\w+", DOCS.read_text()))
    assert {"Chef/Deprecations/NodeSet", "Chef/Deprecations/EasyInstallResource",
            "Chef/Deprecations/ErlCallResource", "Chef/Deprecations/UsesChefRESTHelpers"} <= cops


def test_a_built_in_name_the_repository_holds_is_no_finding(tmp_path: Path) -> None:
    root = copy_sample(LEGACY, tmp_path / "legacy")
    own = root / "cookbooks" / "scm_helper"
    (own / "recipes").mkdir(parents=True)
    (own / "metadata.rb").write_text("name 'scm_helper'\nversion '1.0.0'\n", encoding="utf-8")
    (own / "recipes" / "default.rb").write_text("log 'vendored'\n", encoding="utf-8")
    builtin = {(f["file"].rsplit("/", 1)[-1], f["line"]) for f in _findings(root)
               if f["rule"] == "migrate-builtin-cookbook"}
    assert ("default.rb", 2) not in builtin  # include_recipe "scm_helper": vendored now
    assert ("default.rb", 1) in builtin  # opsworks_commons is still missing
