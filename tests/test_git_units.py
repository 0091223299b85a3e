"""Pure parts of the Git publisher: target URLs, git's environment, failure translation, tag
patterns, signatures and the release tree."""

from __future__ import annotations

import base64
import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from cookbook_tool.artifact import open_artifact
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.git.messages import TagPattern, parse_fields, signature
from cookbook_tool.publish.git.transport import git_setup, parse_target, translate_failure
from cookbook_tool.publish.git.tree import ObjectWriter, build_tree
from tests.contract.artifacts import make_artifact


@pytest.mark.parametrize(
    ("url", "git_url", "scheme", "branch"),
    [
        ("git+ssh://git@host/org/cb.git", "ssh://git@host/org/cb.git", "ssh", "cookbooks"),
        ("git@github.com:org/cb.git#release", "git@github.com:org/cb.git", "ssh", "release"),
        ("git+https://host/cb.git#main", "https://host/cb.git", "https", "main"),
        ("git+file:///srv/cb.git", "file:///srv/cb.git", "file", "cookbooks"),
        ("git://127.0.0.1:9418/cb.git", "git://127.0.0.1:9418/cb.git", "git", "cookbooks"),
    ],
)
def test_parse_target(url: str, git_url: str, scheme: str, branch: str) -> None:
    target = parse_target(url, None)
    assert (target.url, target.scheme, target.branch) == (git_url, scheme, branch)


def test_parse_target_masks_and_checks() -> None:
    target = parse_target("git+https://bob:hunter2@host/cb.git", "rel")
    assert "hunter2" not in target.display and target.branch == "rel"
    assert target.consumer_url == "https://bob@host/cb.git"
    scrubbed = target.scrub("fatal: https://bob:hunter2@host/ hunter2")
    assert scrubbed == "fatal: https://bob:***@host/ ***"
    with pytest.raises(UsageError, match="--branch"):
        parse_target("git+https://host/cb.git#a", "b")
    with pytest.raises(UsageError, match="not a valid Git ref"):
        parse_target("git+https://host/cb.git#bad..name", None)
    with pytest.raises(UsageError, match="not svn"):
        parse_target("git+svn://host/cb", None)


def test_environment_disables_prompts_and_drops_repository_variables(tmp_path: Path) -> None:
    key = tmp_path / "id_deploy"
    key.write_text("PRIVATE KEY MATERIAL")
    environ = {"PATH": "/usr/bin", "GIT_DIR": "/home/me/project/.git", "GIT_INDEX_FILE": "x"}
    setup = git_setup(
        parse_target("git+ssh://git@host/cb.git", None),
        TargetOptions(ssh_key=key, known_hosts=key),
        environ,
    )
    env = setup.env
    assert "GIT_DIR" not in env and "GIT_INDEX_FILE" not in env
    assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_ASKPASS"] == ""
    ssh = env["GIT_SSH_COMMAND"]
    for option in ("IdentitiesOnly=yes", "BatchMode=yes", "StrictHostKeyChecking=yes"):
        assert option in ssh
    assert f"-i {key}" in ssh and f"UserKnownHostsFile={key}" in ssh
    assert "PRIVATE KEY MATERIAL" not in repr(env)


def test_token_travels_in_the_environment_only() -> None:
    setup = git_setup(
        parse_target("git+https://bob@git.example.com/cb.git", None),
        TargetOptions(token_env="CB_TOKEN"),
        {"CB_TOKEN": "tok-123"},
    )
    keys = {setup.env[k]: setup.env[k.replace("KEY", "VALUE")] for k in setup.env if "_KEY_" in k}
    header = keys["http.https://git.example.com/.extraHeader"]
    assert base64.b64decode(header.split()[-1]) == b"bob:tok-123"
    assert setup.target.scrub(f"oops tok-123 {header}") == "oops *** Authorization: Basic ***"
    with pytest.raises(LocalError, match="CB_TOKEN"):
        git_setup(setup.target, TargetOptions(token_env="CB_TOKEN"), {})
    with pytest.raises(UsageError, match="HTTPS"):
        git_setup(parse_target("git://h/x.git", None), TargetOptions(token_env="CB_TOKEN"), {})


def test_missing_key_file_is_a_local_error_without_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "secret-key-name"
    with pytest.raises(LocalError) as caught:
        git_setup(parse_target("git@h:x.git", None), TargetOptions(ssh_key=missing), {})
    assert "secret-key-name" not in caught.value.message


AUTH, MISSING, UNREACHABLE = "authentication refused", "repository not found", "cannot reach"


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [  # git's own messages
        (
            "git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.",
            AUTH,
        ),
        ("fatal: Authentication failed for 'https://h/x.git/'", AUTH),
        ("fatal: could not read Username for 'https://h': terminal prompts disabled", AUTH),
        (
            "Host key verification failed.\nfatal: Could not read from remote repository.",
            "host key",
        ),
        ("ssh: connect to host h port 22: Connection refused\nfatal: Could not read", UNREACHABLE),
        ("fatal: unable to connect to h:\nh[0: 127.0.0.1]: errno=Connection refused", UNREACHABLE),
        ("fatal: unable to access 'https://nohost/': Could not resolve host: nohost", UNREACHABLE),
        ("fatal: remote error: access denied or repository not exported: /x.git", MISSING),
        ("fatal: '/srv/x.git' does not appear to be a git repository", MISSING),
        ("fatal: repository 'https://h/x.git/' not found", MISSING),
        ("fatal: something unheard of", "git push failed"),
    ],
)
def test_translate_failure(stderr: str, expected: str) -> None:
    target = parse_target("git+https://bob:pw@h/x.git", None)
    error = translate_failure("push", stderr, target)
    assert expected in error.message and error.exit_code == 4
    assert "\n" not in error.message and ":pw@" not in error.message


