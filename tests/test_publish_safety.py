"""Publishing guards found in review: a missing bucket, a version re-released in another format,
folder file modes, consumer snippets for zip/flat bundles, secret-looking targets and folder
targets inside the cookbook sources."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cookbook_tool.artifact import Artifact, open_artifact
from cookbook_tool.config.load import load_config
from cookbook_tool.errors import LocalError, ReleaseConflict, RemoteError
from cookbook_tool.publish.base import ReleaseState, TargetOptions
from cookbook_tool.publish.configured import configured_target
from cookbook_tool.publish.store.folder import FolderPublisher
from tests.cli import run_cli
from tests.contract.artifacts import make_bundle
from tests.fixtures_s3 import SeaweedServer
from tests.test_release import _repo

MISSING = "bucket 'nobkt' does not exist: check the target URL, the region and the account"


def repack(tar_gz: Path, out: Path, *, fmt: str = "tar.gz", flat: bool = False) -> Artifact:
    """The bundle ``tar_gz`` rewritten as a zip and/or in flat layout (manifest included)."""
    with tarfile.open(tar_gz) as archive:
        files = {m.name: archive.extractfile(m).read() for m in archive if m.isfile()}  # type: ignore[union-attr]
    if flat:
        files = {name.removeprefix("cookbooks/"): data for name, data in files.items()}
        manifest = json.loads(files[".manifest.json"])
        manifest["bundle"]["layout"] = "flat"
        for item in manifest["files"] + manifest["cookbooks"]:
            item["path"] = item["path"].removeprefix("cookbooks/")
        files[".manifest.json"] = json.dumps(manifest).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "zip":
        with zipfile.ZipFile(out, "w") as archive:
            for name in sorted(files):
                archive.writestr(name, files[name])
    else:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as archive:
            for name in sorted(files):
                info = tarfile.TarInfo(name)
                info.size = len(files[name])
                archive.addfile(info, io.BytesIO(files[name]))
        out.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return open_artifact(out)


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# -- 1. a missing bucket is found before anything is uploaded ----------------------------------
@pytest.mark.integration
def test_missing_bucket_state_and_publish(seaweed: SeaweedServer, s3_env: dict[str, str],
                                          tmp_path: Path) -> None:
    from cookbook_tool.publish.store.s3.store import S3Publisher

    target = S3Publisher("s3://nobkt/x", TargetOptions(endpoint_url=seaweed.endpoint))
    artifact = open_artifact(make_bundle(tmp_path, "1.4.0"))
    for call in (target.state, target.publish):
        with pytest.raises(RemoteError) as caught:
            call(artifact)
        assert caught.value.message == MISSING and caught.value.exit_code == 4


def test_missing_bucket_on_aws_headbucket_404(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS answers HeadBucket with a bare 404 (code "404", no body): the region lookup too."""
    from moto import mock_aws

    from cookbook_tool.publish.store.s3.store import S3Publisher

    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMISSINGBUCKET000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "missing-bucket-secret")
    artifact = open_artifact(make_bundle(tmp_path, "1.4.0"))
    with mock_aws():
        target = S3Publisher("s3://nobkt/x", TargetOptions(region="us-east-1"))
        with pytest.raises(RemoteError, match="^" + MISSING + "$"):
            target.state(artifact)
        with pytest.raises(RemoteError, match="^" + MISSING + "$"):
            target.publish(artifact)


@pytest.mark.integration
def test_missing_bucket_cli(seaweed: SeaweedServer, s3_env: dict[str, str], tmp_path: Path) -> None:
    published = run_cli("publish", make_bundle(tmp_path, "1.4.0"), "--to", "s3://nobkt/x",
                        "--endpoint-url", seaweed.endpoint, env=s3_env)
    assert published.code == 4 and MISSING in published.stderr, published.stderr
    good = tmp_path / "good"
    repo = _repo(tmp_path, f'[targets.a]\nurl = "{good}"\n[targets.b]\nurl = "s3://nobkt/x"\n'
                 f'endpoint_url = "{seaweed.endpoint}"\n')
    dry = run_cli("release", repo, "--dry-run", env=s3_env)
    assert dry.code == 4 and MISSING in dry.stdout + dry.stderr, dry.stdout + dry.stderr
    [line] = [x for x in dry.stdout.splitlines() if "nobkt" in x]
    assert "would upload" not in line and "FAILED" in line
    real = run_cli("release", repo, env=s3_env)
    assert real.code == 4 and MISSING in real.stdout + real.stderr
    assert not good.exists()


