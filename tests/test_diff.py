"""``diff A B``: the pure manifest comparison, and the command over versions at a target, local
archives and a local repository (exit 0 equal, 1 different; --patch; --format json)."""

from __future__ import annotations

import json
from pathlib import Path

from cookbook_tool.archive.manifest import Manifest, ManifestCookbook, ManifestFile
from cookbook_tool.compare import compare_manifests, unified_patch
from tests.cli import run_cli
from tests.contract.artifacts import SAMPLE_STACK, make_bundle
from tests.samples import copy_sample


def _manifest(version: str, files: dict[str, str], deps: dict[str, str]) -> Manifest:
    return Manifest(
        "cookbooks", version, "cookbooks",
        (ManifestCookbook("web", version, "cookbooks/web", deps),
         ManifestCookbook("db", "1.0.0", "cookbooks/db")),
        tuple(ManifestFile(f"cookbooks/{p}", 1, sha) for p, sha in sorted(files.items())),
    )


def test_manifests_compare_by_cookbook_file_and_dependency() -> None:
    a = _manifest("1.0.0", {"web/metadata.rb": "1", "web/recipes/a.rb": "2",
                            "db/metadata.rb": "3"}, {"db": ">= 1.0"})
    b = _manifest("1.1.0", {"web/metadata.rb": "1", "web/recipes/b.rb": "4",
                            "db/metadata.rb": "3"}, {"db": ">= 1.1", "apt": "~> 7"})
    b = Manifest(b.name, b.version, b.layout, b.cookbooks[:1], b.files)  # db removed

    diff = compare_manifests(a, b, names=("1.0.0", "1.1.0"))

    assert not diff.equal
    web, db = sorted(diff.cookbooks, key=lambda c: c.name != "web")
    assert (web.status, web.version_a, web.version_b) == ("changed", "1.0.0", "1.1.0")
    assert (web.files.added, web.files.removed) == (("recipes/b.rb",), ("recipes/a.rb",))
    assert web.dependencies == {"apt": (None, "~> 7"), "db": (">= 1.0", ">= 1.1")}
    assert db.status == "removed"
    assert compare_manifests(a, a).equal


def test_patches_only_for_text() -> None:
    patch = unified_patch("web/a.rb", b"log 'a'\n", b"log 'b'\n")
    assert patch is not None and "-log 'a'" in patch and "+log 'b'" in patch
    assert unified_patch("web/x.bin", b"\x00\x01", b"\x00\x02") is None


def _target(tmp_path: Path) -> Path:
    out = tmp_path / "green"
    for bundle in (make_bundle(tmp_path / "b", "1.0.0"),
                   make_bundle(tmp_path / "b", "1.1.0", content="changed")):
        assert run_cli("publish", str(bundle), "--to", str(out)).code == 0
    return out


def test_two_versions_at_a_target(tmp_path: Path) -> None:
    out = _target(tmp_path)

    text = run_cli("diff", "1.0.0", "1.1.0", "--to", str(out))
    patched = run_cli("diff", "1.0.0", "1.1.0", "--to", str(out), "--patch")
    document = run_cli("diff", "1.0.0", "1.1.0", "--to", str(out), "--format", "json")
    same = run_cli("diff", "1.1.0", "1.1.0", "--to", str(out))

    assert text.code == 1 and "changed cookbook webapp" in text.stdout
    assert "~ recipes/default.rb" in text.stdout and "+++ b/" not in text.stdout
    assert patched.code == 1 and "+# changed" in patched.stdout
    parsed = json.loads(document.stdout)
    assert document.code == 1 and parsed["command"] == "diff" and parsed["equal"] is False
    assert parsed["cookbooks"][0]["files"]["changed"] == ["metadata.rb", "recipes/default.rb"]
    assert same.code == 0 and "no difference" in same.stdout


def test_an_archive_against_a_released_version(tmp_path: Path) -> None:
    out = _target(tmp_path)
    archive = tmp_path / "b/cookbooks-1.0.0.tar.gz"
    assert run_cli("diff", str(archive), "1.0.0", "--to", str(out)).code == 0
    assert run_cli("diff", str(archive), str(tmp_path / "b/cookbooks-1.1.0-changed.tar.gz")
                   ).code == 1


def test_a_repository_against_its_release(tmp_path: Path) -> None:
    repo = copy_sample(SAMPLE_STACK, tmp_path / "stack")
    config = repo / "cookbook-tool.toml"
    config.write_text(config.read_text().replace("file://../../out/releases", "../out"))
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    released = run_cli("release", ".", "--target", "local", "-o", str(tmp_path / "dist"),
                       cwd=repo, env=env)
    assert released.code == 0, released.stderr
    (repo / "cookbooks/webapp/recipes/default.rb").write_text("log 'edited'\n")

    result = run_cli("diff", ".", "1.4.0", "--to", "local", "--patch", cwd=repo, env=env)

    assert result.code == 1, result.stderr
    assert "~ recipes/default.rb" in result.stdout and "-log 'edited'" in result.stdout
    assert not list(repo.rglob("*.tar.gz"))  # bundled in a temporary folder, never here


def test_a_version_without_a_target_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("diff", "1.0.0", "1.1.0", cwd=tmp_path)
    assert result.code == 2 and "needs --to TARGET" in result.stderr
