"""The pure parts of dependency handling (universe, lock file, resolver, cache) and the
command-line changes around them (--external for validate and bundle, --explain without a
version, an output folder inside a cookbook), on small repositories in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cookbook_tool.cookbook.constraints import Constraint, Version
from cookbook_tool.dependencies.cache import Cache, default_cache_dir
from cookbook_tool.dependencies.lockfile import (
    Lock,
    LockedCookbook,
    Need,
    content_identity,
    parse_lock,
    render_lock,
)
from cookbook_tool.dependencies.resolve import Candidate, DependencyConflict, resolve_needs
from cookbook_tool.dependencies.universe import MalformedUniverse, parse_universe
from tests.cli import run_cli


def test_universe_skips_versions_chef_refuses_and_joins_relative_urls():
    data = json.dumps({
        "apt": {
            "7.4.0": {"download_url": "api/v1/cookbooks/apt/versions/7.4.0/download",
                      "dependencies": {}},
            "not-a-version": {"download_url": "http://x/y", "dependencies": {}},
        },
        "old": {"1.0.0": {"download_url": "http://m/old.tgz", "dependencies": []}},
    }).encode()
    universe = parse_universe(data, "http://mirror.example/sm")
    assert list(universe["apt"]) == ["7.4.0"]
    assert universe["apt"]["7.4.0"].download_url == (
        "http://mirror.example/sm/api/v1/cookbooks/apt/versions/7.4.0/download"
    )
    assert universe["old"]["1.0.0"].dependencies == ()


@pytest.mark.parametrize("document", [
    b"[]", b'{"apt": []}', b'{"apt": {"1.0.0": {"download_url": "file:///etc/passwd"}}}',
    b'{"apt": {"1.0.0": {"download_url": "http://x", "dependencies": {"y": "~> lol"}}}}',
    b"[" * 100_000,
])
def test_malformed_universes_are_refused(document: bytes):
    with pytest.raises(MalformedUniverse):
        parse_universe(document, "http://x")


def test_lock_round_trips_sorted_and_rejects_a_bad_sha():
    entry = LockedCookbook("b", "1.0.0", "supermarket", "http://s", "a" * 64, url="http://s/d",
                           dependencies={"z": ">= 1.0", "a": "~> 2.0"})
    rendered = render_lock(Lock({"b": entry, "a": entry}))
    assert parse_lock(rendered).cookbooks["b"] == entry
    assert list(json.loads(rendered)["cookbooks"]) == ["a", "b"]
    with pytest.raises(ValueError, match="sha256"):
        parse_lock(rendered.replace(b"a" * 64, b"nothex"))


def test_content_identity_ignores_order_but_not_content():
    one = {"a": b"1", "b/c": b"2"}
    assert content_identity(one) == content_identity(dict(reversed(list(one.items()))))
    assert content_identity(one) != content_identity({"a": b"1", "b/c": b"3"})


def test_the_resolver_backtracks_to_older_versions():
    index = {
        "app": [Candidate("app", Version(2, 0, 0), "s", (("lib", Constraint.parse(">= 2.0")),)),
                Candidate("app", Version(1, 0, 0), "s", (("lib", Constraint.parse("< 2.0")),))],
        "lib": [Candidate("lib", Version(1, 5, 0), "s")],
    }
    chosen = resolve_needs([Need("app", Constraint.any(), "root")], lambda n: index.get(n, []))
    assert {n: str(c.version) for n, c in chosen.items()} == {"app": "1.0.0", "lib": "1.5.0"}
    with pytest.raises(DependencyConflict, match="root needs nothing >= 0.0.0"):
        resolve_needs([Need("nothing", Constraint.any(), "root")], lambda n: [])


def test_cache_location_and_atomic_store(tmp_path: Path):
    assert default_cache_dir({"XDG_CACHE_HOME": "/x"}, Path("/h")) == Path("/x/cookbook-tool")
    assert default_cache_dir({}, Path("/h")) == Path("/h/.cache/cookbook-tool")
    cache = Cache(tmp_path / "c")
    files = {"metadata.rb": b"name 'a'\n", "recipes/default.rb": b""}
    identity = content_identity(files)
    cache.store("a", "1.0.0", identity, files)
    assert cache.load("a", "1.0.0", identity) == files
    assert not list((tmp_path / "c" / "cookbooks").glob(".tmp-*"))
    (tmp_path / "c" / "cookbooks" / f"a-1.0.0-{identity}" / "metadata.rb").write_text("x")
    assert cache.load("a", "1.0.0", identity) is None  # changed on disk: not trusted


def _repo(root: Path, depends: str = "depends 'apt'") -> Path:
    (root / "cookbooks" / "web" / "recipes").mkdir(parents=True)
    (root / "cookbooks" / "web" / "metadata.rb").write_text(
        f"name 'web'\nversion '1.0.0'\n{depends}\n")
    (root / "cookbooks" / "web" / "recipes" / "default.rb").write_text("log 'x'\n")
    return root


def test_dependency_missing_names_the_config_keys_and_the_flags(tmp_path: Path):
    repo = _repo(tmp_path / "repo")
    result = run_cli("validate", repo, "--format", "json", cwd=tmp_path)
    assert result.code == 1
    (message,) = [f["message"] for f in result.json()["findings"]]
    for words in ("external_cookbooks", "external_presets", "--external NAME",
                  "--external-preset NAME", "[dependencies]", "cookbook-tool lock"):
        assert words in message


def test_validate_and_bundle_take_external_names_and_presets(tmp_path: Path):
    repo = _repo(tmp_path / "repo", "depends 'apt'\ndepends 'opsworks_commons'")
    assert run_cli("validate", repo, "--external", "apt", cwd=tmp_path).code == 1
    ok = run_cli("validate", repo, "--external", "apt", "--external-preset", "opsworks-chef-11.10",
                 cwd=tmp_path)
    assert ok.code == 0, ok.stdout + ok.stderr
    refused = run_cli("bundle", repo, "--version", "1.0.0", cwd=tmp_path)
    assert refused.code == 1
    built = run_cli("bundle", repo, "--version", "1.0.0", "--external", "apt",
                    "--external-preset", "opsworks-chef-11.10", cwd=tmp_path)
    assert built.code == 0, built.stderr
    unknown = run_cli("validate", repo, "--external-preset", "opsworks-chef-11", cwd=tmp_path)
    assert unknown.code == 2 and "did you mean" in unknown.stderr


def test_explain_needs_no_version(tmp_path: Path):
    repo = _repo(tmp_path / "repo", "")
    result = run_cli("bundle", repo, "--explain", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "cookbooks-VERSION.tar.gz would hold:" in result.stdout
    assert not (repo / "out").exists()


@pytest.mark.parametrize("output", ["cookbooks/web", "cookbooks/web/files/out"])
def test_an_output_folder_the_next_bundle_would_ship_is_refused(tmp_path: Path, output: str):
    repo = _repo(tmp_path / "repo", "")
    result = run_cli("bundle", repo, "--version", "1.0.0", "-o", repo / output, cwd=tmp_path)
    assert result.code == 2
    assert "inside cookbook 'web'" in result.stderr
    assert not list((repo / "cookbooks" / "web").rglob("*.tar.gz"))
    elsewhere = run_cli("bundle", repo, "--version", "1.0.0", "-o", tmp_path / "dist",
                        cwd=tmp_path)
    assert elsewhere.code == 0, elsewhere.stderr


def test_lock_help_has_examples_and_refuses_names_without_update(tmp_path: Path):
    help_text = run_cli("lock", "--help", cwd=tmp_path)
    assert help_text.code == 0 and "cookbook-tool lock --update apt" in help_text.stdout
    refused = run_cli("lock", "apt", "--repo", tmp_path, cwd=tmp_path)
    assert refused.code == 2 and "--update" in refused.stderr


def test_lock_without_a_source_says_how_to_set_one(tmp_path: Path):
    repo = _repo(tmp_path / "repo")
    result = run_cli("lock", "--repo", repo, "--cache-dir", tmp_path / "c", cwd=tmp_path)
    assert result.code == 1
    assert "web 1.0.0 needs apt >= 0.0.0" in result.stderr
    assert "[sources] default" in result.stderr
    assert not (repo / "cookbook-tool.lock").exists()


def test_the_config_schema_checks_the_dependency_tables(tmp_path: Path):
    repo = _repo(tmp_path / "repo")
    (repo / "cookbook-tool.toml").write_text(
        '[sources]\ndefault = "ftp://x"\n[dependencies]\napt = { vesion = "1.0" }\n')
    result = run_cli("validate", repo, cwd=tmp_path)
    assert result.code == 3
    assert "sources.default" in result.stderr
    (repo / "cookbook-tool.toml").write_text('[dependencies]\napt = { vesion = "1.0" }\n')
    result = run_cli("validate", repo, cwd=tmp_path)
    assert result.code == 3 and "did you mean 'version'" in result.stderr
