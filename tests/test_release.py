"""``cookbook-tool release``: validate, bundle, publish to every target; dry runs; failures
half-way and the re-run that finishes the job."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli import ROOT, run_cli
from tests.samples import copy_sample

SAMPLE = ROOT / "sample_cookbooks" / "opsworks-stack"


def _repo(tmp_path: Path, targets: str) -> Path:
    repo = tmp_path / "repo"
    copy_sample(SAMPLE, repo)
    config = repo / "cookbook-tool.toml"
    text = config.read_text()
    start = text.index("[targets.local]")
    end = text.index("[layers.java-app]")
    config.write_text(text[:start] + targets + "\n" + text[end:])
    return repo


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_dry_run_changes_nothing(tmp_path):
    releases = tmp_path / "releases"
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{releases}"\n')
    result = run_cli("release", repo, "--dry-run", "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    document = result.json()
    assert document["dry_run"] is True and document["bundle"]["path"] is None
    assert document["targets"][0]["outcome"] == "would-publish"
    assert len(document["bundle"]["sha256"]) == 64
    assert not releases.exists() and not (repo / "out").exists()


def test_release_publishes_then_is_idempotent(tmp_path):
    releases = tmp_path / "releases"
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{releases}"\n')
    first = run_cli("release", repo, "--format", "json")
    assert first.code == 0, first.stdout + first.stderr
    assert first.json()["targets"][0]["outcome"] == "published"
    consumer = first.json()["targets"][0]["consumer"]
    assert consumer["custom_cookbooks_source"]["Url"].endswith("cookbooks/cookbooks.tar.gz")
    published = _files(releases)
    assert "cookbooks/1.4.0/cookbooks-1.4.0.tar.gz" in published
    dry = run_cli("release", repo, "--dry-run", "--format", "json")
    assert dry.json()["targets"][0]["outcome"] == "already-published"
    again = run_cli("release", repo)
    assert again.code == 0 and "already published" in again.stdout
    assert _files(releases) == published


def test_validation_error_publishes_nothing(tmp_path):
    releases = tmp_path / "releases"
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{releases}"\n')
    custom = repo / "stack/custom.json"
    custom.write_text(custom.read_text().replace('"reconnect": true', '"reconnect": "yes"', 1))
    result = run_cli("release", repo, "--format", "json")
    assert result.code == 1
    assert any(f["rule"] == "schema-violation" for f in result.json()["findings"])
    assert not releases.exists() and not (repo / "out").exists()


@pytest.mark.integration
def test_failure_half_way_then_rerun_finishes(tmp_path, seaweed, s3_bucket):
    """Target b can be read (so it passes the check) but not written: a publishes, b fails;
    with write access the re-run skips a and finishes b."""
    from tests.fixtures_s3 import ACCESS_KEY, READER_KEY, SECRET_KEY, clean_aws_env

    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[reader]\naws_access_key_id = {READER_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        f"[writer]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    env = clean_aws_env({"AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
    good = tmp_path / "good"
    s3 = (f'[targets.b]\nurl = "s3://{s3_bucket}/stacks"\nprofile = "reader"\n'
          f'region = "us-east-1"\nendpoint_url = "{seaweed.endpoint}"\n')
    repo = _repo(tmp_path, f'[targets.a]\nurl = "{good}"\n' + s3)
    first = run_cli("release", repo, env=env)
    assert first.code == 4, first.stdout + first.stderr
    assert "FAILED on b; done on a" in first.stdout
    assert SECRET_KEY not in first.stdout + first.stderr
    published = _files(good)
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('profile = "reader"', 'profile = "writer"'))
    second = run_cli("release", repo, "--format", "json", env=env)
    assert second.code == 0, second.stdout + second.stderr
    outcomes = {t["name"]: t["outcome"] for t in second.json()["targets"]}
    assert outcomes == {"a": "already-published", "b": "published"}
    assert _files(good) == published


def test_target_selection_and_unknown_target(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    repo = _repo(tmp_path, f'[targets.a]\nurl = "{a}"\n[targets.b]\nurl = "{b}"\n')
    result = run_cli("release", repo, "--target", "b")
    assert result.code == 0 and b.exists() and not a.exists()
    unknown = run_cli("release", repo, "--target", "prd")
    assert unknown.code == 2 and "unknown target 'prd'" in unknown.stderr


def test_version_from_git_tag_and_source_commit(tmp_path):
    releases = tmp_path / "releases"
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{releases}"\n')
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('version = "1.4.0"', 'version_from = "git-tag"'))
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"], ["tag", "v2.0.1"]):
        subprocess.run(["git", *command], cwd=repo, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    result = run_cli("release", repo, "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    bundle = result.json()["bundle"]
    assert bundle["version"] == "2.0.1"
    assert bundle["source_commit"].startswith(head)
    history = json.loads((releases / "cookbooks/releases.json").read_text())
    assert history["releases"][0]["source_commit"].startswith(head)


def test_unreachable_target_blocks_every_upload(tmp_path):
    good = tmp_path / "good"
    repo = _repo(tmp_path, f'[targets.a]\nurl = "{good}"\n'
                 '[targets.b]\nurl = "git://127.0.0.1:9/nothing.git"\n')
    result = run_cli("release", repo, "--format", "json")
    assert result.code == 4, result.stdout + result.stderr
    outcomes = {t["name"]: t["outcome"] for t in result.json()["targets"]}
    assert outcomes == {"a": "not-attempted", "b": "failed"}
    assert not good.exists()


def test_conflict_on_one_target_blocks_the_release(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    repo = _repo(tmp_path, f'[targets.a]\nurl = "{a}"\n[targets.b]\nurl = "{b}"\n')
    assert run_cli("release", repo, "--target", "b").code == 0
    recipe = repo / "cookbooks/webapp/recipes/default.rb"
    recipe.write_text(recipe.read_text() + "# changed without a version bump\n")
    result = run_cli("release", repo)
    assert result.code == 4
    assert "CONFLICT" in result.stdout and not a.exists()


def test_release_json_has_one_shape_when_refused(tmp_path):
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{tmp_path / "r"}"\n')
    metadata = repo / "cookbooks/db_connect/metadata.rb"
    metadata.write_text(metadata.read_text().replace("'1.2.0'", "'2.0.0'"))
    result = run_cli("release", repo, "--format", "json")
    assert result.code == 1
    document = result.json()
    assert document["bundle"] is None and document["targets"] == []
    assert document["dry_run"] is False and document["findings"]


def test_same_target_twice_is_published_once(tmp_path):
    repo = _repo(tmp_path, f'[targets.a]\nurl = "{tmp_path / "a"}"\n')
    result = run_cli("release", repo, "--dry-run", "--target", "a", "--target", "a",
                     "--format", "json")
    assert [t["name"] for t in result.json()["targets"]] == ["a"]


def test_version_from_highest_tag_ignores_pre_releases(tmp_path):
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{tmp_path / "r"}"\n')
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace('version = "1.4.0"', 'version_from = "git-tag"'))
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    steps = (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"], ["tag", "v1.10.0"],
             ["tag", "2.0.0"], ["commit", "-q", "--allow-empty", "-m", "y"], ["tag", "v1.9.0"],
             ["tag", "v4.0.0-rc1"])
    for command in steps:
        subprocess.run(["git", *command], cwd=repo, check=True, env=env)
    result = run_cli("release", repo, "--dry-run", "--format", "json")
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["bundle"]["version"] == "2.0.0"


def test_release_reads_each_metadata_file_and_recipe_once(tmp_path, monkeypatch):
    """One pass: validation, the bundle and the archive share one read of each small file (in
    one process; with forked validation workers, each process reads its share once and the
    archive writer reads again, from the page cache)."""
    import builtins
    import io

    from cookbook_tool.release.pipeline import ReleaseRequest, release

    repo = _repo(tmp_path, '[targets.local]\nurl = "out/releases"\n')
    opened: dict[str, int] = {}
    real_open = io.open

    def count(file):
        name = str(file)
        if name.endswith("metadata.rb") or "/recipes/" in name:
            opened[name] = opened.get(name, 0) + 1

    def counting_open(file, *args, **kwargs):
        count(file)
        return real_open(file, *args, **kwargs)

    real_os_open = os.open

    def counting_os_open(file, *args, **kwargs):
        count(file)
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(os, "open", counting_os_open)
    monkeypatch.setenv("COOKBOOK_TOOL_JOBS", "1")
    report = release(ReleaseRequest(repo, tmp_path, dry_run=True))
    assert report.exit_code == 0 and report.bundle is not None and report.bundle.path
    metadata = [n for n in opened if n.endswith("metadata.rb")]
    assert len(metadata) == 3 and len(opened) == 7, opened
    assert set(opened.values()) == {1}, opened
