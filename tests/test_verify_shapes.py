"""verify reads the archive shapes found in the wild: ``tar czf x.tgz -C dir .``, one root
folder of any name, macOS and Git clutter, plain tar, misnamed files, Windows zips."""

from __future__ import annotations

import gzip
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from cookbook_tool.verify import verify_archive
from tests.archives import write_tar

METADATA_A = "name 'a'\nversion '1.0.0'\n"
METADATA_B = "name 'b'\nversion '2.0.0'\ndepends 'a', '~> 1.0'\n"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _cookbooks(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}a/metadata.rb": METADATA_A,
        f"{prefix}a/recipes/default.rb": "log 'a'\n",
        f"{prefix}b/metadata.rb": METADATA_B,
        f"{prefix}b/recipes/default.rb": "include_recipe 'a'\n",
    }


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def _found(path: Path) -> list[tuple[str, str]]:
    return [(f.rule, f.severity.value) for f in verify_archive(path)]


def test_tar_of_dot_with_a_cookbooks_folder(tmp_path):
    tree = _tree(tmp_path / "repo", _cookbooks("cookbooks/"))
    archive = tmp_path / "x.tgz"
    subprocess.run(["tar", "czf", archive, "-C", tree, "."], check=True)
    with tarfile.open(archive) as opened:
        assert "./" in opened.getnames() or "." in opened.getnames()
    assert verify_archive(archive) == []


def test_tar_of_dot_still_checks_dependencies(tmp_path):
    files = _cookbooks("cookbooks/")
    del files["cookbooks/a/metadata.rb"], files["cookbooks/a/recipes/default.rb"]
    tree = _tree(tmp_path / "repo", files)
    archive = tmp_path / "x.tgz"
    subprocess.run(["tar", "czf", archive, "-C", tree, "."], check=True)
    assert [(f.rule, f.file) for f in verify_archive(archive)] == [
        ("archive-missing-dependency", "cookbooks/b/metadata.rb")
    ]


def test_tar_of_dot_with_cookbooks_at_the_top(tmp_path):
    tree = _tree(tmp_path / "repo", _cookbooks(""))
    archive = tmp_path / "x.tar.gz"
    subprocess.run(["tar", "czf", archive, "-C", tree, "."], check=True)
    assert verify_archive(archive) == []


@pytest.mark.parametrize("root", ["opsworks-cookbooks-release-chef-11.10", "cbdir"])
def test_one_root_folder_of_any_name_holds_cookbooks(tmp_path, root):
    files = {**_cookbooks(f"{root}/"), f"{root}/README.md": "# mine\n"}
    assert verify_archive(write_tar(tmp_path / "x.tar.gz", files)) == []
    assert verify_archive(_zip(tmp_path / "x.zip", files)) == []


def test_a_root_folder_with_metadata_is_one_cookbook(tmp_path):
    files = {"apache2-main/metadata.rb": METADATA_A, "apache2-main/recipes/default.rb": "x\n"}
    assert verify_archive(write_tar(tmp_path / "x.tar.gz", files)) == []
    needy = {"apache2-main/metadata.rb": METADATA_A + "depends 'zz'\n"}
    findings = verify_archive(write_tar(tmp_path / "y.tar.gz", needy))
    assert [(f.rule, f.file) for f in findings] == [
        ("archive-missing-dependency", "apache2-main/metadata.rb")
    ]


def test_a_root_folder_checks_its_cookbooks(tmp_path):
    files = {"cbdir/b/metadata.rb": METADATA_B, "cbdir/c/recipes/default.rb": "x\n"}
    findings = verify_archive(write_tar(tmp_path / "x.tar.gz", files))
    assert sorted((f.rule, f.file) for f in findings) == [
        ("archive-missing-dependency", "cbdir/b/metadata.rb"),
        ("archive-no-metadata", "cbdir/c"),
    ]


@pytest.mark.parametrize("clutter", [".git/HEAD", ".bundle/config", "__MACOSX/cbdir/._a"])
def test_hidden_and_macos_folders_are_not_cookbooks(tmp_path, clutter):
    inside = {**_cookbooks("cbdir/"), "cbdir/" + clutter: "x\n"}
    assert verify_archive(_zip(tmp_path / "in.zip", inside)) == []
    beside = {**_cookbooks("cbdir/"), clutter: "x\n"}
    assert verify_archive(_zip(tmp_path / "beside.zip", beside)) == []
    flat = {**_cookbooks(""), clutter: "x\n"}
    assert verify_archive(write_tar(tmp_path / "flat.tar.gz", flat)) == []


def test_plain_tar_is_a_warning(tmp_path):
    archive = write_tar(tmp_path / "x.tar", _cookbooks("cookbooks/"), "w")
    findings = verify_archive(archive)
    assert [(f.rule, f.severity.value) for f in findings] == [
        ("archive-uncompressed", "warning")
    ]
    assert "zip, gzip or bzip2" in findings[0].message


