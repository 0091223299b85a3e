"""verify (and publish, which runs its checks) against archives made to fool it: link chains,
one path spelled several ways, zip symlinks that expand, unreadable files, nesting bombs."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from cookbook_tool.artifact import BundleRejected, checked_artifact
from cookbook_tool.errors import LocalError
from cookbook_tool.verify import verify_archive
from tests.archives import Files, Hardlink, Symlink, write_tar, write_zip
from tests.cli import run_cli

METADATA_A = "name 'a'\nversion '1.0.0'\n"


def _found(path: Path) -> list[tuple[str, str | None]]:
    return sorted((f.rule, f.file) for f in verify_archive(path))


def _both(tmp_path: Path, files: Files) -> list[Path]:
    """The same entries as a .tar.gz and as a .zip."""
    pairs = list(files.items()) if isinstance(files, dict) else list(files)
    return [write_tar(tmp_path / "x.tar.gz", pairs), write_zip(tmp_path / "x.zip", pairs)]


# -- symlink chains -------------------------------------------------------------------------

def test_a_chain_of_links_that_leaves_the_archive(tmp_path):
    # a/l lands on cookbooks/ (inside); l2 is written at cookbooks/l2, so '../..' leaves it
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/l": Symlink(".."),
        "cookbooks/a/l/l2": Symlink("../.."),
    }
    for archive in _both(tmp_path, files):
        assert _found(archive) == [("archive-link-escape", "cookbooks/a/l/l2")], archive


def test_a_chain_through_a_link_named_later_in_the_archive(tmp_path):
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/up/l2": Symlink("../.."),
        "cookbooks/a/up": Symlink("../.."),
    }
    # up -> ../.. lands on the root (inside); up/l2 then sits at l2 of the root: '../..' leaves
    for archive in _both(tmp_path, files):
        assert _found(archive) == [("archive-link-escape", "cookbooks/a/up/l2")], archive


def test_a_link_to_a_link_that_leaves(tmp_path):
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/l": Symlink(".."),
        "cookbooks/a/files/out": Symlink("../l/../../.."),
    }
    for archive in _both(tmp_path, files):
        assert _found(archive) == [("archive-link-escape", "cookbooks/a/files/out")], archive


def test_files_written_through_a_link_that_leaves(tmp_path):
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/etc": Symlink("/etc"),
        "cookbooks/a/etc/cron.d/evil": "* * * * * root sh\n",
    }
    for archive in _both(tmp_path, files):
        assert _found(archive) == [
            ("archive-link-escape", "cookbooks/a/etc"),
            ("archive-link-escape", "cookbooks/a/etc/cron.d/evil"),
        ], archive


def test_a_hard_link_through_a_symlink(tmp_path):
    # naively cookbooks/a/l/../../x is cookbooks/x; through l (-> cookbooks) it leaves
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/l": Symlink(".."),
        "cookbooks/a/h": Hardlink("cookbooks/a/l/../../x"),
    }
    assert _found(write_tar(tmp_path / "x.tar.gz", files)) == [
        ("archive-link-escape", "cookbooks/a/h")
    ]


def test_links_that_stay_inside_and_loops_are_accepted(tmp_path):
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/recipes/default.rb": "log 'a'\n",
        "cookbooks/a/l": Symlink(".."),
        "cookbooks/a/l/a/files/same": Symlink("../recipes/default.rb"),
        "cookbooks/a/files/loop1": Symlink("loop2"),
        "cookbooks/a/files/loop2": Symlink("loop1"),
        "cookbooks/a/h": Hardlink("cookbooks/a/l/a/recipes/default.rb"),
    }
    for archive in _both(tmp_path, [(k, v) for k, v in files.items() if k != "cookbooks/a/h"]):
        assert _found(archive) == [], archive
    assert _found(write_tar(tmp_path / "h.tar.gz", files)) == []


# -- one path, several spellings -------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["cookbooks/a/./metadata.rb", "cookbooks//a/metadata.rb",
                                      "./cookbooks/a//./metadata.rb"])
def test_one_path_spelled_twice_is_a_duplicate_and_the_last_copy_is_checked(tmp_path, spelling):
    files = [
        ("cookbooks/a/metadata.rb", METADATA_A),
        (spelling, METADATA_A + "depends 'zz'\n"),  # the copy extraction keeps
    ]
    for archive in _both(tmp_path, files):
        assert _found(archive) == [
            ("archive-duplicate-entry", "cookbooks/a/metadata.rb"),
            ("archive-missing-dependency", "cookbooks/a/metadata.rb"),
        ], archive


def test_spellings_with_dots_and_slashes_are_read_as_the_path(tmp_path):
    files = {"./cookbooks//a/./metadata.rb": METADATA_A, "cookbooks/a//recipes/default.rb": "x\n"}
    for archive in _both(tmp_path, files):
        assert _found(archive) == [], archive


# -- zip symlinks that expand ----------------------------------------------------------------

def test_a_zip_symlink_with_a_huge_target_is_a_bomb_and_is_not_read(tmp_path):
    target = bytes(32 << 20)  # 32 MiB of NULs: a few KB once deflated
    archive = write_zip(
        tmp_path / "x.zip",
        {"cookbooks/a/metadata.rb": METADATA_A, "cookbooks/a/l": Symlink(target)},
    )
    assert archive.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        found = _found(archive)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [("archive-bomb", "cookbooks/a/l")]
    assert peak < 8 << 20, f"verify held {peak >> 20} MiB for a 32 MiB link target"


def test_a_long_tar_link_target_is_refused(tmp_path):
    files = {"cookbooks/a/metadata.rb": METADATA_A, "cookbooks/a/l": Symlink("x/" * 3000)}
    assert _found(write_tar(tmp_path / "x.tar.gz", files)) == [
        ("archive-bomb", "cookbooks/a/l")
    ]


# -- publish runs the same checks ------------------------------------------------------------

def test_publish_refuses_a_link_chain(tmp_path):
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/a/l": Symlink(".."),
        "cookbooks/a/l/l2": Symlink("../.."),
    }
    archive = write_tar(tmp_path / "cookbooks-1.0.0.tar.gz", files)
    with pytest.raises(BundleRejected) as refused:
        checked_artifact(archive)
    assert [f.rule for f in refused.value.findings] == ["archive-link-escape"]


# -- unreadable files ------------------------------------------------------------------------

def test_a_file_the_system_cannot_read_is_a_local_error_naming_it(tmp_path):
    unreadable = Path("/proc/self/mem")  # a regular file whose first read fails (EIO)
    with pytest.raises(LocalError, match=r"^/proc/self/mem: cannot read the archive"):
        verify_archive(unreadable)
    with pytest.raises(LocalError, match=r"^/proc/self/mem: cannot read the archive"):
        checked_artifact(unreadable)
    result = run_cli("verify", unreadable, cwd=tmp_path)
    assert result.code == 3, result
    assert "/proc/self/mem: cannot read the archive (Input/output error)" in result.stderr
    assert "Usage" not in result.stderr + result.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_a_file_without_read_permission(tmp_path):
    archive = write_tar(tmp_path / "x.tar.gz", {"cookbooks/a/metadata.rb": METADATA_A})
    archive.chmod(0)
    result = run_cli("verify", archive, cwd=tmp_path)
    assert result.code == 3, result
    assert f"{archive}: cannot read the archive (Permission denied)" in result.stderr


def test_a_fifo_is_named_as_no_regular_file(tmp_path):
    fifo = tmp_path / "x.tar.gz"
    os.mkfifo(fifo)
    result = run_cli("verify", fifo, cwd=tmp_path)
    assert result.code == 3, result
    assert f"{fifo}: not a regular file" in result.stderr


# -- nesting ---------------------------------------------------------------------------------

def test_a_manifest_nested_100000_deep_is_an_invalid_manifest(tmp_path):
    files = {
        "cookbooks/a/metadata.rb": METADATA_A,
        "cookbooks/.manifest.json": "[" * 100_000 + "]" * 100_000,
    }
    archive = write_tar(tmp_path / "cookbooks-1.0.0.tar.gz", files)
    findings = verify_archive(archive)
    assert [(f.rule, f.file) for f in findings] == [
        ("archive-manifest-invalid", "cookbooks/.manifest.json")
    ]
    assert "nested" in findings[0].message
    result = run_cli("verify", archive, "--format", "json", cwd=tmp_path)
    assert result.code == 1, result
    assert [f["rule"] for f in result.json()["findings"]] == ["archive-manifest-invalid"]


def test_a_deep_manifest_object_is_invalid_too(tmp_path):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    manifest = json.dumps({"manifest_version": 1})[:-1] + ', "bundle": ' + deep + "}"
    files = {"cookbooks/a/metadata.rb": METADATA_A, "cookbooks/.manifest.json": manifest}
    archive = write_tar(tmp_path / "cookbooks-1.0.0.tar.gz", files)
    assert [f.rule for f in verify_archive(archive)] == ["archive-manifest-invalid"]


# -- which folders are cookbooks: as validate finds them ------------------------------------

METADATA_B = "name 'b'\nversion '2.0.0'\ndepends 'a', '~> 1.0'\n"
CLUTTER = {
    "docs/index.md": "# docs\n",
    "spec/spec_helper.rb": "require 'chefspec'\n",
    "app/index.php": "<?php echo 1;\n",
    "app/lib/db.php": "<?php\n",
}


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("prefix", ["", "repo-main/"])
def test_folders_that_are_no_cookbooks_are_not_counted(tmp_path, prefix):
    files = {
        f"{prefix}a/metadata.rb": METADATA_A,
        f"{prefix}b/metadata.rb": METADATA_B,
        f"{prefix}c/recipes/default.rb": "log 'c'\n",  # a cookbook without metadata
        **{prefix + name: text for name, text in CLUTTER.items()},
    }
    for archive in _both(tmp_path, files):
        assert _found(archive) == [("archive-no-metadata", f"{prefix}c")], archive


@pytest.mark.parametrize("name", ["test", "spec", "files", "recipes"])
def test_a_cookbook_named_like_a_cookbook_part_inside_one_root_folder(tmp_path, name):
    files = {
        f"cbdir/{name}/metadata.rb": (
            f"name '{name}'\nversion IO.read(File.join(File.dirname(__FILE__), 'VERSION'))\n"
        ),
        f"cbdir/{name}/VERSION": "1.2.0",
        f"cbdir/{name}/recipes/default.rb": "log 'x'\n",
        "cbdir/b/metadata.rb": f"name 'b'\nversion '2.0.0'\ndepends '{name}', '~> 1.2'\n",
    }
    for archive in _both(tmp_path, files):
        assert _found(archive) == [], archive
    files[f"cbdir/{name}/VERSION"] = "0.9.0"
    assert _found(write_tar(tmp_path / "old.tar.gz", files)) == [
        ("archive-dependency-version", "cbdir/b/metadata.rb")
    ]


def test_the_cookbooks_folder_of_a_repository_download(tmp_path):
    reads_readme = (
        METADATA_A + "long_description IO.read(File.join(File.dirname(__FILE__), 'README.md'))\n"
    )
    files = {
        "repo-main/README.md": "# the stack\n",
        "repo-main/cookbook-tool.toml": "[bundle]\n",
        "repo-main/stack/custom.json": "{}\n",
        "repo-main/cookbooks/a/metadata.rb": reads_readme,
        "repo-main/cookbooks/a/README.md": "# a\n",
        "repo-main/site-cookbooks/b/metadata.rb": METADATA_B,
    }
    for archive in _both(tmp_path, files):
        assert _found(archive) == [], archive
    del files["repo-main/cookbooks/a/README.md"]
    assert [rule for rule, _ in _found(write_tar(tmp_path / "y.tar.gz", files))] == [
        "archive-bad-metadata"
    ]


@pytest.mark.parametrize(
    "layout",
    [
        {"a/metadata.rb": METADATA_A, "b/recipes/x.rb": "x\n", **CLUTTER},
        {"r/a/metadata.rb": METADATA_A, "r/test/metadata.rb": "name 't'\n", "r/docs/x": "x"},
        {"cookbooks/a/metadata.rb": METADATA_A, "x/cookbooks/b/attributes/d.rb": "x\n"},
        {"metadata.rb": METADATA_A, "recipes/default.rb": "x\n", "test/metadata.rb": "x\n"},
        {"r/metadata.rb": METADATA_A, "r/test/fixtures/cookbooks/t/metadata.rb": "x\n"},
        {"r/cookbooks/a/metadata.rb": METADATA_A, "r/b/attributes/default.rb": "x\n",
         "r/.git/HEAD": "x\n", "__MACOSX/r/._a": "x"},
    ],
    ids=["flat", "root-folder", "cookbooks-dir", "root-cookbook", "fixtures", "clutter"],
)
def test_verify_finds_the_cookbooks_validate_finds(tmp_path, layout):
    from cookbook_tool.archive.read import Limits, scan_archive
    from cookbook_tool.cookbook.discovery import discover
    from cookbook_tool.verify import cookbook_folders

    scan = scan_archive(write_tar(tmp_path / "x.tar.gz", layout), lambda *_: False, Limits())
    in_archive = cookbook_folders(scan)
    tree = _tree(tmp_path / "tree", layout)
    tops = [p for p in tree.iterdir() if p.is_dir() and not p.name.startswith("__")]
    repo = tops[0] if len(tops) == 1 and not (tree / "metadata.rb").exists() else tree
    on_disk = [c.path.relative_to(tree).as_posix() for c in discover(repo).cookbooks]
    assert in_archive == [("" if f == "." else f) for f in on_disk]