def test_tag_pattern() -> None:
    pattern = TagPattern("release/{name}/v{version}")
    assert pattern.tag("cb", "1.2.0") == "release/cb/v1.2.0"
    assert pattern.glob("cb") == "release/cb/v*"
    assert pattern.version_of("cb", "release/cb/v1.2.0") == "1.2.0"
    assert pattern.version_of("other", "release/cb/v1.2.0") is None
    with pytest.raises(UsageError):
        TagPattern("{name}")
    with pytest.raises(UsageError):
        TagPattern("{name}-{version}-{sha}")


def test_signature_defaults_and_source_date_epoch() -> None:
    default = signature(TargetOptions(), {"SOURCE_DATE_EPOCH": "1700000000"})
    assert default.author == "cookbook-tool <cookbook-tool@localhost>"
    assert default.epoch == 1700000000
    env = {"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@x", "GIT_COMMITTER_NAME": "CI"}
    mixed = signature(TargetOptions(), env)
    assert (mixed.author, mixed.committer) == ("Ann <ann@x>", "CI <ann@x>")
    chosen = signature(TargetOptions(author_name="Rel", author_email="rel@x"), env)
    assert chosen.author == "Rel <rel@x>"
    with pytest.raises(UsageError):
        signature(TargetOptions(), {"SOURCE_DATE_EPOCH": "yesterday"})
    assert parse_fields("x\n\nsha256: abc\nsize: 3\n") == {"sha256": "abc", "size": "3"}


def _git_tree(repository: Path, tree: str) -> list[str]:
    return subprocess.run(
        ["git", f"--git-dir={repository}", "ls-tree", "-r", tree],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()


def test_tree_matches_what_git_builds(tmp_path: Path) -> None:
    """Our tree id equals the one git itself computes for the same files."""
    files = {"b/x.rb": b"x", "a.b/y": b"y", "a/z": b"z", "a-b/w": b"w", "run.sh": b"#!/bin/sh\n"}
    repository = tmp_path / "repo"
    subprocess.run(["git", "init", "--quiet", str(repository)], check=True)
    for path, data in files.items():
        (repository / path).parent.mkdir(parents=True, exist_ok=True)
        (repository / path).write_bytes(data)
    (repository / "run.sh").chmod(0o755)
    subprocess.run(["git", "-C", str(repository), "add", "-A"], check=True)
    expected = subprocess.run(
        ["git", "-C", str(repository), "write-tree"], check=True, capture_output=True, text=True
    ).stdout.strip()
    archive_path = tmp_path / "flat-1.0.0.tar.gz"
    with tarfile.open(archive_path, "w:gz") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(data), 0o755 if path == "run.sh" else 0o644
            archive.addfile(info, io.BytesIO(data))
    built = build_tree(open_artifact(archive_path), ObjectWriter(tmp_path / "objects"))
    assert built.sha == expected and built.files == 5


def test_tree_strips_the_cookbooks_folder_and_reads_zip(tmp_path: Path) -> None:
    tar_artifact = make_artifact(tmp_path, "1.0.0")
    zip_path = tmp_path / "cookbooks-1.0.0.zip"
    with tarfile.open(tar_artifact.path) as source, zipfile.ZipFile(zip_path, "w") as target:
        for member in source.getmembers():
            stream = source.extractfile(member)
            assert stream is not None
            target.writestr(member.name, stream.read())
    repository = tmp_path / "bare.git"
    subprocess.run(["git", "init", "--bare", "--quiet", str(repository)], check=True)
    writer = ObjectWriter(repository / "objects")
    from_tar = build_tree(tar_artifact, writer)
    from_zip = build_tree(open_artifact(zip_path), writer)
    assert from_tar.sha == from_zip.sha
    paths = [line.split("\t")[1] for line in _git_tree(repository, from_tar.sha)]
    assert ".manifest.json" in paths and "webapp/metadata.rb" in paths
    assert not any(p.startswith("cookbooks/") for p in paths)


@pytest.mark.parametrize("bad", ["../evil.rb", "cookbooks/x/.git/config", "/abs.rb"])
def test_tree_refuses_unsafe_paths(tmp_path: Path, bad: str) -> None:
    archive_path = tmp_path / "cookbooks-1.0.0.tar.gz"
    with tarfile.open(archive_path, "w:gz") as archive:
        info = tarfile.TarInfo(bad)
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(LocalError):
        build_tree(open_artifact(archive_path), ObjectWriter(tmp_path / "objects"))