# -- 2. a version released as tar.gz cannot come back as zip ----------------------------------
def test_format_change_is_a_conflict_in_a_folder(tmp_path: Path) -> None:
    first = open_artifact(make_bundle(tmp_path / "dist", "1.4.0"))
    as_zip = repack(first.path, tmp_path / "zip/cookbooks-1.4.0.zip", fmt="zip")
    target = FolderPublisher(str(tmp_path / "out"), TargetOptions())
    target.publish(first)
    before = {p: (tmp_path / "out" / p).read_bytes() for p in tree(tmp_path / "out")}

    assert target.state(as_zip) is ReleaseState.DIFFERENT
    with pytest.raises(ReleaseConflict, match="as tar.gz, this bundle is zip"):
        target.publish(as_zip)
    assert {p: (tmp_path / "out" / p).read_bytes() for p in tree(tmp_path / "out")} == before
    assert target.state(first) is ReleaseState.SAME


def test_format_change_after_an_interrupted_run(tmp_path: Path) -> None:
    """The tar.gz object exists but the history was never written: still a conflict."""
    first = open_artifact(make_bundle(tmp_path / "dist", "1.4.0"))
    as_zip = repack(first.path, tmp_path / "zip/cookbooks-1.4.0.zip", fmt="zip")
    target = FolderPublisher(str(tmp_path / "out"), TargetOptions())
    target.publish(first)
    (tmp_path / "out/cookbooks/releases.json").unlink()
    assert target.state(as_zip) is ReleaseState.DIFFERENT
    with pytest.raises(ReleaseConflict):
        target.publish(as_zip)
    assert not list((tmp_path / "out").rglob("*.zip"))


@pytest.mark.integration
def test_format_change_is_a_conflict_on_s3(seaweed: SeaweedServer, s3_bucket: str,
                                           tmp_path: Path) -> None:
    from cookbook_tool.publish.store.s3.store import S3Publisher

    first = open_artifact(make_bundle(tmp_path / "dist", "1.4.0"))
    as_zip = repack(first.path, tmp_path / "zip/cookbooks-1.4.0.zip", fmt="zip")
    target = S3Publisher(f"s3://{s3_bucket}/t", TargetOptions(endpoint_url=seaweed.endpoint))
    target.publish(first)
    listing = seaweed.client().list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert target.state(as_zip) is ReleaseState.DIFFERENT
    with pytest.raises(ReleaseConflict, match="as tar.gz"):
        target.publish(as_zip)
    after = seaweed.client().list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [(o["Key"], o["ETag"]) for o in after] == [(o["Key"], o["ETag"]) for o in listing]


