"""Git targets through the real entry point (``cookbook-tool publish ... --to GIT-URL``): exit
codes, one-line errors, no secret on stdout or stderr. Runs once the ``publish`` command is
registered (it is written on another branch)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.cli import Result, run_cli
from tests.contract.artifacts import make_artifact
from tests.fixtures_git import HTTP_PASSWORD, HTTP_USER, GitServer, SshServer, remote_refs

ROOT = Path(__file__).resolve().parent.parent


def _publish_command_registered() -> bool:
    """Without importing the CLI (typer) at collection time."""
    if importlib.util.find_spec("cookbook_tool.cli.publish") is None:
        return False
    return "cookbook_tool.cli.publish" in (ROOT / "cookbook_tool/cli/app.py").read_text()


pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not _publish_command_registered(), reason="the publish command is not merged yet"
    ),
]


def cli(*args: str) -> Result:
    return run_cli(*args, env={"GIT_TERMINAL_PROMPT": "1"})


def test_publish_republish_and_conflict_over_http(git_http: GitServer, tmp_path: Path) -> None:
    repository = git_http.new_repo()
    url = git_http.url(repository).replace("http://", f"git+http://{HTTP_USER}:{HTTP_PASSWORD}@")
    bundle = make_artifact(tmp_path / "a", "1.0.0").path
    first = cli("publish", str(bundle), "--to", url)
    assert first.returncode == 0, first.stderr
    assert HTTP_PASSWORD not in first.stdout + first.stderr
    refs = remote_refs(repository)
    again = cli("publish", str(bundle), "--to", url, "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["result"]["already_published"] is True
    assert remote_refs(repository) == refs
    other = make_artifact(tmp_path / "b", "1.0.0", content="changed").path
    refused = cli("publish", str(other), "--to", url)
    assert refused.returncode == 4
    assert len(refused.stderr.strip().splitlines()) == 1
    assert HTTP_PASSWORD not in refused.stdout + refused.stderr
    assert remote_refs(repository) == refs


def test_wrong_password_exits_4_without_printing_it(git_http: GitServer, tmp_path: Path) -> None:
    repository = git_http.new_repo()
    url = git_http.url(repository).replace("http://", f"git+http://{HTTP_USER}:wrong-pw-77@")
    result = cli("publish", str(make_artifact(tmp_path, "1.0.0").path), "--to", url)
    assert result.returncode == 4
    assert "authentication refused" in result.stderr
    assert "wrong-pw-77" not in result.stdout + result.stderr


def test_wrong_ssh_key_exits_4_without_printing_it(git_sshd: SshServer, tmp_path: Path) -> None:
    repository = git_sshd.new_repo()
    result = cli(
        "publish",
        str(make_artifact(tmp_path, "1.0.0").path),
        "--to",
        f"git+{git_sshd.url(repository)}",
        "--ssh-key",
        str(git_sshd.wrong_key),
        "--known-hosts",
        str(git_sshd.known_hosts),
    )
    assert result.returncode == 4
    assert "authentication refused" in result.stderr
    assert "wrong_key" not in result.stdout + result.stderr
    assert git_sshd.wrong_key.read_text().splitlines()[1] not in result.stdout + result.stderr
