"""Layers, lifecycle events and run lists (core and CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cookbook_tool.config.load import load_config
from cookbook_tool.cookbook.layers import custom_recipes, run_list, ssm_run_list
from cookbook_tool.errors import UsageError
from tests.cli import ROOT, run_cli
from tests.samples import copy_sample

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
""")
    assert run_list(config, ["java-app", "node-app"], "deploy") == [
        "webapp::deploy", "db_connect", "nodejs_demo"]
    assert run_list(config, ["node-app", "java-app"], "deploy") == [
        "db_connect::default", "nodejs_demo", "webapp::deploy"]
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
                "Shutdown": ["a::stop"]}}
    assert ssm_run_list(["a", "b::c"]) == "recipe[a],recipe[b::c]"


def test_runlist_cli(tmp_path):
    result = run_cli("runlist", "--layer", "java-app", "--layer", "node-app", "--event",
                     "deploy", "--format", "json", cwd=SAMPLE)
    assert result.code == 0, result.stderr
    document = result.json()
    assert document["recipes"] == ["webapp::deploy", "db_connect", "nodejs_demo"]
    assert document["ssm_run_list"] == (
        "recipe[webapp::deploy],recipe[db_connect],recipe[nodejs_demo]")


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
    copy_sample(SAMPLE, repo)
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('"webapp::deploy", "db_connect"',
                                                 '"webapp::deploi", "db_conect"'))
    result = run_cli("validate", repo, "--format", "json")
    assert result.code == 1
    findings = [f for f in result.json()["findings"] if f["rule"] == "layer-recipe-missing"]
    assert len(findings) == 2
    assert all(f["file"].endswith("cookbook-tool.toml") and f["line"] == 15 for f in findings)
    messages = " ".join(f["message"] for f in findings)
    assert "did you mean 'webapp::deploy'" in messages and "did you mean 'db_connect'" in messages


def _misspelt_setup(tmp_path: Path) -> Path:
    """A copy of the sample whose java-app layer runs ``webapp::Deploy`` on setup."""
    repo = tmp_path / "repo"
    copy_sample(SAMPLE, repo)
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('setup = ["webapp"]',
                                                 'setup = ["webapp::Deploy"]'))
    return repo


def test_layers_cli_reports_missing_recipes_and_still_prints(tmp_path):
    repo = _misspelt_setup(tmp_path)
    result = run_cli("layers", cwd=repo)
    assert result.code == 1, result.stderr
    assert '"Setup":["webapp::Deploy"]' in result.stdout  # still printed, to be inspected
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "cookbook-tool layers: warning: cookbook-tool.toml:14: [layer-recipe-missing] layer "
        "'java-app' runs 'webapp::Deploy' on setup, but webapp has no recipes/Deploy.rb "
        "(did you mean 'webapp::deploy'?)"
    ]
    document = run_cli("layers", "--format", "json", cwd=repo)
    assert document.code == 1
    assert document.json()["ok"] is False
    assert document.json()["layers"]["java-app"]["Setup"] == ["webapp::Deploy"]
    assert [f["rule"] for f in document.json()["findings"]] == ["layer-recipe-missing"]


def test_runlist_cli_reports_missing_recipes_it_prints(tmp_path):
    repo = _misspelt_setup(tmp_path)
    bad = run_cli("runlist", "--layer", "java-app", "--event", "setup", cwd=repo / "cookbooks")
    assert bad.code == 1, bad.stderr
    assert "AWS-ApplyChefRecipes RunList: recipe[webapp::Deploy]" in bad.stdout
    assert "did you mean 'webapp::deploy'" in bad.stderr
    # another event, or a layer that runs no missing recipe, is fine
    for args in (("--layer", "java-app", "--event", "deploy"),
                 ("--layer", "node-app", "--event", "setup")):
        good = run_cli("runlist", *args, "--format", "json", cwd=repo)
        assert good.code == 0, good.stderr
        assert good.json()["ok"] is True and good.json()["findings"] == []
        assert "warning" not in good.stderr


def test_layers_and_runlist_never_import_boto3_or_git(tmp_path):
    repo = _misspelt_setup(tmp_path)
    code = (
        "import sys\n"
        "from cookbook_tool.cli.app import app\n"
        "for args in (['layers'], ['runlist', '-l', 'java-app', '-e', 'setup']):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 1, exc.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'git'))\n"
        "assert not bad, bad\n"
        "print('clean')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=repo)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("clean")
