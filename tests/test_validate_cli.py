"""``cookbook-tool validate`` through the real entry point, on the samples and on made-up
repositories for every rule."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import ROOT, run_cli
from tests.samples import copy_sample

SAMPLES = ROOT / "sample_cookbooks"
BROKEN = sorted(p for p in (SAMPLES / "broken").iterdir() if p.is_dir())
FINDING_KEYS = {"rule", "severity", "cookbook", "file", "line", "column", "path", "message"}


def test_good_sample_validates_clean():
    result = run_cli("validate", SAMPLES / "opsworks-stack", "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    document = result.json()
    assert document["ok"] is True and document["findings"] == []
    assert document["cookbooks"] == ["db_connect", "nodejs_demo", "webapp"]


# Samples whose rule became a warning (issue 13: Chef uses 0.0.0 for a missing version).
WARNING_SAMPLES = {"metadata-missing-version"}


@pytest.mark.parametrize("sample", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_sample_fails_with_its_rule(sample):
    result = run_cli("validate", sample, "--format", "json")
    warned = sample.name in WARNING_SAMPLES
    assert result.code == (0 if warned else 1), result.stdout + result.stderr
    document = result.json()
    assert document["version"] == 1 and document["command"] == "validate"
    assert document["ok"] is warned
    severity = "warning" if warned else "error"
    rules = {f["rule"] for f in document["findings"] if f["severity"] == severity}
    assert sample.name in rules
    for finding in document["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["file"] and finding["message"]


@pytest.mark.parametrize("sample", BROKEN[:3], ids=[p.name for p in BROKEN[:3]])
def test_text_output_groups_by_file_and_summarises(sample):
    result = run_cli("validate", sample)
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("FAILED: ") and "error(s)" in lines[-1]
    assert f"[{sample.name}]" in result.stdout


def test_secrets_are_never_printed():
    for name in ("secret-aws-access-key", "secret-private-key"):
        for fmt in ("text", "json"):
            result = run_cli("validate", SAMPLES / "broken" / name, "--format", fmt)
            assert "AKIAIOSFODNN7EXAMPLE" not in result.stdout + result.stderr
            assert "FAKE-KEY" not in result.stdout + result.stderr


def test_missing_path_is_a_local_error(tmp_path):
    result = run_cli("validate", tmp_path / "nowhere")
    assert result.code == 3
    assert "no such file or folder" in result.stderr and "Traceback" not in result.stderr


def test_missing_path_in_json_mode_is_one_json_document(tmp_path):
    result = run_cli("validate", tmp_path / "nowhere", "--format", "json")
    assert result.code == 3
    assert result.json()["error"]["exit_code"] == 3


def test_usage_error_exit_code():
    assert run_cli("validate", "--format", "yaml").code == 2


def test_validate_never_imports_boto3_or_git():
    code = (
        "import sys\n"
        "from cookbook_tool.cli.app import app\n"
        "try:\n"
        f"    app(['validate', {str(SAMPLES / 'opsworks-stack')!r}, '-q'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'git'))\n"
        "assert not bad, bad\n"
        "print('clean')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"


def _copy_good(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    copy_sample(SAMPLES / "opsworks-stack", repo)
    return repo


def test_files_select_their_cookbooks_but_resolve_against_the_repo(tmp_path):
    repo = _copy_good(tmp_path)
    changed = repo / "cookbooks/webapp/recipes/deploy.rb"
    result = run_cli("validate", changed, "--format", "json")
    assert result.code == 0, result.stdout
    assert result.json()["cookbooks"] == ["webapp"]  # db_connect resolved, not reported


def test_findings_only_for_selected_cookbook(tmp_path):
    repo = _copy_good(tmp_path)
    (repo / "cookbooks/nodejs_demo/metadata.rb").write_text("name 'nodejs_demo'\n")
    webapp = run_cli("validate", repo / "cookbooks/webapp/metadata.rb", "--format", "json")
    assert webapp.code == 0
    node = run_cli("validate", repo / "cookbooks/nodejs_demo", "--format", "json")
    assert node.code == 1  # its recipes include cookbooks it no longer depends on
    found = {f["rule"]: f["severity"] for f in node.json()["findings"]}
    assert found["metadata-missing-version"] == "warning"  # Chef uses 0.0.0


def _rules(repo: Path, *extra: str) -> dict[str, str]:
    result = run_cli("validate", repo, "--format", "json", *extra)
    assert result.code in (0, 1), result.stderr
    return {f["rule"]: f["severity"] for f in result.json()["findings"]}


def test_warnings_do_not_fail(tmp_path):
    repo = _copy_good(tmp_path)
    webapp = repo / "cookbooks/webapp"
    (webapp / "recipe").mkdir()
    (webapp / "recipe/x.rb").write_text("")
    (webapp / "templates/default/plain.conf").write_text("x")
    (webapp / "files/default").mkdir(parents=True)
    (webapp / "files/default/stray.conf.erb").write_text("x")
    (webapp / "recipes/stray.rb").write_text(
        "template '/etc/stray.conf' do\n  source 'stray.conf.erb'\nend\n"
    )
    (webapp / "metadata.rb").write_text(
        (webapp / "metadata.rb").read_text().replace("name 'webapp'", "name 'webapp2'")
    )
    (repo / "cookbooks/db_connect/metadata.rb").write_text(
        (repo / "cookbooks/db_connect/metadata.rb").read_text() + "depends 'nodejs_demo'\n"
    )
    rules = _rules(repo)
    assert rules.get("layout-typo") == "warning"
    assert rules.get("template-not-erb") == "warning"
    assert rules.get("template-outside-templates") == "warning"
    assert rules.get("metadata-name-mismatch") == "warning"
    assert rules.get("dependency-cycle") == "warning"


def test_missing_name_is_a_warning_for_chef_11(tmp_path):
    repo = _copy_good(tmp_path)
    metadata = repo / "cookbooks/db_connect/metadata.rb"
    metadata.write_text(metadata.read_text().replace("name             'db_connect'", ""))
    assert _rules(repo)["metadata-missing-name"] == "error"
    config = repo / "cookbook-tool.toml"
    config.write_text('chef_version = "11.10"\n' + config.read_text())
    assert _rules(repo)["metadata-missing-name"] == "warning"


def test_external_cookbooks_and_builtin_names(tmp_path):
    repo = _copy_good(tmp_path)
    metadata = repo / "cookbooks/webapp/metadata.rb"
    metadata.write_text(metadata.read_text() + "depends 'opsworks_commons'\n")
    assert _rules(repo)["dependency-missing"] == "error"
    config = repo / "cookbook-tool.toml"
    config.write_text('external_presets = ["opsworks-chef-11.10"]\n' + config.read_text())
    assert "dependency-missing" not in _rules(repo)
    shutil.move(repo / "cookbooks/db_connect", repo / "cookbooks/mysql")
    db = repo / "cookbooks/mysql/metadata.rb"
    db.write_text(db.read_text().replace("'db_connect'", "'mysql'"))
    assert _rules(repo)["cookbook-builtin-name"] == "warning"


def test_special_files_and_chefignore(tmp_path):
    repo = _copy_good(tmp_path)
    os.mkfifo(repo / "cookbooks/webapp/files.pipe")
    assert _rules(repo)["special-file"] == "error"
    (repo / "cookbooks/webapp/chefignore").write_text("*.pipe\n")
    assert "special-file" not in _rules(repo)


def test_chefignored_secret_is_not_reported(tmp_path):
    repo = _copy_good(tmp_path)
    (repo / "cookbooks/webapp/notes.txt").write_text("key AKIAIOSFODNN7EXAMPLE\n")
    assert "secret-aws-access-key" in _rules(repo)
    (repo / "cookbooks/webapp/chefignore").write_text("notes.txt\n")
    assert "secret-aws-access-key" not in _rules(repo)


def test_custom_json_with_builtin_schema():
    result = run_cli("validate", "--schema", "opsworks-custom-json",
                     SAMPLES / "opsworks-stack/stack/custom.json", "--format", "json")
    assert result.code == 0, result.stdout
    assert result.json()["json_files"] and result.json()["cookbooks"] == []


def test_repository_check_includes_mapped_custom_json(tmp_path):
    repo = _copy_good(tmp_path)
    custom = repo / "stack/custom.json"
    custom.write_text(custom.read_text().replace('"port": 3306', '"port": "3306"', 1))
    result = run_cli("validate", repo, "--format", "json")
    assert result.code == 1
    (finding,) = [f for f in result.json()["findings"] if f["rule"] == "schema-violation"]
    assert finding["path"] == "/deploy/javaapp/database/port"
    assert finding["file"].endswith("stack/custom.json") and finding["line"] == 11
    assert run_cli("validate", repo, "--skip-json").code == 0


def test_precommit_style_json_file_uses_config_mapping(tmp_path):
    repo = _copy_good(tmp_path)
    (repo / "notes.json").write_text("{}")
    result = run_cli("validate", "--only-json", "stack/custom.json", "notes.json", cwd=repo)
    assert result.code == 0, result.stdout + result.stderr
    assert "notes.json" in result.stderr and "not checked" in result.stderr


def test_json_secrets_masked_in_text_and_json(tmp_path):
    bad = tmp_path / "custom.json"
    bad.write_text('{"deploy": {"app": {"database": {"password": 12345678, "port": "x"}}}}')
    for fmt in ("text", "json", "github", "sarif"):
        result = run_cli("validate", "--schema", "opsworks-custom-json", bad, "--format", fmt)
        assert result.code == 1
        assert "12345678" not in result.stdout + result.stderr


def test_invalid_chefignore_line_is_a_finding_not_a_crash(tmp_path):
    repo = _copy_good(tmp_path)
    (repo / "cookbooks/db_connect/chefignore").write_text("*~\n[z-a]*\n")
    result = run_cli("validate", repo, "--format", "json")
    assert result.code == 1, result.stderr
    (finding,) = [f for f in result.json()["findings"] if f["rule"] == "chefignore-invalid-pattern"]
    assert finding["file"].endswith("db_connect/chefignore") and finding["line"] == 2


def test_non_utf8_file_name_is_reported_as_valid_json(tmp_path):
    repo = _copy_good(tmp_path)
    folder = repo / "cookbooks/webapp/files"
    folder.mkdir()
    (Path(os.fsdecode(bytes(folder) + b"/caf\xe9.txt"))).write_text("x")
    result = run_cli("validate", repo, "--format", "json")
    assert result.code == 1
    (finding,) = [f for f in result.json()["findings"] if f["rule"] == "filename-not-utf8"]
    assert "caf\\xe9.txt" in finding["file"]
    text = run_cli("validate", repo)
    assert "caf\\xe9.txt" in text.stdout


def test_quiet_and_verbose(tmp_path):
    repo = _copy_good(tmp_path)
    (repo / "notes.txt").write_text("x")
    normal = run_cli("validate", repo / "notes.txt", repo / "cookbooks/webapp")
    assert "note:" in normal.stderr
    quiet = run_cli("-q", "validate", repo / "notes.txt", repo / "cookbooks/webapp")
    assert quiet.code == 0 and quiet.stderr == "" and "OK:" in quiet.stdout
    verbose = run_cli("-v", "validate", repo)
    assert "configuration: " in verbose.stderr and "done in" in verbose.stderr


def test_local_error_in_sarif_mode_is_still_a_sarif_document(tmp_path):
    result = run_cli("validate", tmp_path / "nowhere", "--format", "sarif")
    assert result.code == 3
    assert "no such file or folder" in result.stderr
    document = result.json()
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    assert run["tool"]["driver"]["name"] == "cookbook-tool" and run["results"] == []
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == f"{tmp_path / 'nowhere'}: no such file or folder"


def test_local_error_in_github_mode_is_an_error_annotation(tmp_path):
    result = run_cli("validate", tmp_path / "nowhere", "--format", "github")
    assert result.code == 3
    assert result.stdout == (
        f"::error title=cookbook-tool validate::{tmp_path / 'nowhere'}: no such file or folder\n"
    )


def test_a_folder_with_nothing_to_check_fails(tmp_path):
    (tmp_path / "docs").mkdir()
    result = run_cli("validate", tmp_path, "--format", "json")
    assert result.code == 1
    assert [f["rule"] for f in result.json()["findings"]] == ["nothing-to-check"]


def test_layers_offers_only_text_and_json():
    result = run_cli("layers", "--format", "github", cwd=SAMPLES / "opsworks-stack")
    assert result.code == 2 and "'github' is not one of" in result.stderr


def test_recipe_forms_chef_accepts(tmp_path):
    repo = _copy_good(tmp_path)
    webapp = repo / "cookbooks/webapp"
    metadata = webapp / "metadata.rb"
    metadata.write_text(metadata.read_text() + "recipe 'webapp::server', 'documented only'\n")
    (webapp / "recipes/extra.rb").write_text(
        "=begin\ninclude_recipe 'old::default'\n=end\n"
        "include_recipe '::default'\n"
        "# include_recipe 'commented::out'\n"
        "case node['platform']\nwhen 'ubuntu' then include_recipe 'nodejs_demo'\nend\n"
    )
    rules = {f["rule"]: f for f in run_cli("validate", repo, "--format", "json").json()["findings"]}
    assert rules["metadata-recipe-missing"]["severity"] == "warning"
    undeclared = rules["include-recipe-undeclared"]
    assert "'nodejs_demo'" in undeclared["message"] and undeclared["line"] == 7
    assert set(rules) == {"metadata-recipe-missing", "include-recipe-undeclared"}
    config = repo / "cookbook-tool.toml"
    config.write_text('chef_version = "11.10"\n' + config.read_text())
    chef11 = run_cli("validate", repo, "--format", "json").json()["findings"]
    assert any(f["rule"] == "include-recipe-relative" and f["line"] == 4 for f in chef11)
