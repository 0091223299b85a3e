"""The README's path off OpsWorks on real servers: ``release`` to S3 (SeaweedFS) and to a Git
remote, then ``migrate export`` points at exactly the released bytes — the versioned object,
the release tag's commit — and never at "current"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from tests.cli import run_cli
from tests.fixtures_git import make_remote
from tests.fixtures_s3 import SeaweedServer
from tests.migrate_helpers import SAMPLE, cfn_errors
from tests.samples import copy_sample


def _release(root: Path, env: dict[str, str] | None = None) -> None:
    result = run_cli("release", root, env=env)
    assert result.code == 0, result.stdout + result.stderr


def test_s3_association_fetches_the_released_object(
    tmp_path: Path, seaweed: SeaweedServer, s3_bucket: str, s3_env: dict[str, str]
) -> None:
    root = copy_sample(SAMPLE, tmp_path / "stack")
    config = root / "cookbook-tool.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[targets.local]\nurl = "file://../../out/releases"\n',
        f'[targets.prod]\nurl = "s3://{s3_bucket}/stacks"\nregion = "us-east-1"\n'
        f'endpoint_url = "{seaweed.endpoint}"\n'), encoding="utf-8")
    _release(root, env=s3_env)
    result = run_cli("migrate", "export", "--format", "json", cwd=root, env=s3_env)
    assert result.code == 0, result.stderr
    plan = result.json()
    url = json.loads(plan["associations"][0]["Parameters"]["SourceInfo"])["path"]
    assert url == f"{seaweed.endpoint}/{s3_bucket}/stacks/cookbooks/1.4.0/cookbooks-1.4.0.tar.gz"
    bucket, _, key = urlsplit(url).path.lstrip("/").partition("/")
    client = seaweed.client()
    released = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    local = (root / "out" / "cookbooks-1.4.0.tar.gz").read_bytes()
    assert released == local
    assert key != "stacks/cookbooks/cookbooks.tar.gz"  # the moving "current" object
    template = run_cli("migrate", "export", cwd=root, env=s3_env)
    assert cfn_errors(template.stdout) == []
    config.write_text(config.read_text(encoding="utf-8").replace('version = "1.4.0"\n', ""),
                      encoding="utf-8")
    current = run_cli("migrate", "export", "--format", "json", cwd=root, env=s3_env)
    assert current.code == 0, current.stderr
    assert current.json()["source"]["version"] == "1.4.0"  # current, asked of the bucket
    assert current.json()["source"]["pinned_to"] == url


def test_git_association_is_pinned_to_the_release_tag_commit(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    root = copy_sample(SAMPLE, tmp_path / "stack")
    config = root / "cookbook-tool.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[targets.local]\nurl = "file://../../out/releases"\n',
        f'[targets.git]\nurl = "git+file://{remote}"\n'), encoding="utf-8")
    _release(root)
    commit = subprocess.run(
        ["git", f"--git-dir={remote}", "rev-parse", "cookbooks-1.4.0^{commit}"],
        capture_output=True, text=True, check=True).stdout.strip()
    offline = run_cli("migrate", "export", "--offline", cwd=root)
    assert offline.code == 2
    assert f"git ls-remote file://{remote} refs/tags/cookbooks-1.4.0^{{}}" in offline.stderr
    given = run_cli("migrate", "export", "--commit", commit, "--format", "json", cwd=root)
    asked = run_cli("migrate", "export", "--format", "json", cwd=root)  # the tag, from the remote
    assert given.code == asked.code == 0, given.stderr + asked.stderr
    assert given.stdout == asked.stdout
    info = json.loads(asked.json()["associations"][0]["Parameters"]["SourceInfo"])
    assert info == {"repository": f"file://{remote}", "getOptions": f"commitID:{commit}"}
    absent = run_cli("migrate", "export", "--version", "9.9.9", cwd=root)
    assert absent.code == 4
    assert "no release cookbooks 9.9.9" in absent.stderr
    tree = subprocess.run(["git", f"--git-dir={remote}", "ls-tree", "--name-only", commit],
                          capture_output=True, text=True, check=True).stdout.split()
    assert {"db_connect", "nodejs_demo", "webapp"} <= set(tree)
