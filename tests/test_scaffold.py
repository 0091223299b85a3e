"""``cookbook-tool new``: scaffolds that validate, and nothing overwritten."""

from __future__ import annotations

from cookbook_tool.config.load import load_config
from tests.cli import run_cli


def test_new_cookbook_and_config_validate(tmp_path):
    assert run_cli("new", "config", cwd=tmp_path).code == 0
    (tmp_path / "cookbooks").mkdir()
    result = run_cli("new", "cookbook", "my_app", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert (tmp_path / "cookbooks/my_app/recipes/default.rb").is_file()
    config = load_config(tmp_path / "cookbook-tool.toml")
    assert config.bundle_version == "0.1.0" and "local" in config.targets
    validated = run_cli("validate", tmp_path, "--format", "json")
    assert validated.code == 0, validated.stdout
    assert validated.json()["findings"] == []


def test_new_never_overwrites(tmp_path):
    (tmp_path / "my_app").mkdir()
    (tmp_path / "my_app/keep.txt").write_text("mine")
    result = run_cli("new", "cookbook", "my_app", cwd=tmp_path)
    assert result.code == 3 and "already exists" in result.stderr
    assert (tmp_path / "my_app/keep.txt").read_text() == "mine"
    (tmp_path / "cookbook-tool.toml").write_text("# mine\n")
    assert run_cli("new", "config", cwd=tmp_path).code == 3
    assert (tmp_path / "cookbook-tool.toml").read_text() == "# mine\n"


def test_new_cookbook_refuses_bad_names(tmp_path):
    result = run_cli("new", "cookbook", "My App", cwd=tmp_path)
    assert result.code == 2 and "not a good cookbook name" in result.stderr


def test_new_config_keeps_out_folder_out_of_git(tmp_path):
    (tmp_path / ".gitignore").write_text("*.pyc")
    result = run_cli("new", "config", cwd=tmp_path)
    assert result.code == 0 and "added out/" in result.stdout
    assert (tmp_path / ".gitignore").read_text().splitlines()[-1] == "out/"
    assert (tmp_path / ".gitignore").read_text().startswith("*.pyc\n")


def test_new_has_no_json_mode(tmp_path):
    result = run_cli("new", "cookbook", "db", "--format", "json", cwd=tmp_path)
    assert result.code == 2 and result.stdout == ""


def test_a_name_too_long_for_a_folder_is_a_usage_error(tmp_path):
    result = run_cli("new", "cookbook", "a" * 300, cwd=tmp_path)
    assert result.code == 2, result
    assert "a cookbook name of 300 characters is too long" in result.stderr
    assert "at most 255" in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert run_cli("new", "cookbook", "a" * 255, cwd=tmp_path).code == 0


def test_a_folder_path_too_long_for_the_system_is_a_local_error(tmp_path):
    deep = tmp_path / "/".join(["d" * 200] * 21)  # over Linux's 4096-byte PATH_MAX
    result = run_cli("new", "cookbook", "webapp", "--path", deep, cwd=tmp_path)
    assert result.code == 3, result
    assert "cannot create (File name too long); nothing was written" in result.stderr