@pytest.mark.parametrize("suffix", [".tar.bz2", ".tar.gz", ".zip"])
def test_compressed_archives_get_no_warning(tmp_path, suffix):
    files = _cookbooks("cookbooks/")
    if suffix == ".zip":
        archive = _zip(tmp_path / "x.zip", files)
    else:
        archive = write_tar(tmp_path / f"x{suffix}", files, "w:" + suffix.rsplit(".", 1)[1][:3])
    assert verify_archive(archive) == []


@pytest.mark.parametrize("name", ["x.tar.gz", "x.tgz", "x.zip"])
def test_content_that_does_not_match_the_name(tmp_path, name):
    archive = write_tar(tmp_path / name, _cookbooks("cookbooks/"), "w")
    findings = verify_archive(archive)
    assert [(f.rule, f.severity.value) for f in findings] == [("archive-wrong-type", "error")]
    assert "uncompressed tar" in findings[0].message


def test_gzip_named_zip_is_the_wrong_type(tmp_path):
    archive = write_tar(tmp_path / "x.tar.gz", _cookbooks("cookbooks/"))
    renamed = archive.rename(tmp_path / "x.zip")
    assert _found(renamed) == [("archive-wrong-type", "error")]


def test_gzip_that_is_not_a_tar_is_unreadable_not_wrong_type(tmp_path):
    archive = tmp_path / "x.tar.gz"
    archive.write_bytes(gzip.compress(b"hello"))
    assert _found(archive) == [("archive-unreadable", "error")]


@pytest.mark.parametrize("root", ["", "cbdir\\"])
def test_zip_with_windows_separators(tmp_path, root):
    files = {name.replace("/", "\\"): text for name, text in _cookbooks(root).items()}
    findings = verify_archive(_zip(tmp_path / "win.zip", files))
    assert [(f.rule, f.severity.value) for f in findings] == [
        ("archive-backslash-paths", "warning")
    ]


def test_windows_separators_still_catch_missing_metadata(tmp_path):
    files = {"a\\recipes\\default.rb": "x\n", "b\\metadata.rb": METADATA_A.replace("'a'", "'b'")}
    findings = verify_archive(_zip(tmp_path / "win.zip", files))
    assert sorted((f.rule, f.file) for f in findings) == [
        ("archive-backslash-paths", "win.zip"),
        ("archive-no-metadata", "a"),
    ]


READS_README = METADATA_A + "long_description IO.read(File.join(File.dirname(__FILE__), 'README.md'))\n"


@pytest.mark.parametrize("prefix", ["", "cbdir/", "cookbooks/"])
def test_metadata_reads_its_readme_in_every_layout(tmp_path, prefix):
    files = {f"{prefix}a/metadata.rb": READS_README, f"{prefix}b/metadata.rb": METADATA_B}
    assert [f.rule for f in verify_archive(write_tar(tmp_path / "x.tar.gz", files))] == [
        "archive-bad-metadata"
    ]
    files[f"{prefix}a/README.md"] = "# a\n"
    assert verify_archive(write_tar(tmp_path / "y.tar.gz", files)) == []


def test_a_cookbook_named_like_a_cookbook_part_inside_cookbooks(tmp_path):
    files = {"cookbooks/recipes/metadata.rb": "name 'recipes'\nversion '1.0.0'\n"}
    assert verify_archive(write_tar(tmp_path / "x.tar.gz", files)) == []


def test_an_opsworks_override_cookbook_is_a_notice_with_the_preset(tmp_path):
    from cookbook_tool.cookbook.opsworks import OPSWORKS_CHEF_11_10_COOKBOOKS
    from cookbook_tool.findings import Severity

    files = {**_cookbooks(""), "deploy/attributes/customize.rb": "normal[:x] = 1\n"}
    archive = write_tar(tmp_path / "stack.tar.gz", files)
    plain = verify_archive(archive)
    assert [(f.rule, f.file) for f in plain] == [("archive-no-metadata", "deploy")]
    provided = verify_archive(archive, external=OPSWORKS_CHEF_11_10_COOKBOOKS)
    assert [(f.rule, f.severity) for f in provided] == [
        ("archive-override-cookbook", Severity.NOTICE)
    ]
    # a name the consumer provides that is no OpsWorks built-in stays an error
    named = {**_cookbooks(""), "apt/attributes/customize.rb": "normal[:x] = 1\n"}
    other = write_tar(tmp_path / "other.tar.gz", named)
    assert [f.rule for f in verify_archive(other, external={"apt"})] == ["archive-no-metadata"]


def test_a_dependency_under_a_node_condition_is_a_warning(tmp_path):
    from cookbook_tool.findings import Severity

    metadata = "name 'a'\nversion '1.0.0'\nif platform?('windows')\n  depends 'windows'\nend\n"
    archive = write_tar(tmp_path / "w.tar.gz", {"a/metadata.rb": metadata,
                                                "a/recipes/default.rb": "log 'a'\n"})
    [found] = verify_archive(archive)
    assert (found.rule, found.severity) == ("archive-missing-dependency", Severity.WARNING)
    assert "condition on line 3" in found.message
