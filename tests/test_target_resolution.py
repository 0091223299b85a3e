"""``resolve_target``: the CLI hands the core the folder and the environment; the core reads
neither from the process (the tests never change the process's current folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.errors import UsageError
from cookbook_tool.publish.configured import TargetRequest, resolve_target

ENVIRON = {"PATH": "/usr/bin", "HOME": "/home/releaser"}
CONFIG = """retention = 3
[targets.local]
url = "out/releases"
[targets.deploy]
url = "git+ssh://git@example.com/o/r.git"
ssh_key = "keys/deploy"
"""


def _request(to: str, cwd: Path, **values: object) -> TargetRequest:
    return TargetRequest(to, {"retention": None, **values}, cwd, ENVIRON)


def test_a_named_target_comes_from_the_configuration_above_the_given_folder(tmp_path: Path):
    (tmp_path / "cookbook-tool.toml").write_text(CONFIG)
    (tmp_path / "sub").mkdir()
    url, options = resolve_target(_request("local", tmp_path / "sub"))
    assert url == (tmp_path / "out/releases").resolve().as_uri()
    assert (options.retention, options.environ) == (3, ENVIRON)
    url, options = resolve_target(_request("deploy", tmp_path, retention=9))
    assert url == "git+ssh://git@example.com/o/r.git"
    assert (options.ssh_key, options.retention) == (tmp_path / "keys/deploy", 9)


def test_a_relative_folder_is_anchored_at_the_given_folder(tmp_path: Path):
    url, options = resolve_target(_request("./out", tmp_path, region="eu-west-1"))
    assert url == str(tmp_path / "out")
    assert (options.region, options.environ) == ("eu-west-1", ENVIRON)
    assert resolve_target(_request("~/out", tmp_path))[0] == "/home/releaser/out"
    assert resolve_target(_request("s3://bucket/p", tmp_path))[0] == "s3://bucket/p"


def test_a_bare_word_is_a_configured_target_or_an_existing_folder(tmp_path: Path):
    (tmp_path / "cookbook-tool.toml").write_text(CONFIG)
    (tmp_path / "releases").mkdir()
    assert resolve_target(_request("releases", tmp_path))[0] == str(tmp_path / "releases")
    with pytest.raises(UsageError, match=r"--to locl: not a configured target .*'local'"):
        resolve_target(_request("locl", tmp_path))
