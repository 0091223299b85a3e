"""The Git publisher against real servers on 127.0.0.1: git daemon, git http-backend with
basic auth, and sshd with a deploy key (tests/fixtures_git.py)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from cookbook_tool.errors import LocalError, RemoteError
from cookbook_tool.publish.base import PublishResult, TargetOptions
from cookbook_tool.publish.targets import open_publisher
from tests.cli import run_cli
from tests.contract.artifacts import make_artifact, sample_files
from tests.fixtures_git import (
    HTTP_PASSWORD,
    HTTP_USER,
    GitServer,
    SshServer,
    free_port,
    remote_refs,
)
from tests.test_git_publish import assert_release_tree

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def _git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repository}", *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _clone(url: str, revision: str, target: Path, env: dict[str, str] | None = None) -> Path:
    subprocess.run(
        ["git", "clone", "--quiet", "--depth=1", "--branch", revision, url, str(target)],
        check=True,
        capture_output=True,
        env={**os.environ, **(env or {}), "GIT_TERMINAL_PROMPT": "0"},
    )
    return target


# -- git daemon ----------------------------------------------------------------------------------


def test_daemon_release_of_the_sample_stack_clones_and_checks(
    git_daemon: GitServer, tmp_path: Path
) -> None:
    repository = git_daemon.new_repo()
    url = git_daemon.url(repository)
    artifact = make_artifact(tmp_path / "b", "1.4.0", files=sample_files())
    publisher = open_publisher(f"git+{url}", TargetOptions())
    assert publisher.publish(artifact).current
    before = remote_refs(repository)
    assert publisher.publish(artifact).already_published
    assert remote_refs(repository) == before
    for revision in ("cookbooks", "cookbooks-1.4.0"):
        clone = _clone(url, revision, tmp_path / revision)
        assert_release_tree(clone)
        assert {"webapp", "nodejs_demo", "db_connect"} <= {p.name for p in clone.iterdir()}
    # and cookbook-tool itself accepts the clone
    checked = run_cli("validate", clone, "--format", "json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    document = json.loads(checked.stdout)
    assert document["ok"] and document["findings"] == []
    assert document["cookbooks"] == ["db_connect", "nodejs_demo", "webapp"]


def test_concurrent_publishers_both_land_without_force(
    git_daemon: GitServer, tmp_path: Path
) -> None:
    """Four publishers race on one branch; every release is tagged and kept in history. The
    remote refuses non-fast-forward updates, so a force push would have failed."""
    repository = git_daemon.new_repo()
    url = f"git+{git_daemon.url(repository)}"
    versions = ["2.0.1", "2.0.2", "2.0.3", "2.0.4"]
    artifacts = [make_artifact(tmp_path / v, v) for v in versions]
    barrier = threading.Barrier(len(artifacts))
    results: dict[str, PublishResult | BaseException] = {}

    def publish(index: int) -> None:
        publisher = open_publisher(url, TargetOptions())
        barrier.wait()
        try:
            results[versions[index]] = publisher.publish(artifacts[index])
        except BaseException as exc:  # reported by the assertion below
            results[versions[index]] = exc

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(len(artifacts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, PublishResult) for r in results.values()), results
    on_branch = set(_git(repository, "rev-list", "cookbooks").split())
    for version in versions:
        # on the branch, or (an older version than the tip it raced with) beside it
        commit = _git(repository, "rev-parse", f"cookbooks-{version}^{{commit}}")
        parents = _git(repository, "rev-list", "--parents", "-n1", commit).split()[1:]
        assert commit in on_branch or set(parents) & on_branch, version
    # the newest version won, and the branch only ever moved forward, one release at a time
    assert _git(repository, "rev-parse", "cookbooks^{tree}") == _git(
        repository, "rev-parse", "cookbooks-2.0.4^{tree}"
    )
    reflog = _git(repository, "reflog", "show", "--format=%H", "refs/heads/cookbooks").split()
    assert len(reflog) == len(on_branch)
    for newer, older in itertools.pairwise(reflog):
        _git(repository, "merge-base", "--is-ancestor", older, newer)


def test_daemon_missing_repository_and_unreachable_host(
    git_daemon: GitServer, tmp_path: Path
) -> None:
    artifact = make_artifact(tmp_path / "b", "1.0.0")
    missing = open_publisher(f"{git_daemon.url_prefix}/no-such.git", TargetOptions())
    with pytest.raises(RemoteError, match="repository not found"):
        missing.publish(artifact)
    closed = open_publisher(f"git://127.0.0.1:{free_port()}/x.git", TargetOptions())
    with pytest.raises(RemoteError, match="cannot reach the Git server") as caught:
        closed.state(artifact)
    assert caught.value.exit_code == 4


# -- HTTP with basic auth ------------------------------------------------------------------------


def _http_url(server: GitServer, repository: Path, userinfo: str) -> str:
    return server.url(repository).replace("http://", f"git+http://{userinfo}")


def test_http_publish_with_password_in_url(git_http: GitServer, tmp_path: Path) -> None:
    repository = git_http.new_repo()
    url = _http_url(git_http, repository, f"{HTTP_USER}:{HTTP_PASSWORD}@")
    publisher = open_publisher(url, TargetOptions())
    result = publisher.publish(make_artifact(tmp_path / "b", "1.0.0"))
    assert HTTP_PASSWORD not in repr(result) and HTTP_PASSWORD not in publisher.url
    assert "refs/tags/cookbooks-1.0.0" in remote_refs(repository)
    info = publisher.consumer_info("cookbooks", "1.0.0")
    assert HTTP_PASSWORD not in repr(info)


def test_http_publish_with_token_from_the_environment(git_http: GitServer, tmp_path: Path) -> None:
    repository = git_http.new_repo()
    options = TargetOptions(
        token_env="CB_GIT_TOKEN", environ={**os.environ, "CB_GIT_TOKEN": HTTP_PASSWORD}
    )
    publisher = open_publisher(_http_url(git_http, repository, f"{HTTP_USER}@"), options)
    publisher.publish(make_artifact(tmp_path / "b", "1.0.0"))
    assert [r.version for r in publisher.releases("cookbooks")] == ["1.0.0"]


def test_http_wrong_password_is_refused_without_printing_it(
    git_http: GitServer, tmp_path: Path
) -> None:
    repository = git_http.new_repo()
    url = _http_url(git_http, repository, f"{HTTP_USER}:not-the-password-42@")
    with pytest.raises(RemoteError, match="authentication refused") as caught:
        open_publisher(url, TargetOptions()).publish(make_artifact(tmp_path / "b", "1.0.0"))
    assert "not-the-password-42" not in caught.value.message
    assert remote_refs(repository) == {}


def test_http_without_credentials_fails_instead_of_prompting(
    git_http: GitServer, tmp_path: Path
) -> None:
    repository = git_http.new_repo()
    url = f"git+{git_http.url(repository)}"
    with pytest.raises(RemoteError, match="authentication refused"):
        open_publisher(url, TargetOptions()).publish(make_artifact(tmp_path / "b", "1.0.0"))
    with pytest.raises(LocalError, match="NOT_SET_TOKEN"):
        open_publisher(url, TargetOptions(token_env="NOT_SET_TOKEN", environ={})).releases("x")


def test_http_missing_repository(git_http: GitServer, tmp_path: Path) -> None:
    url = f"git+http://{HTTP_USER}:{HTTP_PASSWORD}@{git_http.url_prefix[7:]}/absent.git"
    with pytest.raises(RemoteError, match="repository not found") as caught:
        open_publisher(url, TargetOptions()).publish(make_artifact(tmp_path / "b", "1.0.0"))
    assert HTTP_PASSWORD not in caught.value.message


# -- SSH with a deploy key -----------------------------------------------------------------------


def _ssh_options(server: SshServer, key: Path, known_hosts: Path | None = None) -> TargetOptions:
    return TargetOptions(ssh_key=key, known_hosts=known_hosts or server.known_hosts)


def test_ssh_publish_with_the_deploy_key(
    git_sshd: SshServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="cbt-", dir="/tmp"))  # short: room for a socket
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    repository = git_sshd.new_repo()
    publisher = open_publisher(
        f"git+{git_sshd.url(repository)}", _ssh_options(git_sshd, git_sshd.deploy_key)
    )
    publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))
    publisher.publish(make_artifact(tmp_path / "b", "1.1.0"))
    publisher.rollback("cookbooks", "1.0.0")
    assert [(r.version, r.current) for r in publisher.releases("cookbooks")] == [
        ("1.1.0", False),
        ("1.0.0", True),
    ]
    info = publisher.consumer_info("cookbooks", "1.1.0")
    assert "{{ssm-secure:" in info.ssm_apply_chef_recipes["SourceInfo"]
    assert "SshKey" in info.extra["ssh_key"]
    # temporary repositories removed, the shared SSH connection closed
    assert list(scratch.iterdir()) == []
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    assert str(scratch) not in processes.stdout
    scratch.rmdir()


def test_ssh_wrong_key_is_refused_without_printing_it(git_sshd: SshServer, tmp_path: Path) -> None:
    repository = git_sshd.new_repo()
    publisher = open_publisher(
        f"git+{git_sshd.url(repository)}", _ssh_options(git_sshd, git_sshd.wrong_key)
    )
    with pytest.raises(RemoteError, match="authentication refused") as caught:
        publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))
    message = caught.value.message
    key_text = git_sshd.wrong_key.read_text()
    assert str(git_sshd.wrong_key) not in message and "wrong_key" not in message
    assert key_text.splitlines()[1] not in message
    assert remote_refs(repository) == {}


def test_ssh_unknown_host_key_is_refused(git_sshd: SshServer, tmp_path: Path) -> None:
    repository = git_sshd.new_repo()
    options = _ssh_options(git_sshd, git_sshd.deploy_key, git_sshd.wrong_known_hosts)
    publisher = open_publisher(f"git+{git_sshd.url(repository)}", options)
    with pytest.raises(RemoteError, match="host key"):
        publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))
    assert remote_refs(repository) == {}
