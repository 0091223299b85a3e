"""``lock --import``: a Berkshelf Berksfile.lock and a Policyfile.lock.json, written in the
format those tools produce (Berkshelf 7's lockfile writer; chef-cli's Policyfile lock), turned
into cookbook-tool.lock with the same versions, then bundled."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.test_dependencies_mirror import Mirror, serve


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mirror]:
    with serve(tmp_path_factory.mktemp("supermarket-import")) as server:
        yield server.new_mirror()


def _repo(root: Path) -> Path:
    (root / "cookbooks" / "web" / "recipes").mkdir(parents=True)
    (root / "cookbooks" / "web" / "metadata.rb").write_text(
        "name 'web'\nversion '1.0.0'\ndepends 'firewall', '~> 2.5'\ndepends 'iis'\n")
    (root / "cookbooks" / "web" / "recipes" / "default.rb").write_text("log 'web'\n")
    (root / "cookbook-tool.toml").write_text('[bundle]\nversion = "1.0.0"\n')
    return root


BERKSFILE_LOCK = """DEPENDENCIES
  web
    path: cookbooks/web

GRAPH
  chef-sugar (4.0.0)
  firewall (2.5.4)
    chef-sugar (>= 0.0.0)
  iis (7.2.0)
    windows (>= 5.0)
  web (1.0.0)
    firewall (~> 2.5)
    iis (>= 0.0.0)
  windows (7.0.2)
"""


def _versions(repo: Path) -> dict[str, str]:
    document = json.loads((repo / "cookbook-tool.lock").read_text())
    return {name: entry["version"] for name, entry in document["cookbooks"].items()}


def test_import_a_berksfile_lock(tmp_path: Path, mirror: Mirror):
    repo = _repo(tmp_path / "repo")
    (repo / "Berksfile").write_text(f"source '{mirror.url}'\n\ncookbook 'web', path: "
                                    "'cookbooks/web'\n")
    (repo / "Berksfile.lock").write_text(BERKSFILE_LOCK)
    environment = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = run_cli("lock", "--repo", repo, "--import", repo / "Berksfile.lock", cwd=tmp_path,
                     env=environment)
    assert result.code == 0, result.stderr
    # the versions Berkshelf chose (firewall 2.5.4, chef-sugar 4.0.0), not the newest ones
    assert _versions(repo) == {"chef-sugar": "4.0.0", "firewall": "2.5.4", "iis": "7.2.0",
                               "windows": "7.0.2"}
    assert run_cli("lock", "--check", "--repo", repo, cwd=tmp_path).code == 0
    bundle = run_cli("bundle", repo, "--format", "json", cwd=tmp_path, env=environment)
    assert bundle.code == 0, bundle.stderr
    with tarfile.open(bundle.json()["bundle"]["path"]) as opened:
        assert "cookbooks/windows/metadata.rb" in opened.getnames()


def test_import_a_policyfile_lock(tmp_path: Path, mirror: Mirror):
    repo = _repo(tmp_path / "repo")

    def artifact(name: str, version: str) -> dict[str, object]:
        url = f"{mirror.url}/api/v1/cookbooks/{name}/versions/{version}/download"
        return {
            "version": version, "identifier": "0" * 40,
            "dotted_decimal_identifier": "0.0.0", "cache_key": f"{name}-{version}-mirror",
            "origin": url, "source_options": {"artifactserver": url, "version": version},
        }

    document = {
        "revision_id": "1" * 64, "name": "web", "run_list": ["recipe[web::default]"],
        "included_policy_locks": [],
        "cookbook_locks": {
            "chef-sugar": artifact("chef-sugar", "4.0.0"),
            "firewall": artifact("firewall", "2.6.2"),
            "iis": artifact("iis", "7.2.0"),
            "windows": artifact("windows", "7.0.2"),
            "web": {"version": "1.0.0", "identifier": "2" * 40,
                    "dotted_decimal_identifier": "0.0.0", "source": "cookbooks/web",
                    "cache_key": None, "scm_info": None,
                    "source_options": {"path": "cookbooks/web"}},
        },
        "default_attributes": {}, "override_attributes": {},
        "solution_dependencies": {
            "Policyfile": [["web", ">= 0.0.0"]],
            "dependencies": {
                "chef-sugar (4.0.0)": [], "firewall (2.6.2)": [["chef-sugar", "~> 4.0"]],
                "iis (7.2.0)": [["windows", ">= 5.0"]], "windows (7.0.2)": [],
                "web (1.0.0)": [["firewall", "~> 2.5"], ["iis", ">= 0.0.0"]],
            },
        },
    }
    (repo / "Policyfile.lock.json").write_text(json.dumps(document, indent=2))
    result = run_cli("lock", "--repo", repo, "--import", repo / "Policyfile.lock.json",
                     cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.code == 0, result.stderr
    assert _versions(repo) == {"chef-sugar": "4.0.0", "firewall": "2.6.2", "iis": "7.2.0",
                               "windows": "7.0.2"}
    lock = json.loads((repo / "cookbook-tool.lock").read_text())
    assert lock["cookbooks"]["firewall"]["dependencies"] == {"chef-sugar": "~> 4.0"}
    assert run_cli("lock", "--check", "--repo", repo, cwd=tmp_path).code == 0


def test_import_refuses_what_is_not_a_lock(tmp_path: Path):
    repo = _repo(tmp_path / "repo")
    (repo / "Berksfile.lock").write_text("hello\n  world ( \n")
    result = run_cli("lock", "--repo", repo, "--import", repo / "Berksfile.lock", cwd=tmp_path)
    assert result.code == 3
    assert "Berksfile.lock" in result.stderr
    assert not (repo / "cookbook-tool.lock").exists()
