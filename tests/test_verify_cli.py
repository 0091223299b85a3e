"""`cookbook-tool verify` takes external cookbooks from cookbook-tool.toml, --config,
--external and --external-preset, as validate, bundle and publish do."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tests.cli import run_cli

NEEDS_DEPLOY = b"name 'app'\nversion '1.0.0'\ndepends 'deploy'\ndepends 'mine'\n"
PRESET_CONFIG = 'external_presets = ["opsworks-chef-11.10"]\nexternal_cookbooks = ["mine"]\n'


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "app.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("cookbooks/app/metadata.rb")
        info.size = len(NEEDS_DEPLOY)
        tar.addfile(info, io.BytesIO(NEEDS_DEPLOY))
    return path


def _missing(result_json: dict[str, list[dict[str, str]]]) -> list[str]:
    return sorted(f["message"].split("'")[1] for f in result_json["findings"])


def test_without_configuration_both_dependencies_are_missing(archive, tmp_path):
    result = run_cli("verify", archive, "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.stderr
    assert _missing(result.json()) == ["deploy", "mine"]


def test_configuration_in_the_current_folder_counts(archive, tmp_path):
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "cookbook-tool.toml").write_text(PRESET_CONFIG)
    result = run_cli("verify", archive, cwd=project / "sub")
    assert result.code == 0, result.stdout + result.stderr


def test_config_option(archive, tmp_path):
    config = tmp_path / "elsewhere" / "cookbook-tool.toml"
    config.parent.mkdir()
    config.write_text(PRESET_CONFIG)
    (tmp_path / "cwd").mkdir()
    ok = run_cli("verify", archive, "--config", config, cwd=tmp_path / "cwd")
    assert ok.code == 0, ok.stdout + ok.stderr
    absent = run_cli("verify", archive, "--config", tmp_path / "nope.toml", cwd=tmp_path)
    assert absent.code == 3 and "nope.toml" in absent.stderr


def test_external_preset_and_external_options(archive, tmp_path):
    preset = run_cli(
        "verify", archive, "--external-preset", "opsworks-chef-11.10", "--format", "json",
        cwd=tmp_path,
    )
    assert preset.code == 1 and _missing(preset.json()) == ["mine"]
    both = run_cli(
        "verify", archive, "--external-preset", "opsworks-chef-11.10", "--external", "mine",
        cwd=tmp_path,
    )
    assert both.code == 0, both.stdout + both.stderr


def test_unknown_preset_is_a_usage_error(archive, tmp_path):
    result = run_cli("verify", archive, "--external-preset", "opsworks-chef-11", cwd=tmp_path)
    assert result.code == 2
    assert "opsworks-chef-11.10" in result.stderr and "Traceback" not in result.stderr
