"""``publish``, ``releases``, ``rollback`` and ``prune`` through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Result, run_cli
from tests.contract.artifacts import make_bundle

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return run_cli(*args, base_env=env)


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def bundles(tmp_path: Path) -> Path:
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        make_bundle(tmp_path / "dist", version)
    make_bundle(tmp_path / "other", "1.0.0", content="changed")
    return tmp_path


def test_publish_to_a_folder_prints_consumer_snippets(bundles: Path) -> None:
    target = bundles / "published"

    first = cli("publish", str(bundles / "dist/cookbooks-1.0.0.tar.gz"), "--to", str(target))

    assert first.returncode == 0, first.stderr
    assert "published cookbooks 1.0.0" in first.stdout
    assert '"Type":"archive"' in first.stdout and "chef-solo --recipe-url" in first.stdout
    assert first.stderr == ""
    assert (target / "cookbooks/1.0.0/cookbooks-1.0.0.tar.gz").is_file()
    assert (target / "cookbooks/cookbooks.tar.gz").is_file()
    assert not [p for p in target.rglob("*.tmp")]

    again = cli("publish", str(bundles / "dist/cookbooks-1.0.0.tar.gz"), "--to",
                target.as_uri(), "--format", "json")
    assert again.returncode == 0, again.stderr
    document = as_json(again)
    assert document["command"] == "publish" and document["ok"]
    assert document["result"]["already_published"] is True
    assert document["result"]["bytes_uploaded"] == 0


def test_conflict_exits_4_with_one_json_document(bundles: Path) -> None:
    target = str(bundles / "published")
    cli("publish", str(bundles / "dist/cookbooks-1.0.0.tar.gz"), "--to", target)

    refused = cli("publish", str(bundles / "other/cookbooks-1.0.0-changed.tar.gz"), "--to",
                  target, "--format", "json")

    assert refused.returncode == 4
    document = as_json(refused)
    assert document["ok"] is False and document["error"]["type"] == "ReleaseConflict"
    assert "different content" in refused.stderr
    text = cli("publish", str(bundles / "other/cookbooks-1.0.0-changed.tar.gz"), "--to", target)
    assert text.returncode == 4 and len(text.stderr.strip().splitlines()) == 1


def test_releases_rollback_prune(bundles: Path) -> None:
    target = str(bundles / "published")
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        published = cli("publish", str(bundles / f"dist/cookbooks-{version}.tar.gz"),
                        "--to", target)
        assert published.returncode == 0, published.stderr

    listed = as_json(cli("releases", "--to", target, "--format", "json"))
    assert [r["version"] for r in listed["releases"]] == ["1.2.0", "1.1.0", "1.0.0"]
    assert listed["current"] == "1.2.0"
    text = cli("releases", "--to", target, "--retention", "2").stdout
    assert "* 1.2.0" in text and "(prunable)" in text

    rolled = cli("rollback", "--to", target, "1.0.0")
    assert rolled.returncode == 0, rolled.stderr
    assert "1.0.0 is current again" in rolled.stdout
    assert as_json(cli("releases", "--to", target, "--format", "json"))["current"] == "1.0.0"
    missing = cli("rollback", "--to", target, "0.1.0")
    assert missing.returncode == 4 and "not a kept release" in missing.stderr

    dry = cli("prune", "--to", target, "--keep", "1", "--dry-run")
    assert dry.returncode == 0 and "will delete 1 release(s) of cookbooks: 1.1.0" in dry.stdout
    assert (Path(target) / "cookbooks/1.1.0").exists()
    pruned = cli("prune", "--to", target, "--keep", "1", "--format", "json")
    assert pruned.returncode == 0, pruned.stderr
    assert [r["version"] for r in as_json(pruned)["deleted"]] == ["1.1.0"]
    assert not (Path(target) / "cookbooks/1.1.0").exists()
    after = as_json(cli("releases", "--to", target, "--format", "json"))
    assert [r["version"] for r in after["releases"]] == ["1.2.0", "1.0.0"]


def test_bad_bundle_is_a_local_error(tmp_path: Path) -> None:
    broken = tmp_path / "cookbooks-1.0.0.tar.gz"
    broken.write_bytes(b"not gzip")

    result = cli("publish", str(broken), "--to", str(tmp_path / "out"))

    assert result.returncode == 3
    assert "not a readable" in result.stderr
    assert not (tmp_path / "out").exists()


def test_command_modules_do_not_import_boto3() -> None:
    code = "import sys, cookbook_tool.cli.app; print('boto3' in sys.modules, 'git' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert result.stdout.strip() == "False False"


@pytest.mark.integration
def test_publish_to_seaweedfs_with_endpoint_url(bundles: Path, seaweed: Any, s3_bucket: str,
                                                s3_env: dict[str, str]) -> None:
    target = f"s3://{s3_bucket}/stack"
    bundle = str(bundles / "dist/cookbooks-1.0.0.tar.gz")

    result = cli("publish", bundle, "--to", target, "--endpoint-url", seaweed.endpoint,
                 "--format", "json", env=s3_env)

    assert result.returncode == 0, result.stderr
    consumer = as_json(result)["result"]["consumer"]
    url = f"{seaweed.endpoint}/{s3_bucket}/stack/cookbooks/cookbooks.tar.gz"
    assert consumer["custom_cookbooks_source"] == {"Type": "s3", "Url": url}
    assert json.loads(consumer["ssm_apply_chef_recipes"]["SourceInfo"]) == {"path": url}
    listed = cli("releases", "--to", target, "--format", "json",
                 env={**s3_env, "AWS_ENDPOINT_URL": seaweed.endpoint})
    assert as_json(listed)["current"] == "1.0.0"


@pytest.mark.integration
@pytest.mark.parametrize(("variable", "value", "code"), [
    ("AWS_SECRET_ACCESS_KEY", "wrong-secret-must-not-be-printed", "SignatureDoesNotMatch"),
    ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000", "InvalidAccessKeyId"),
])
def test_wrong_credentials(bundles: Path, seaweed: Any, s3_bucket: str, s3_env: dict[str, str],
                           variable: str, value: str, code: str) -> None:
    env = {**s3_env, variable: value}

    result = cli("publish", str(bundles / "dist/cookbooks-1.0.0.tar.gz"), "--to",
                 f"s3://{s3_bucket}", "--endpoint-url", seaweed.endpoint, env=env)

    assert result.returncode == 4
    [line] = result.stderr.strip().splitlines()
    assert "credentials rejected" in line and code in line
    assert value not in result.stdout + result.stderr
    assert s3_env["AWS_SECRET_ACCESS_KEY"] not in result.stdout + result.stderr


@pytest.mark.integration
def test_missing_bucket_exit_4(bundles: Path, seaweed: Any, s3_env: dict[str, str]) -> None:
    result = cli("publish", str(bundles / "dist/cookbooks-1.0.0.tar.gz"), "--to",
                 "s3://missing-bucket-xyz", "--endpoint-url", seaweed.endpoint, env=s3_env)

    assert result.returncode == 4
    assert "bucket 'missing-bucket-xyz' does not exist" in result.stderr


def test_configured_target_name(bundles: Path) -> None:
    project = bundles / "project"
    (project / "sub").mkdir(parents=True)
    (project / "cookbook-tool.toml").write_text(
        '[targets.local]\nurl = "file://out/releases"\nretention = 1\n'
    )
    bundle = str(bundles / "dist/cookbooks-1.0.0.tar.gz")

    published = run_cli("publish", bundle, "--to", "local", cwd=project / "sub")

    assert published.returncode == 0, published.stderr
    assert (project / "out/releases/cookbooks/1.0.0/cookbooks-1.0.0.tar.gz").is_file()
    listed = run_cli("releases", "--to", "local", "--format", "json", cwd=project)
    assert as_json(listed)["retention"] == 1
    assert as_json(listed)["target"] == (project / "out/releases").as_uri()
