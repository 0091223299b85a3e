"""Git publisher behaviours over git+file:// (fast): idempotence, reproducible ids, no empty
commits, rollback, refusals, and that nothing outside the remote is touched."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from cookbook_tool.cookbook.discovery import discover
from cookbook_tool.errors import ReleaseConflict, RemoteError
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.git.publisher import GitPublisher
from tests.contract.artifacts import make_artifact
from tests.fixtures_git import make_remote, remote_refs

EPOCH = "1700000000"


def _git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repository}", *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def _publisher(remote: Path, **options: object) -> GitPublisher:
    environ = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return GitPublisher(f"git+file://{remote}", TargetOptions(environ=environ, **options))  # type: ignore[arg-type]


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return make_remote(tmp_path / "remote.git")


def test_first_publish_makes_one_commit_and_an_annotated_tag(remote: Path, tmp_path: Path) -> None:
    artifact = make_artifact(tmp_path / "b", "1.0.0", source_commit="ab" * 20)
    result = _publisher(remote).publish(artifact)
    assert result.location.endswith("#refs/tags/cookbooks-1.0.0") and not result.already_published
    assert _git(remote, "rev-list", "--count", "cookbooks") == "1"
    assert _git(remote, "cat-file", "-t", "cookbooks-1.0.0") == "tag"
    tip = _git(remote, "rev-parse", "cookbooks")
    assert _git(remote, "rev-parse", "cookbooks-1.0.0^{commit}") == tip
    message = _git(remote, "log", "-1", "--format=%B", "cookbooks")
    for text in ("cookbooks 1.0.0", artifact.sha256, "ab" * 20):
        assert text in message
    assert artifact.sha256 in _git(remote, "cat-file", "tag", "cookbooks-1.0.0")
    assert _git(remote, "log", "-1", "--format=%an <%ae> %at", "cookbooks") == (
        f"cookbook-tool <cookbook-tool@localhost> {EPOCH}"
    )
    _git(remote, "fsck", "--strict", "--no-dangling")


def test_republish_moves_no_ref(remote: Path, tmp_path: Path) -> None:
    artifact = make_artifact(tmp_path / "b", "1.0.0")
    _publisher(remote).publish(artifact)
    before = remote_refs(remote)
    again = _publisher(remote).publish(artifact)
    assert again.already_published and again.current
    assert remote_refs(remote) == before


def test_same_release_makes_the_same_ids(tmp_path: Path) -> None:
    artifact = make_artifact(tmp_path / "b", "1.0.0")
    first, second = make_remote(tmp_path / "one.git"), make_remote(tmp_path / "two.git")
    _publisher(first).publish(artifact)
    _publisher(second).publish(artifact)
    assert remote_refs(first) == remote_refs(second)


def test_same_content_as_the_tip_makes_no_empty_commit(remote: Path, tmp_path: Path) -> None:
    files = {"webapp/metadata.rb": b"name 'webapp'\n"}
    _publisher(remote).publish(make_artifact(tmp_path / "a", "1.0.0", files=files))
    tip = _git(remote, "rev-parse", "cookbooks")
    # A new version with the same tree (manifest included) is only a new tag on the tip.
    same = make_artifact(tmp_path / "b", "1.0.0", files=files)
    renamed = same.path.rename(tmp_path / "b" / "cookbooks-1.0.1.tar.gz")
    from cookbook_tool.artifact import Artifact

    artifact = Artifact(**{**same.__dict__, "path": renamed, "version": "1.0.1"})
    result = _publisher(remote).publish(artifact)
    assert not result.already_published and result.current
    assert _git(remote, "rev-parse", "cookbooks") == tip
    assert _git(remote, "rev-parse", "cookbooks-1.0.1^{commit}") == tip


def test_other_content_for_a_published_version_is_refused(remote: Path, tmp_path: Path) -> None:
    _publisher(remote).publish(make_artifact(tmp_path / "a", "1.0.0"))
    before = remote_refs(remote)
    with pytest.raises(ReleaseConflict, match="already published"):
        _publisher(remote).publish(make_artifact(tmp_path / "b", "1.0.0", content="changed"))
    assert remote_refs(remote) == before


def test_consumer_info_names_the_tag_or_the_moving_branch(remote: Path, tmp_path: Path) -> None:
    publisher = _publisher(remote)
    publisher.publish(make_artifact(tmp_path / "a", "2.0.0"))
    info = publisher.consumer_info("cookbooks", "2.0.0")
    assert info.custom_cookbooks_source["Type"] == "git"
    assert info.custom_cookbooks_source["Revision"] == "cookbooks-2.0.0"
    assert info.ssm_apply_chef_recipes["SourceType"] == "Git"
    moving = publisher.consumer_info("cookbooks")
    assert moving.extra["moving"]["custom_cookbooks_source"]["Revision"] == "cookbooks"
    assert moving.extra["tag"] == "cookbooks-2.0.0"


def test_rollback_adds_a_commit_with_the_old_tree(remote: Path, tmp_path: Path) -> None:
    publisher = _publisher(remote)
    publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))
    publisher.publish(make_artifact(tmp_path / "b", "1.1.0"))
    newer = _git(remote, "rev-parse", "cookbooks")
    release = publisher.rollback("cookbooks", "1.0.0")
    assert release.current and release.version == "1.0.0"
    assert _git(remote, "rev-parse", "cookbooks^") == newer  # history kept
    assert _git(remote, "rev-parse", "cookbooks^{tree}") == _git(
        remote, "rev-parse", "cookbooks-1.0.0^{tree}"
    )
    before = remote_refs(remote)
    publisher.rollback("cookbooks", "1.0.0")  # already current: nothing to do
    assert remote_refs(remote) == before
    with pytest.raises(RemoteError, match=r"no release tag cookbooks-9\.9\.9"):
        publisher.rollback("cookbooks", "9.9.9")


def test_force_current_republish_makes_the_release_current(remote: Path, tmp_path: Path) -> None:
    publisher = _publisher(remote)
    old = make_artifact(tmp_path / "a", "1.0.0")
    publisher.publish(old)
    publisher.publish(make_artifact(tmp_path / "b", "1.1.0"))
    result = publisher.publish(old, force_current=True)
    assert result.already_published and result.current
    assert [r.version for r in publisher.releases("cookbooks") if r.current] == ["1.0.0"]


def test_custom_branch_and_tag_pattern(remote: Path, tmp_path: Path) -> None:
    publisher = GitPublisher(
        f"git+file://{remote}#stack/prod", TargetOptions(tag_pattern="v{version}")
    )
    publisher.publish(make_artifact(tmp_path / "a", "3.0.0"))
    assert set(remote_refs(remote)) == {"refs/heads/stack/prod", "refs/tags/v3.0.0"}
    assert [r.version for r in publisher.releases("cookbooks")] == ["3.0.0"]


def test_prune_deletes_old_tags_and_keeps_the_commits(remote: Path, tmp_path: Path) -> None:
    publisher = _publisher(remote)
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        publisher.publish(make_artifact(tmp_path / version, version))
    history = _git(remote, "rev-list", "cookbooks")
    assert [r.version for r in publisher.prune("cookbooks", 1, dry_run=True)] == ["1.1.0", "1.0.0"]
    assert len(publisher.releases("cookbooks")) == 3
    assert [r.version for r in publisher.prune("cookbooks", 1)] == ["1.1.0", "1.0.0"]
    assert set(remote_refs(remote)) == {"refs/heads/cookbooks", "refs/tags/cookbooks-1.2.0"}
    assert _git(remote, "rev-list", "cookbooks") == history  # no commit lost


def test_prune_refused_by_the_server_deletes_nothing(remote: Path, tmp_path: Path) -> None:
    publisher = _publisher(remote)
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        publisher.publish(make_artifact(tmp_path / version, version))
    hook = remote / "hooks" / "pre-receive"  # protected tags, as hosting services offer
    hook.write_text(
        "#!/bin/sh\nwhile read old new ref; do\n"
        '  case "$new" in 0000000000000000000000000000000000000000)\n'
        '    echo "tag $ref is protected" >&2; exit 1;;\n  esac\ndone\n'
    )
    hook.chmod(0o755)
    before = remote_refs(remote)
    with pytest.raises(RemoteError, match="refused to delete release tags"):
        publisher.prune("cookbooks", 1)
    assert remote_refs(remote) == before


def test_older_version_is_tagged_beside_the_branch(remote: Path, tmp_path: Path) -> None:
    publisher = _publisher(remote)
    publisher.publish(make_artifact(tmp_path / "a", "2.0.0"))
    tip = _git(remote, "rev-parse", "cookbooks")
    hotfix = publisher.publish(make_artifact(tmp_path / "b", "1.9.1"))
    assert not hotfix.current and _git(remote, "rev-parse", "cookbooks") == tip
    assert _git(remote, "rev-parse", "cookbooks-1.9.1^{commit}^") == tip
    assert [(r.version, r.current) for r in publisher.releases("cookbooks")] == [
        ("1.9.1", False),
        ("2.0.0", True),
    ]


def test_declining_hook_is_a_clear_error(remote: Path, tmp_path: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'branch cookbooks is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(RemoteError, match="refused the push to branch cookbooks") as caught:
        _publisher(remote).publish(make_artifact(tmp_path / "a", "1.0.0"))
    assert "hook declined" in caught.value.message and "\n" not in caught.value.message
    assert remote_refs(remote) == {}


def test_missing_repository(tmp_path: Path) -> None:
    with pytest.raises(RemoteError, match="repository not found"):
        _publisher(tmp_path / "nowhere.git").publish(make_artifact(tmp_path / "a", "1.0.0"))


def test_temporary_directories_are_removed(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    artifact = make_artifact(tmp_path / "a", "1.0.0")
    _publisher(remote).publish(artifact)
    with pytest.raises(RemoteError):
        _publisher(tmp_path / "missing.git").publish(artifact)
    assert list(scratch.iterdir()) == []


def test_the_users_checkout_is_not_touched(remote: Path, tmp_path: Path) -> None:
    """A hook sets GIT_DIR; the publisher must still work only in its own repository."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "--quiet", str(checkout)], check=True)
    environ = {**os.environ, "GIT_DIR": str(checkout / ".git"), "GIT_WORK_TREE": str(checkout)}
    publisher = GitPublisher(f"git+file://{remote}", TargetOptions(environ=environ))
    publisher.publish(make_artifact(tmp_path / "a", "1.0.0"))
    assert remote_refs(checkout / ".git") == {}
    assert "refs/heads/cookbooks" in remote_refs(remote)


def test_clone_has_the_cookbooks_at_the_root(remote: Path, tmp_path: Path) -> None:
    artifact = make_artifact(tmp_path / "a", "1.0.0")
    _publisher(remote).publish(artifact)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--branch", "cookbooks-1.0.0", str(remote), str(clone)],
        check=True,
        capture_output=True,
    )
    assert_release_tree(clone)


def assert_release_tree(clone: Path) -> None:
    """The checkout holds exactly the manifest's files, cookbooks at the root, hashes equal."""
    manifest = json.loads((clone / ".manifest.json").read_text())
    expected = {
        entry["path"].removeprefix("cookbooks/"): entry["sha256"] for entry in manifest["files"]
    }
    found = {
        path.relative_to(clone).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in clone.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(clone).parts
    }
    found.pop(".manifest.json")
    assert found == expected
    names = [cookbook["name"] for cookbook in manifest["cookbooks"]]
    assert names and all((clone / name / "metadata.rb").is_file() for name in names)
    # cookbook-tool's own discovery finds exactly the bundle's cookbooks at the clone's root
    assert sorted(c.dirname for c in discover(clone).cookbooks) == sorted(names)
