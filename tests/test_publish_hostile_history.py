"""What a target's history holds is read like user input (issue 12, items 5, 7 and 9): an edited
``releases.json`` or a hand-made Git tag never makes ``prune`` delete outside the target or
``publish`` create folders, and a Git branch with commits not made by cookbook-tool is not
replaced by a release unless ``--allow-foreign-branch`` says so."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from cookbook_tool.errors import LocalError, RemoteError
from cookbook_tool.publish import history as hist
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.git.publisher import GitPublisher
from cookbook_tool.publish.store.folder import FolderPublisher
from tests.cli import run_cli
from tests.contract.artifacts import SAMPLE_STACK, make_artifact, make_bundle
from tests.fixtures_git import make_remote, remote_refs
from tests.samples import copy_sample

DIGEST = "ab" * 32


def _document(**entry: object) -> bytes:
    release = {"version": "1.0.0", "sha256": DIGEST, "archive_sha256": DIGEST, "size": 1,
               "archive_format": "tar.gz", "published_at": "2026-01-01T00:00:00Z", **entry}
    return json.dumps({"format": hist.FORMAT, "format_version": 1, "name": "cookbooks",
                       "current": None, "releases": [release]}).encode()


@pytest.mark.parametrize(("entry", "problem"), [
    ({"archive_format": "d/../../../victim"}, "'archive_format' 'd/../../../victim'"),
    ({"version": "../../x"}, "'version' '../../x' is not a version"),
    ({"version": "1.0.0/../.."}, "is not a version"),
    ({"layout": "../x"}, "'layout'"),
    ({"sha256": "not-a-digest"}, "'sha256' is not a sha256 digest"),
])
def test_unsafe_values_in_a_history_are_refused(entry: dict[str, object], problem: str) -> None:
    with pytest.raises(LocalError) as caught:
        hist.parse(_document(**entry), "cookbooks", "/srv/c/releases.json", LocalError)
    assert "not a valid release history" in caught.value.message
    assert problem in caught.value.message


def test_current_must_be_a_recorded_release() -> None:
    data = json.loads(_document())
    data["current"] = "../../etc"
    with pytest.raises(RemoteError, match="current '../../etc' is not one of its releases"):
        hist.parse(json.dumps(data).encode(), "cookbooks", "s3://b/c/releases.json")


def _edited_target(tmp_path: Path) -> tuple[Path, Path]:
    """A folder target with two releases whose history was edited to point outside it, and
    the file outside that the edit aims at."""
    out = tmp_path / "out"
    for version in ("1.0.0", "1.1.0"):
        FolderPublisher(str(out), TargetOptions()).publish(
            make_artifact(tmp_path / "b", version))
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    document = json.loads((out / "cookbooks/releases.json").read_text())
    # cookbooks/1.0.0/cookbooks-1.0.0.<fmt> with fmt climbing to tmp_path/victim
    document["releases"][0]["archive_format"] = "d/../../../../victim"
    (out / "cookbooks/releases.json").write_text(json.dumps(document))
    return out, victim


def test_prune_of_an_edited_history_deletes_nothing_outside(tmp_path: Path) -> None:
    out, victim = _edited_target(tmp_path)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    result = run_cli("prune", "--to", str(out), "--keep", "1", "--yes")

    assert result.code == 3, result.stderr
    assert "'archive_format' 'd/../../../../victim' is not tar.gz or zip" in result.stderr
    assert victim.read_text() == "keep me"
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_publish_onto_an_edited_history_creates_no_folder(tmp_path: Path) -> None:
    out, victim = _edited_target(tmp_path)
    bundle = make_bundle(tmp_path / "new", "1.2.0")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    result = run_cli("publish", str(bundle), "--to", str(out))

    assert result.code == 3, result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert victim.read_text() == "keep me"


def test_a_folder_store_never_resolves_a_key_outside_its_root(tmp_path: Path) -> None:
    store = FolderPublisher(str(tmp_path / "out"), TargetOptions()).store
    with pytest.raises(LocalError, match="outside the target"):
        store.delete("cookbooks/../../victim")


@pytest.mark.parametrize("where", ["folder", "s3"])
def test_a_deeply_nested_history_is_a_clear_error(where: str) -> None:
    data = b'{"format": "cookbook-tool/releases", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    error = LocalError if where == "folder" else RemoteError
    with pytest.raises(error, match="nested too deeply"):
        hist.parse(data, "cookbooks", "releases.json", error)


def test_a_deeply_nested_folder_history_exits_3(tmp_path: Path) -> None:
    (tmp_path / "out/cookbooks").mkdir(parents=True)
    (tmp_path / "out/cookbooks/releases.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    result = run_cli("releases", "--to", str(tmp_path / "out"))
    assert result.code == 3, result.stderr
    assert "nested too deeply" in result.stderr


# -- Git: tags and branches ------------------------------------------------------------------


def _git(repository: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", f"--git-dir={repository}", *args], check=True,
                          capture_output=True, text=True, env=env).stdout.strip()


def _publisher(remote: Path, branch: str = "cookbooks") -> GitPublisher:
    environ = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    return GitPublisher(f"git+file://{remote}#{branch}", TargetOptions(environ=environ))


def _app_branch(remote: Path, tmp_path: Path) -> str:
    """An application's ``main`` in ``remote``: a README commit made by a person."""
    work = tmp_path / "work"
    env = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    (work / "README.md").write_text("the app\n")
    subprocess.run(["git", "-C", str(work), "add", "."], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", "Add README"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "push", "-q", str(remote), "main"], check=True)
    return _git(remote, "rev-parse", "main")


def test_publish_onto_an_application_branch_is_refused(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    _app_branch(remote, tmp_path)
    before = remote_refs(remote)

    with pytest.raises(RemoteError, match="holds commits not made by cookbook-tool") as caught:
        _publisher(remote, "main").publish(make_artifact(tmp_path / "b", "1.0.0"))

    assert "--allow-foreign-branch" in caught.value.message
    assert remote_refs(remote) == before
    assert _git(remote, "show", "main:README.md") == "the app"


def test_allow_foreign_branch_publishes_and_later_releases_need_no_flag(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    app_tip = _app_branch(remote, tmp_path)
    publisher = _publisher(remote, "main")

    publisher.publish(make_artifact(tmp_path / "b", "1.0.0"), allow_foreign_branch=True)
    _publisher(remote, "main").publish(make_artifact(tmp_path / "b", "1.1.0"))

    assert _git(remote, "rev-parse", "main~2") == app_tip
    assert f"foreign-base: {app_tip}" in _git(remote, "log", "-1", "--format=%B", "main~1")


def test_cli_publish_onto_an_application_branch_exits_4(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    _app_branch(remote, tmp_path)
    bundle = make_bundle(tmp_path / "b", "1.0.0")

    refused = run_cli("publish", str(bundle), "--to", f"git+file://{remote}#main")
    allowed = run_cli("publish", str(bundle), "--to", f"git+file://{remote}#main",
                      "--allow-foreign-branch")

    assert refused.code == 4 and "holds commits not made by" in refused.stderr
    assert allowed.code == 0, allowed.stderr


def test_a_person_committing_on_the_release_branch_stops_the_next_release(
    tmp_path: Path,
) -> None:
    remote = make_remote(tmp_path / "remote.git")
    _publisher(remote).publish(make_artifact(tmp_path / "b", "1.0.0"))
    work = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", "cookbooks", str(remote), str(work)], check=True)
    (work / "notes.txt").write_text("hand edit\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "d@x",
           "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "d@x"}
    subprocess.run(["git", "-C", str(work), "add", "."], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", "notes"], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "push", "-q"], check=True)

    with pytest.raises(RemoteError, match="holds commits not made by cookbook-tool"):
        _publisher(remote).publish(make_artifact(tmp_path / "b", "1.1.0"))


def test_a_tag_whose_message_names_another_version_is_no_release(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        _publisher(remote).publish(make_artifact(tmp_path / "b", version))
    tip = _git(remote, "rev-parse", "cookbooks")
    # a hand-made annotated tag claiming to be release 1.2.0, under another name
    env = {**os.environ, "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@x"}
    _git(remote, "tag", "-a", "cookbooks-9.9.9", "-m", "cookbooks 1.2.0\n\nname: cookbooks\n"
         "version: 1.2.0\n", tip, env=env)

    releases = _publisher(remote).releases("cookbooks")
    deleted = _publisher(remote).prune("cookbooks", 1)

    assert [r.version for r in releases] == ["1.2.0", "1.1.0", "1.0.0"]
    assert [r.version for r in deleted] == ["1.1.0", "1.0.0"]
    tags = {ref for ref in remote_refs(remote) if ref.startswith("refs/tags/")}
    assert tags == {"refs/tags/cookbooks-1.2.0", "refs/tags/cookbooks-9.9.9"}


def test_release_onto_an_application_branch_needs_the_flag(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    _app_branch(remote, tmp_path)
    repo = copy_sample(SAMPLE_STACK, tmp_path / "stack")
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace(
        'url = "file://../../out/releases"', f'url = "git+file://{remote}#main"'))
    args = ("release", ".", "--target", "local", "-o", str(tmp_path / "dist"), "--no-progress")

    refused = run_cli(*args, cwd=repo)
    allowed = run_cli(*args, "--allow-foreign-branch", cwd=repo)

    assert refused.code == 4 and "holds commits not made by" in refused.stdout + refused.stderr
    assert allowed.code == 0, allowed.stdout + allowed.stderr
