"""How the Git publisher runs git through GitPython: exactly the environment it built (nothing
of a hook's ``GIT_DIR`` & co. comes back from ``os.environ``), timeouts, a missing git binary."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cookbook_tool.errors import LocalError, RemoteError
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.git import repo as git_repo
from cookbook_tool.publish.git.process import run_git
from cookbook_tool.publish.git.publisher import GitPublisher
from tests.contract.artifacts import make_artifact
from tests.fixtures_git import make_remote, remote_refs

ROOT = Path(__file__).resolve().parent.parent


def _environment_of(command: list[str], env: dict[str, str]) -> dict[str, str]:
    result = run_git([*command, "-0"], env)
    assert result.status == 0, result.stderr
    entries = result.stdout.decode().split("\0")
    return dict(entry.split("=", 1) for entry in entries if entry)


def test_the_child_gets_exactly_the_given_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_DIR", "/home/me/project/.git")
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", "/home/me/project/.git/objects")
    env = {"PATH": os.environ["PATH"], "CB_ONLY_HERE": "x y", "LC_ALL": "C.UTF-8"}
    assert _environment_of(["env"], env) == env
    # nothing to drop: no `env -u` wrapper, still exactly the given variables
    full = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}
    assert _environment_of(["env"], full) == full


def test_git_found_on_a_path_without_the_system_folders(tmp_path: Path) -> None:
    (tmp_path / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    result = run_git(["git", "--version"], {"PATH": str(tmp_path)})
    assert (result.status, result.stderr) == (0, "")
    assert result.stdout.startswith(b"git version ")


@pytest.mark.parametrize(
    "names",
    [
        ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"),  # a pre-commit hook
        ("GIT_DIR", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE"),  # a server-side hook
    ],
)
def test_hook_variables_in_the_process_environment_do_not_leak(
    names: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a hook of the user's checkout: GitPython copies os.environ, the publisher must not
    let GIT_DIR & co. reach its own git commands."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "--quiet", str(checkout)], check=True)
    objects = checkout / ".git" / "objects"
    before = sorted(objects.rglob("*"))
    remote = make_remote(tmp_path / "remote.git")
    artifact = make_artifact(tmp_path / "a", "1.0.0")
    values = {
        "GIT_DIR": checkout / ".git",
        "GIT_WORK_TREE": checkout,
        "GIT_INDEX_FILE": checkout / ".git" / "index",
        "GIT_OBJECT_DIRECTORY": objects,
        "GIT_NAMESPACE": "elsewhere",
    }
    for name in names:
        monkeypatch.setenv(name, str(values[name]))
    options = TargetOptions(environ=dict(os.environ))
    GitPublisher(f"git+file://{remote}", options).publish(artifact)
    monkeypatch.undo()
    assert "refs/heads/cookbooks" in remote_refs(remote)
    assert sorted(objects.rglob("*")) == before
    assert remote_refs(checkout / ".git") == {}


def test_a_silent_server_times_out_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(git_repo, "NETWORK_TIMEOUT", 1)
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        publisher = GitPublisher(
            f"git://127.0.0.1:{port}/cookbooks.git", TargetOptions(environ=dict(os.environ))
        )
        started = time.monotonic()
        with pytest.raises(RemoteError, match=r"git ls-remote gave no result in 1 s"):
            publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))
        assert time.monotonic() - started < 15


def test_git_missing_from_the_publishers_path(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    publisher = GitPublisher(f"git+file://{remote}", TargetOptions(environ={"PATH": str(tmp_path)}))
    with pytest.raises(LocalError, match=r"^git is not installed .*apt-get install git"):
        publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))


def test_git_missing_gives_our_error_not_gitpythons(tmp_path: Path) -> None:
    """No git on PATH at all: our one-line LocalError, and GitPython is never even imported
    (its import would fail with a long 'Bad git executable' ImportError)."""
    remote = make_remote(tmp_path / "remote.git")
    bundle = make_artifact(tmp_path / "a", "1.0.0").path
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from cookbook_tool.artifact import open_artifact\n"
        "from cookbook_tool.errors import LocalError\n"
        "from cookbook_tool.publish.base import TargetOptions\n"
        "from cookbook_tool.publish.targets import open_publisher\n"
        "options = TargetOptions(environ=dict(os.environ))\n"
        "try:\n"
        "    open_publisher(sys.argv[1], options).publish(open_artifact(Path(sys.argv[2])))\n"
        "except LocalError as exc:\n"
        "    loaded = any(name.split('.')[0] == 'git' for name in sys.modules)\n"
        "    print(exc.exit_code, exc, loaded)\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code, f"git+file://{remote}", str(bundle)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "3 git is not installed or not on PATH: install it (apt-get install git) False"
    )
    assert done.stderr == ""


def test_gitpython_tracing_never_logs_gits_output(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """GIT_PYTHON_TRACE=full would log git's stdout and stderr, which may hold credentials."""
    from git.cmd import Git

    monkeypatch.setattr(Git, "GIT_PYTHON_TRACE", "full")
    caplog.set_level(logging.DEBUG, logger="git")
    env = {
        **os.environ,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "alias.leak",
        "GIT_CONFIG_VALUE_0": "!echo token-hunter2; echo token-hunter2 >&2; false",
    }
    result = run_git(["git", "leak"], env)
    assert result.status != 0 and "token-hunter2" in result.stderr
    assert result.stdout == b"token-hunter2\n"
    assert "hunter2" not in caplog.text