def test_a_folder_target_that_is_a_file_is_refused_before_writing(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    target = FolderPublisher(str(tmp_path / "out"), TargetOptions())
    with pytest.raises(LocalError, match="the target folder is a file"):
        target.state(open_artifact(make_bundle(tmp_path / "dist", "1.4.0")))


# -- 3. folder files get the umask's modes -----------------------------------------------------
@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_folder_modes_follow_the_umask(tmp_path: Path, umask: None, mask: int) -> None:
    artifact = open_artifact(make_bundle(tmp_path / "dist", "1.4.0"))
    os.umask(mask)
    FolderPublisher(str(tmp_path / "out"), TargetOptions()).publish(artifact)
    out = tmp_path / "out/cookbooks"
    for name in ("1.4.0/cookbooks-1.4.0.tar.gz", "cookbooks.tar.gz", "releases.json"):
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~mask, name
    for folder in (out, out / "1.4.0"):
        assert folder.stat().st_mode & 0o777 == 0o777 & ~mask


# -- 4. consumer snippets follow the format and layout -----------------------------------------
@pytest.mark.parametrize(("fmt", "flat"), [("zip", False), ("tar.gz", True), ("zip", True)])
def test_no_chef_solo_line_for_zip_or_flat(tmp_path: Path, fmt: str, flat: bool) -> None:
    base = make_bundle(tmp_path / "dist", "1.4.0")
    artifact = repack(base, tmp_path / f"other/cookbooks-1.4.0.{fmt}", fmt=fmt, flat=flat)
    consumer = FolderPublisher(str(tmp_path / "out"), TargetOptions()).publish(artifact).consumer
    assert consumer is not None and consumer.chef_solo is None
    assert "cookbooks/ folder" in consumer.extra["chef_solo_note"]
    assert ("opsworks_note" in consumer.extra) is flat
    printed = run_cli("publish", artifact.path, "--to", str(tmp_path / "out"))
    assert printed.code == 0 and "  chef-solo: " not in printed.stdout
    assert "no chef-solo line" in printed.stdout
    assert ("OpsWorks Linux stacks" in printed.stdout) is flat


def test_cookbooks_tar_gz_keeps_its_chef_solo_line(tmp_path: Path) -> None:
    artifact = open_artifact(make_bundle(tmp_path / "dist", "1.4.0"))
    consumer = FolderPublisher(str(tmp_path / "out"), TargetOptions()).publish(artifact).consumer
    assert consumer is not None and consumer.chef_solo is not None
    assert consumer.chef_solo.startswith("chef-solo --recipe-url ")
    assert "chef_solo_note" not in consumer.extra and "opsworks_note" not in consumer.extra


# -- 5. targets that hold a password are never folders -----------------------------------------
@pytest.mark.parametrize("target", [
    "user:s3kr3tPW@127.0.0.1:x.git", "out/user:s3kr3tPW@host/x", "file://user:s3kr3tPW@host/x",
])
@pytest.mark.parametrize("command", ["publish", "releases"])
def test_password_like_targets_are_usage_errors(tmp_path: Path, target: str, command: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    args = [make_bundle(tmp_path / "dist", "1.4.0")] if command == "publish" else []
    result = run_cli(command, *args, "--to", target, cwd=work)
    assert result.code == 2, result.stdout + result.stderr
    assert "s3kr3tPW" not in result.stdout + result.stderr
    assert "user:***@" in result.stderr
    assert not list(work.iterdir())


# -- 6. folder targets never land in the cookbook sources --------------------------------------
@pytest.mark.parametrize("url", [".", "file://", "cookbooks/webapp/releases", "{repo}"])
def test_folder_targets_inside_the_sources_are_refused(tmp_path: Path, url: str) -> None:
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{url.format(repo=tmp_path / "repo")}"\n')
    with pytest.raises(LocalError, match="releases would be written") as caught:
        configured_target(load_config(repo / "cookbook-tool.toml"), "local")
    assert caught.value.exit_code == 3
    result = run_cli("release", repo)
    assert result.code == 3, result.stdout + result.stderr
    assert not (repo / "cookbooks").joinpath("cookbooks").exists()
    assert not (repo / "cookbooks/webapp/releases").exists()


@pytest.mark.parametrize("url", ["out/releases", "file://out/releases", "file://../elsewhere"])
def test_folder_targets_outside_the_sources_work(tmp_path: Path, url: str) -> None:
    repo = _repo(tmp_path, f'[targets.local]\nurl = "{url}"\n')
    found, _ = configured_target(load_config(repo / "cookbook-tool.toml"), "local")
    assert found.startswith("file:///")
    result = run_cli("release", repo)
    assert result.code == 0, result.stdout + result.stderr
    shutil.rmtree(repo)
