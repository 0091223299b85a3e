"""Layers, lifecycle events and run lists (core and CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cookbook_tool.config import load_config
from cookbook_tool.errors import UsageError
from cookbook_tool.layers import custom_recipes, run_list, ssm_run_list
from tests.cli import ROOT, run_cli

SAMPLE = ROOT / "sample_cookbooks" / "opsworks-stack"


def _config(tmp_path: Path, layers: str):
    path = tmp_path / "cookbook-tool.toml"
    path.write_text(layers)
    return load_config(path)


def test_multi_layer_run_list_keeps_order_and_drops_duplicates(tmp_path):
    config = _config(tmp_path, """
[layers.java-app]
deploy = ["webapp::deploy", "db_connect"]
[layers.node-app]
deploy = ["db_connect::default", "nodejs_demo", "webapp::deploy"]
""")  # fmt: skip
    assert run_list(config, ["java-app", "node-app"], "deploy") == [
        "webapp::deploy", "db_connect", "nodejs_demo"]  # fmt: skip
    assert run_list(config, ["node-app", "java-app"], "deploy") == [
        "db_connect::default", "nodejs_demo", "webapp::deploy"]  # fmt: skip
    assert run_list(config, ["java-app"], "setup") == []


def test_run_list_errors(tmp_path):
    config = _config(tmp_path, "[layers.web]\nsetup = ['x']\n")
    with pytest.raises(UsageError, match="unknown layer 'wbe'.*did you mean 'web'"):
        run_list(config, ["wbe"], "setup")
    with pytest.raises(UsageError, match="unknown event 'boot'"):
        run_list(config, ["web"], "boot")


def test_custom_recipes_and_ssm_run_list(tmp_path):
    config = _config(tmp_path, "[layers.web]\nsetup = ['a']\nshutdown = ['a::stop']\n")
    assert custom_recipes(config) == {
        "web": {"Setup": ["a"], "Configure": [], "Deploy": [], "Undeploy": [],
                "Shutdown": ["a::stop"]}}  # fmt: skip
    assert ssm_run_list(["a", "b::c"]) == "recipe[a],recipe[b::c]"


def test_runlist_cli(tmp_path):
    result = run_cli("runlist", "--layer", "java-app", "--layer", "node-app", "--event",
                     "deploy", "--format", "json", cwd=SAMPLE)  # fmt: skip
    assert result.code == 0, result.stderr
    document = result.json()
    assert document["recipes"] == ["webapp::deploy", "db_connect", "nodejs_demo"]
    assert document["ssm_run_list"] == (
        "recipe[webapp::deploy],recipe[db_connect],recipe[nodejs_demo]")  # fmt: skip


def test_layers_cli_prints_update_layer_json():
    result = run_cli("layers", cwd=SAMPLE)
    assert result.code == 0, result.stderr
    line = [x for x in result.stdout.splitlines() if "--custom-recipes" in x][1]
    payload = json.loads(line.split("--custom-recipes ", 1)[1].strip("'"))
    assert payload["Deploy"] == ["db_connect", "nodejs_demo"]


def test_layers_cli_without_config(tmp_path):
    result = run_cli("layers", cwd=tmp_path)
    assert result.code == 2 and "new config" in result.stderr


def test_validate_reports_missing_layer_recipes(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE, repo)
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('"webapp::deploy", "db_connect"',
                                                 '"webapp::deploi", "db_conect"'))  # fmt: skip
    result = run_cli("validate", repo, "--format", "json")
    assert result.code == 1
    findings = [f for f in result.json()["findings"] if f["rule"] == "layer-recipe-missing"]
    assert len(findings) == 2
    assert all(f["file"].endswith("cookbook-tool.toml") and f["line"] == 15 for f in findings)
    messages = " ".join(f["message"] for f in findings)
    assert "did you mean 'webapp::deploy'" in messages and "did you mean 'db_connect'" in messages
