"""Building bundles from real cookbook trees: reproducibility, content, layout, atomicity."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from cookbook_tool.archive import tar as archive
from cookbook_tool.bundle.build import BundleSettings, build_bundle, plan_bundle
from cookbook_tool.errors import LocalError
from tests.bundle_helpers import load_cookbooks, make_cookbook


def _settings(out: Path, **kwargs: object) -> BundleSettings:
    return BundleSettings(output_dir=out, name="cookbooks", version="1.4.0", **kwargs)  # type: ignore[arg-type]


def _build(repo: Path, out: Path | None = None, **kwargs: object):
    result = build_bundle(repo, load_cookbooks(repo), _settings(out or repo / "out", **kwargs))
    assert result.ok, result.findings
    assert result.path is not None
    return result


def _copy_differently(source: Path, target: Path) -> None:
    """Same tree, other creation order, other umask, other timestamps and permissions bits."""
    old = os.umask(0o077)
    try:
        files = sorted(p for p in source.rglob("*") if p.is_file())
        for index, path in enumerate(reversed(files)):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
            if os.access(path, os.X_OK):
                destination.chmod(0o700)
            os.utime(destination, (1_000_000 + index, 2_000_000 + index * 7))
    finally:
        os.umask(old)


def test_same_tree_same_bytes(sample_repo, tmp_path):
    twin = tmp_path / "twin"
    _copy_differently(sample_repo, twin)
    first = _build(sample_repo, tmp_path / "out1")
    second = _build(twin, tmp_path / "out2")
    assert first.identity == second.identity
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.identity == hashlib.sha256(gzip.decompress(first.path.read_bytes())).hexdigest()
    assert first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()


def test_source_date_epoch_changes_only_the_timestamps(sample_repo, tmp_path):
    default = _build(sample_repo, tmp_path / "a")
    dated = _build(sample_repo, tmp_path / "b", mtime=1_700_000_000)
    assert default.identity != dated.identity
    with tarfile.open(dated.path) as bundle:
        assert {m.mtime for m in bundle.getmembers()} == {1_700_000_000}


def _manifest(bundle: tarfile.TarFile, name: str = "cookbooks/.manifest.json") -> dict:
    extracted = bundle.extractfile(name)
    assert extracted is not None
    return json.loads(extracted.read())


def test_extracts_to_exactly_the_manifest(sample_repo, tmp_path):
    result = _build(sample_repo, tmp_path / "out")
    with tarfile.open(result.path) as bundle:
        manifest = _manifest(bundle)
    assert manifest["bundle"] == {"name": "cookbooks", "version": "1.4.0", "layout": "cookbooks"}
    assert [c["name"] for c in manifest["cookbooks"]] == ["db_connect", "nodejs_demo", "webapp"]
    webapp = manifest["cookbooks"][2]
    assert webapp == {
        "name": "webapp",
        "version": "2.3.1",
        "path": "cookbooks/webapp",
        "dependencies": {"db_connect": "~> 1.2"},
    }
    expected = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    for how in ("tar", "python"):
        target = tmp_path / how
        target.mkdir()
        if how == "tar":
            subprocess.run(["tar", "xzf", str(result.path), "-C", str(target)], check=True)
        else:
            with tarfile.open(result.path) as bundle:
                bundle.extractall(target, filter="data")
        found = {
            p.relative_to(target).as_posix(): (
                p.stat().st_size,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
            for p in target.rglob("*")
            if p.is_file()
        }
        found.pop("cookbooks/.manifest.json")
        assert found == expected
    source = sample_repo / "cookbooks/nodejs_demo/files/default/healthcheck.sh"
    assert (
        expected["cookbooks/nodejs_demo/files/default/healthcheck.sh"][1]
        == hashlib.sha256(source.read_bytes()).hexdigest()
    )


def test_manifest_is_deterministic_json(sample_repo, tmp_path):
    result = _build(sample_repo, tmp_path / "out")
    with tarfile.open(result.path) as bundle:
        raw = bundle.extractfile("cookbooks/.manifest.json").read()  # type: ignore[union-attr]
    document = json.loads(raw)
    assert raw.endswith(b"}\n")
    assert (
        raw == (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    )
    paths = [f["path"] for f in document["files"]]
    assert paths == sorted(paths)


def test_excluded_files_are_left_out_with_reasons(sample_repo, tmp_path):
    cookbook = sample_repo / "cookbooks/db_connect"
    (cookbook / ".git/objects").mkdir(parents=True)
    (cookbook / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (cookbook / "recipes/default.rb~").write_text("backup")
    (cookbook / "recipes/.default.rb.swp").write_text("swap")
    (cookbook / ".DS_Store").write_bytes(b"\0")
    (cookbook / ".kitchen").mkdir()
    (cookbook / ".kitchen/state.yml").write_text("x")
    (cookbook / "Berksfile.lock").write_text("DEPENDENCIES\n")
    (cookbook / "spec").mkdir()
    (cookbook / "spec/default_spec.rb").write_text("describe 'x'\n")  # chefignore: spec/*
    (sample_repo / "out").mkdir()
    (sample_repo / "out/old.tar.gz").write_bytes(b"old")
    plan = plan_bundle(sample_repo, load_cookbooks(sample_repo), _settings(sample_repo / "out"))
    reasons = {e.path: e.reason for e in plan.excluded}
    prefix = "cookbooks/db_connect/"
    assert reasons[prefix + ".git"] == "VCS folder"
    assert reasons[prefix + ".kitchen"] == "Test Kitchen state"
    assert reasons[prefix + "Berksfile.lock"] == "Berkshelf lock file"
    assert reasons[prefix + "spec/default_spec.rb"].startswith("chefignore line")
    assert prefix + "recipes/default.rb~" in reasons
    assert prefix + "recipes/.default.rb.swp" in reasons
    assert prefix + ".DS_Store" in reasons
    result = _build(sample_repo, sample_repo / "out")
    with tarfile.open(result.path) as bundle:
        names = bundle.getnames()
    assert not [
        n
        for n in names
        if any(
            bad in n for bad in (".git", "~", ".swp", "spec", ".kitchen", "Berksfile", ".DS_Store")
        )
    ]


def test_output_folder_inside_a_cookbook_is_left_out(tmp_path):
    cookbook = make_cookbook(tmp_path / "repo/mycb", "mycb")
    result = _build(tmp_path / "repo", cookbook / "pkg")
    again = _build(tmp_path / "repo", cookbook / "pkg")  # the first archive is not picked up
    assert result.identity == again.identity
    assert {e.reason for e in again.plan.excluded} == {"bundle output folder"}


def test_symlink_inside_is_stored_as_the_file(tmp_path):
    cookbook = make_cookbook(tmp_path / "repo/cookbooks/app", "app")
    (cookbook / "files").mkdir()
    (cookbook / "files/real.conf").write_text("real\n")
    (cookbook / "files/alias.conf").symlink_to("real.conf")
    (cookbook / "templates").symlink_to("files")
    result = _build(tmp_path / "repo")
    with tarfile.open(result.path) as bundle:
        alias = bundle.getmember("cookbooks/app/files/alias.conf")
        assert alias.isfile()
        assert bundle.extractfile(alias).read() == b"real\n"  # type: ignore[union-attr]
        assert bundle.getmember("cookbooks/app/templates").isdir()
        assert bundle.getmember("cookbooks/app/templates/real.conf").isfile()
        assert not [m for m in bundle.getmembers() if m.issym() or m.islnk()]


@pytest.mark.parametrize("kind", ["link-out", "broken", "loop", "fifo", "bad-name"])
def test_entries_that_cannot_ship_are_refused(tmp_path, kind):
    cookbook = make_cookbook(tmp_path / "repo/cookbooks/app", "app")
    (tmp_path / "secret").write_text("outside\n")
    bad = cookbook / "files"
    bad.mkdir()
    if kind == "link-out":
        (bad / "x").symlink_to(tmp_path / "secret")
    elif kind == "broken":
        (bad / "x").symlink_to("nowhere")
    elif kind == "loop":
        (bad / "x").symlink_to("y")
        (bad / "y").symlink_to("x")
    elif kind == "fifo":
        os.mkfifo(bad / "x")
    else:
        (Path(os.fsdecode(bytes(bad) + b"/x\xff"))).write_text("latin-1 name")
    out = tmp_path / "out"
    plan = plan_bundle(tmp_path / "repo", load_cookbooks(tmp_path / "repo"), _settings(out))
    assert [r.path for r in plan.refused if r.path.endswith(("files/x", "files/x\udcff"))]
    assert all("/files/x" not in e.name for e in plan.entries)
    # no validation findings given: the writer still refuses (the last line of defence)
    with pytest.raises(LocalError, match=r"files/x"):
        build_bundle(tmp_path / "repo", load_cookbooks(tmp_path / "repo"), _settings(out))
    assert not out.exists() or not list(out.iterdir())


def test_interrupted_write_leaves_nothing(sample_repo, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    calls = {"n": 0}
    original = archive.copy_content

    def failing(member, sink, on_file=None):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(member, sink, on_file)

    monkeypatch.setattr(archive, "copy_content", failing)
    with pytest.raises(KeyboardInterrupt):
        build_bundle(sample_repo, load_cookbooks(sample_repo), _settings(out))
    assert list(out.iterdir()) == []


def test_a_failed_rebuild_keeps_the_previous_archive(sample_repo, tmp_path, monkeypatch):
    first = _build(sample_repo, tmp_path / "out")
    before = first.path.read_bytes()

    def failing(member, sink, on_file=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive, "copy_content", failing)
    with pytest.raises(LocalError, match="No space left"):
        build_bundle(sample_repo, load_cookbooks(sample_repo), _settings(tmp_path / "out"))
    assert first.path.read_bytes() == before
    assert [p.name for p in (tmp_path / "out").iterdir()] == [first.path.name]


def test_flat_layout(sample_repo, tmp_path):
    result = _build(sample_repo, tmp_path / "out", layout="flat")
    with tarfile.open(result.path) as bundle:
        names = bundle.getnames()
        manifest = _manifest(bundle, ".manifest.json")
    assert names[-1] == ".manifest.json"  # last: built from the hashes taken while writing
    assert {n.split("/")[0] for n in names} == {
        ".manifest.json",
        "db_connect",
        "nodejs_demo",
        "webapp",
    }
    assert manifest["bundle"]["layout"] == "flat"
    assert manifest["cookbooks"][0]["path"] == "db_connect"


def test_folder_is_named_by_metadata_name(tmp_path):
    make_cookbook(tmp_path / "repo/cookbooks/folder-name", "real_name")
    result = _build(tmp_path / "repo")
    with tarfile.open(result.path) as bundle:
        assert "cookbooks/real_name/metadata.rb" in bundle.getnames()


def test_zip_bundles_are_reproducible(sample_repo, tmp_path):
    twin = tmp_path / "twin"
    _copy_differently(sample_repo, twin)
    first = _build(sample_repo, tmp_path / "a", archive_format="zip")
    second = _build(twin, tmp_path / "b", archive_format="zip")
    assert first.path.name == "cookbooks-1.4.0.zip"
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.identity == first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    with zipfile.ZipFile(first.path) as bundle:
        manifest = json.loads(bundle.read("cookbooks/.manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(bundle.read(entry["path"])).hexdigest() == entry["sha256"]


def test_selection_adds_the_dependency_closure(sample_repo, tmp_path):
    result = _build(sample_repo, tmp_path / "out", cookbooks=("webapp",))
    assert [c.name for c in result.plan.selection.cookbooks] == ["db_connect", "webapp"]
    assert result.plan.selection.reasons["db_connect"] == "dependency of webapp"
    with tarfile.open(result.path) as bundle:
        tops = {n.split("/")[1] for n in bundle.getnames() if n.count("/") >= 1}
    assert tops == {".manifest.json", "db_connect", "webapp"}


def test_unresolved_dependency_refuses_unless_external(tmp_path):
    make_cookbook(tmp_path / "repo/cookbooks/app", "app", depends={"apache2": ">= 1.0"})
    cookbooks = load_cookbooks(tmp_path / "repo")
    refused = build_bundle(tmp_path / "repo", cookbooks, _settings(tmp_path / "out"))
    assert refused.path is None
    assert [f.rule for f in refused.findings] == ["bundle-unresolved-dependency"]
    assert refused.findings[0].line == 3
    assert not (tmp_path / "out").exists()
    accepted = build_bundle(
        tmp_path / "repo", cookbooks, _settings(tmp_path / "out", external=("apache2",))
    )
    assert accepted.path is not None and accepted.path.is_file()


def test_version_conflict_and_validation_errors_refuse(tmp_path):
    from cookbook_tool.findings import error

    make_cookbook(tmp_path / "repo/cookbooks/base", "base", "2.0.0")
    make_cookbook(tmp_path / "repo/cookbooks/app", "app", depends={"base": "~> 1.0"})
    cookbooks = load_cookbooks(tmp_path / "repo")
    result = build_bundle(tmp_path / "repo", cookbooks, _settings(tmp_path / "out"))
    assert [f.rule for f in result.findings] == ["bundle-dependency-version"]
    make_cookbook(tmp_path / "repo2/cookbooks/base", "base")
    invalid = [error("metadata-missing-version", "no version", "x", cookbook="base")]
    refused = build_bundle(
        tmp_path / "repo2", load_cookbooks(tmp_path / "repo2"), _settings(tmp_path / "o2"), invalid
    )
    assert refused.path is None and refused.findings == invalid


def test_executable_bit_is_kept(sample_repo, tmp_path):
    script = sample_repo / "cookbooks/nodejs_demo/files/default/healthcheck.sh"
    script.chmod(0o744)  # any execute bit -> 0755
    result = _build(sample_repo, tmp_path / "out")
    with tarfile.open(result.path) as bundle:
        assert bundle.getmember("cookbooks/nodejs_demo/files/default/healthcheck.sh").mode == 0o755
        assert bundle.getmember("cookbooks/nodejs_demo/metadata.rb").mode == 0o644
    shutil.rmtree(tmp_path / "out")


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", ""])
def test_cookbook_names_that_are_not_folder_names_are_refused(tmp_path, name):
    cookbook = make_cookbook(tmp_path / "repo/cookbooks/x", "x")
    cookbooks = load_cookbooks(tmp_path / "repo")
    assert cookbooks[0].metadata is not None
    cookbooks[0].metadata.name = name or None
    if not name:
        cookbooks[0].path = cookbook  # falls back to the folder name: accepted
        assert build_bundle(tmp_path / "repo", cookbooks, _settings(tmp_path / "o")).ok
        return
    with pytest.raises(LocalError, match="cannot be a folder name"):
        build_bundle(tmp_path / "repo", cookbooks, _settings(tmp_path / "o"))


def test_output_folder_cannot_be_the_cookbook(tmp_path):
    from cookbook_tool.errors import UsageError

    cookbook = make_cookbook(tmp_path / "mycb", "mycb")
    with pytest.raises(UsageError, match="cannot be a cookbook folder"):
        build_bundle(tmp_path / "mycb", load_cookbooks(tmp_path / "mycb"), _settings(cookbook))


def test_progress_reaches_the_total(sample_repo, tmp_path):
    seen: list[tuple[int, int]] = []
    settings = _settings(tmp_path / "out")
    build_bundle(
        sample_repo,
        load_cookbooks(sample_repo),
        settings,
        on_progress=lambda d, t: seen.append((d, t)),
    )
    # every file is read once (hashed while it is written): the total counts each byte once
    total = sum(p.stat().st_size for p in (sample_repo / "cookbooks").rglob("*") if p.is_file())
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_writing_beside_validation_keeps_no_bytes(tmp_path):
    """With validation running beside it, the writer streams each file from disk: nothing it
    read waits in the loaded repository's memory afterwards (it used to keep every file it
    read first, up to the whole 64 MiB budget)."""
    from cookbook_tool.bundle.build import open_for_bundle
    from cookbook_tool.config.load import Config
    from cookbook_tool.cookbook.repository import open_repository

    repo = tmp_path / "repo"
    recipe = make_cookbook(repo / "cookbooks" / "web", "web") / "recipes" / "default.rb"
    recipe.parent.mkdir(exist_ok=True)
    recipe.write_bytes(b"package 'nginx'\n")
    loaded = open_repository(repo, Config())
    source = open_for_bundle(loaded, _settings(tmp_path / "out"))
    result = source.build(lambda: [])  # a validation that reads nothing
    assert result.ok and result.path is not None
    recipe.write_bytes(b"package 'httpd'\n")
    assert loaded.contents.read(recipe, last=True) == b"package 'httpd'\n"  # read anew
    with tarfile.open(result.path) as archive_file:
        member = archive_file.extractfile("cookbooks/web/recipes/default.rb")
        assert member is not None and member.read() == b"package 'nginx'\n"
