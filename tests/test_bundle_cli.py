"""`cookbook-tool bundle` and `cookbook-tool verify` through the real entry point."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from cookbook_tool.artifact import open_artifact
from tests.cli import Result, run_cli
from tests.conftest import ROOT


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    return run_cli(*args, cwd=cwd, env=env)


def test_bundle_prints_path_size_and_identity(sample_repo):
    run = _cli("bundle", cwd=sample_repo)
    assert run.returncode == 0, run.stderr
    archive = sample_repo / "out/cookbooks-1.4.0.tar.gz"
    assert archive.is_file()
    artifact = open_artifact(archive)
    assert artifact.name == "cookbooks" and artifact.version == "1.4.0"
    assert run.stdout.splitlines()[0] == "out/cookbooks-1.4.0.tar.gz"
    assert f"identity  {artifact.sha256}" in run.stdout
    assert f"sha256    {artifact.archive_sha256}" in run.stdout


def test_bundle_json_document(sample_repo, tmp_path):
    run = _cli("bundle", str(sample_repo), "-o", str(tmp_path / "dist"), "--version", "2.0.0",
               "--name", "stack", "--format", "json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["ok"] is True and document["command"] == "bundle"
    bundle = document["bundle"]
    assert bundle["path"] == str(tmp_path / "dist/stack-2.0.0.tar.gz")
    assert bundle["identity"] == open_artifact(Path(bundle["path"])).sha256
    assert [c["name"] for c in bundle["cookbooks"]] == ["db_connect", "nodejs_demo", "webapp"]
    assert {"path", "size", "sha256"} == set(bundle["files"][0])
    assert bundle["size"] == Path(bundle["path"]).stat().st_size


def test_source_date_epoch(sample_repo):
    run = _cli(
        "bundle", "--format", "json", cwd=sample_repo, env={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    assert run.returncode == 0, run.stderr
    with tarfile.open(json.loads(run.stdout)["bundle"]["path"]) as archive:
        assert {m.mtime for m in archive.getmembers()} == {1700000000}
    bad = _cli("bundle", cwd=sample_repo, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 2 and "SOURCE_DATE_EPOCH" in bad.stderr


def test_explain_lists_and_writes_nothing(sample_repo):
    (sample_repo / "cookbooks/webapp/.git").mkdir()
    (sample_repo / "cookbooks/webapp/recipes/default.rb~").write_text("old")
    run = _cli("bundle", "--explain", "-c", "webapp", cwd=sample_repo)
    assert run.returncode == 0, run.stderr
    assert "  db_connect 1.2.0  (dependency of webapp)" in run.stdout
    assert "  + cookbooks/webapp/recipes/deploy.rb" in run.stdout
    assert "  - cookbooks/webapp/.git  (VCS folder)" in run.stdout
    assert "  - cookbooks/webapp/recipes/default.rb~  (editor backup)" in run.stdout
    assert "nodejs_demo" not in run.stdout
    assert not (sample_repo / "out").exists()
    listed = _cli("bundle", "--list", "--format", "json", cwd=sample_repo)
    document = json.loads(listed.stdout)
    assert document["explain"]["archive"] == "cookbooks-1.4.0.tar.gz"
    assert {"path": "cookbooks/webapp/.git", "cookbook": "webapp", "reason": "VCS folder"} in (
        document["explain"]["excluded"]
    )


def test_missing_version_is_a_usage_error(tmp_path):
    cookbook = tmp_path / "mycb"
    (cookbook / "recipes").mkdir(parents=True)
    (cookbook / "metadata.rb").write_text("name 'mycb'\nversion '1.0.0'\n")
    run = _cli("bundle", str(cookbook), cwd=tmp_path)
    assert run.returncode == 2
    assert "--version" in run.stderr
    ok = _cli(
        "bundle", str(cookbook), "--version", "0.1.0", "-o", str(tmp_path / "o"), cwd=tmp_path
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "o/cookbooks-0.1.0.tar.gz").is_file()


def test_unresolved_dependency_refuses_with_findings(sample_repo):
    metadata = sample_repo / "cookbooks/webapp/metadata.rb"
    metadata.write_text(metadata.read_text() + "depends 'nosuch'\n")
    run = _cli("bundle", "--format", "json", cwd=sample_repo)
    assert run.returncode == 1
    document = json.loads(run.stdout)
    assert document["ok"] is False
    # said once: validate's rule, not the selection's duplicate
    assert [f["rule"] for f in document["findings"]] == ["dependency-missing"]
    assert not (sample_repo / "out").exists()


def test_link_out_of_a_cookbook_is_refused(sample_repo, tmp_path):
    (tmp_path / "secret.pem").write_text("key")
    (sample_repo / "cookbooks/webapp/files").mkdir()
    (sample_repo / "cookbooks/webapp/files/key.pem").symlink_to(tmp_path / "secret.pem")
    run = _cli("bundle", cwd=sample_repo)
    assert run.returncode == 1  # a validation finding, like every other reason to refuse
    assert "cookbooks/webapp/files/key.pem" in run.stdout
    assert "[symlink-escape]" in run.stdout and "outside the cookbook" in run.stdout
    assert not (sample_repo / "out").exists()


def _special_entries(repo: Path) -> None:
    """A FIFO, a symlink loop and a file name that is not UTF-8, in two cookbooks."""
    os.mkfifo(repo / "cookbooks/webapp/pipe")
    (repo / "cookbooks/webapp/loop").symlink_to("loop")
    Path(os.fsdecode(bytes(repo / "cookbooks/nodejs_demo") + b"/bad\xff.txt")).write_text("x")


def test_special_entries_refuse_the_bundle_with_every_finding(sample_repo):
    _special_entries(sample_repo)
    validate = _cli("validate", cwd=sample_repo)
    run = _cli("bundle", cwd=sample_repo)
    assert validate.returncode == run.returncode == 1, run.stderr
    rules = ("[special-file]", "[symlink-loop]", "[filename-not-utf8]")
    assert all(rule in validate.stdout and rule in run.stdout for rule in rules), run.stdout
    assert "bundle refused" in run.stdout + run.stderr
    assert not (sample_repo / "out").exists()


def test_explain_lists_the_entries_that_cannot_ship(sample_repo):
    _special_entries(sample_repo)
    run = _cli("bundle", "--explain", "--format", "json", cwd=sample_repo)
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    refused = {(e["path"], e["problem"]) for e in document["explain"]["refused"]}
    assert ("cookbooks/webapp/pipe", "FIFO (named pipe)") in refused
    assert ("cookbooks/webapp/loop", "symlink loop") in refused
    assert ("cookbooks/nodejs_demo/bad\\xff.txt", "file name is not valid UTF-8") in refused
    assert len(refused) == 3
    assert {f["rule"] for f in document["findings"]} == {
        "special-file", "symlink-loop", "filename-not-utf8"
    }


@pytest.mark.parametrize(("make", "message"), [(None, "no such folder"), ("file", "not a folder")])
def test_a_missing_repository_is_named_before_the_configuration(tmp_path, make, message):
    target = tmp_path / "nonexist"
    if make == "file":
        target.write_text("")
    run = _cli("bundle", str(target), cwd=tmp_path)
    assert run.returncode == 3
    assert run.stderr.strip() == f"cookbook-tool bundle: error: {target}: {message}" or (
        message == "not a folder" and f"{target}: not a folder" in run.stderr
    )


def test_bundle_help_has_an_example(tmp_path):
    run = _cli("bundle", "--help", cwd=tmp_path)
    assert run.returncode == 0
    assert "Example:  cookbook-tool bundle" in run.stdout


def test_unknown_cookbook_is_a_usage_error(sample_repo):
    run = _cli("bundle", "-c", "nosuch", cwd=sample_repo)
    assert run.returncode == 2 and "nosuch" in run.stderr


def test_verify_accepts_ours_and_rejects_tampering(sample_repo, tmp_path):
    assert (
        _cli("bundle", "--layout", "flat", "--format-archive", "zip", cwd=sample_repo).returncode
        == 0
    )
    archive = sample_repo / "out/cookbooks-1.4.0.zip"
    ok = _cli("verify", str(archive), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert _cli("bundle", cwd=sample_repo).returncode == 0
    source = sample_repo / "out/cookbooks-1.4.0.tar.gz"
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(source) as original, tarfile.open(tampered, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member) if member.isfile() else None
            if member.name == "cookbooks/webapp/attributes/default.rb":
                content = b"default['evil'] = true\n"
                member.size = len(content)
                copy.addfile(member, __import__("io").BytesIO(content))
            else:
                copy.addfile(member, data)
    bad = _cli("verify", str(tampered), "--format", "json", cwd=tmp_path)
    assert bad.returncode == 1
    findings = json.loads(bad.stdout)["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [
        ("archive-manifest-mismatch", "cookbooks/webapp/attributes/default.rb")
    ]
    missing = _cli("verify", str(tmp_path / "nope.tar.gz"), cwd=tmp_path)
    assert missing.returncode == 3


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_bundle_leaves_nothing(tmp_path, signum):
    cookbook = tmp_path / "big"
    (cookbook / "files").mkdir(parents=True)
    (cookbook / "metadata.rb").write_text("name 'big'\nversion '1.0.0'\n")
    (cookbook / "recipes").mkdir()
    (cookbook / "recipes/default.rb").write_text("log 'big'\n")
    for index in range(4):  # text that deflates slowly: a long enough window to interrupt
        (cookbook / f"files/part{index}.txt").write_bytes(base64.b64encode(os.urandom(6 << 20)))
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "cookbook_tool", "bundle", str(cookbook), "--version", "1.0.0",
         "-o", str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not any(out.glob(".*.part")) and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip("the bundle finished before it could be interrupted")
        time.sleep(0.002)
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert list(out.iterdir()) == []


def test_validation_running_beside_the_writer_still_refuses(sample_repo, tmp_path):
    """Validation runs while the archive is written; an error it finds keeps the archive (and
    any temporary file) out of the output folder."""
    from tests.cli import run_cli

    (sample_repo / "cookbooks/webapp/files").mkdir()
    (sample_repo / "cookbooks/webapp/files/creds.txt").write_text("id=AKIAIOSFODNN7EXAMPLE\n")
    out = tmp_path / "out"
    result = run_cli("bundle", sample_repo, "-o", out, "--format", "json")
    assert result.code == 1, result.stdout + result.stderr
    assert [f["rule"] for f in result.json()["findings"]] == ["secret-aws-access-key"]
    assert not out.exists() or list(out.iterdir()) == []


def test_bundle_of_one_cookbook_folder_takes_its_dependencies(sample_repo, tmp_path):
    from tests.cli import run_cli

    result = run_cli("bundle", "-o", tmp_path / "out", "--format", "json",
                     cwd=sample_repo / "cookbooks/webapp")
    assert result.code == 0, result.stdout + result.stderr
    names = [c["name"] for c in result.json()["bundle"]["cookbooks"]]
    assert names == ["db_connect", "webapp"]


def test_bundle_version_must_be_a_chef_version(sample_repo):
    from tests.cli import run_cli

    result = run_cli("bundle", sample_repo, "--version", "1.x")
    assert result.code == 2 and "is not a version" in result.stderr
