"""metadata.rb reads only its own cookbook's files: an absolute path, ``..`` or a symlink out of
the cookbook is a ``metadata-read-outside-cookbook`` finding, and what is there is never read,
kept or printed (issue 12, item 1), through ``validate`` and through ``verify`` of an archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cookbook_tool.cookbook.model import Metadata
from cookbook_tool.findings import Finding, Severity
from cookbook_tool.metadata.files import FolderFiles, OutsideCookbook
from cookbook_tool.metadata.read import read_metadata, read_metadata_files
from tests.archives import write_tar
from tests.cli import run_process

SECRET = "s3cr3t-value-outside-the-cookbook"


def _cookbook(tmp_path: Path, metadata: str) -> Path:
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    cookbook = tmp_path / "repo" / "mycb"
    (cookbook / "recipes").mkdir(parents=True)
    (cookbook / "recipes" / "default.rb").write_text("log 'x'\n")
    (cookbook / "metadata.rb").write_text(metadata)
    return cookbook


def _leaks(metadata: Metadata | None, findings: list[Finding]) -> bool:
    shown = repr(metadata) + "".join(f.message for f in findings)
    return SECRET in shown or "PATH=" in shown


@pytest.mark.parametrize("read", [
    "File.read('{secret}')", "IO.read('{secret}')", "File.binread('{secret}')",
    "File.readlines('{secret}').first", "IO.readlines('{secret}')[0]",
    "File.open('{secret}').read", "File.read(File.join(__dir__, '..', '..', 'secret.txt'))",
    "IO.read(File.expand_path('../../secret.txt', __FILE__))", "File.read('../../secret.txt')",
    "File.read('/proc/self/environ')",
])
def test_a_read_outside_the_cookbook_is_a_finding_and_never_read(tmp_path: Path,
                                                                   read: str) -> None:
    text = read.format(secret=tmp_path / "secret.txt")
    cookbook = _cookbook(tmp_path, f"name 'mycb'\nversion '1.0.0'\ndepends {text}\n")
    metadata, findings = read_metadata(cookbook)
    assert metadata is not None and metadata.depends == []
    assert [(f.rule, f.severity, f.line) for f in findings] == [
        ("metadata-read-outside-cookbook", Severity.ERROR, 3)]
    assert "outside the cookbook folder" in findings[0].message
    assert not _leaks(metadata, findings)


def test_a_symlink_out_of_the_cookbook_is_never_followed(tmp_path: Path) -> None:
    cookbook = _cookbook(tmp_path, "name 'mycb'\nversion File.read('VERSION').strip\n"
                         "depends File.read('sub/secret.txt').strip\n"
                         "depends File.foreach('VERSION') { |l| depends l }\n")
    (cookbook / "VERSION").symlink_to(tmp_path / "secret.txt")
    (cookbook / "sub").symlink_to(tmp_path)
    metadata, findings = read_metadata(cookbook)
    assert [(f.rule, f.line) for f in findings] == [
        ("metadata-read-outside-cookbook", 2), ("metadata-read-outside-cookbook", 3),
        ("metadata-read-outside-cookbook", 4)]
    assert all("a symlink leads out of it" in f.message for f in findings)
    assert metadata is not None and metadata.version is None and metadata.depends == []
    assert not _leaks(metadata, findings)


def test_a_symlink_inside_the_cookbook_is_read(tmp_path: Path) -> None:
    cookbook = _cookbook(tmp_path, "name 'mycb'\nversion File.read('V').strip\n"
                         "%w(a b).each { |d| depends d } if File.exist?('sub/VERSION')\n")
    (cookbook / "VERSION").write_text("1.2.3\n")
    (cookbook / "V").symlink_to("VERSION")
    (cookbook / "sub").symlink_to(".")
    metadata, findings = read_metadata(cookbook)
    assert findings == []
    assert metadata is not None and metadata.version == "1.2.3"
    assert [d.name for d in metadata.depends] == ["a", "b"]


def test_nothing_outside_exists_for_metadata_rb(tmp_path: Path) -> None:
    cookbook = _cookbook(tmp_path, f"name 'mycb'\nversion '1.0.0'\n"
                         f"depends 'seen' if File.exist?('{tmp_path / 'secret.txt'}')\n"
                         "depends 'seen2' if File.file?('../../secret.txt')\n")
    metadata, findings = read_metadata(cookbook)
    assert findings == [] and metadata is not None and metadata.depends == []


def test_a_metadata_rb_symlinked_out_of_the_cookbook_is_not_read(tmp_path: Path) -> None:
    cookbook = _cookbook(tmp_path, "")
    (tmp_path / "elsewhere.rb").write_text(f"name '{SECRET}'\n")
    (cookbook / "metadata.rb").unlink()
    (cookbook / "metadata.rb").symlink_to(tmp_path / "elsewhere.rb")
    metadata, findings = read_metadata(cookbook)
    assert [f.rule for f in findings] == ["metadata-read-outside-cookbook"]
    assert metadata is not None and metadata.name is None
    assert not _leaks(metadata, findings)


def test_folder_files_refuses_before_opening(tmp_path: Path) -> None:
    cookbook = _cookbook(tmp_path, "")
    files = FolderFiles(cookbook)
    for path in ("/etc/hostname", "../secret.txt", "recipes/../../secret.txt"):
        assert not files.inside(path)
        with pytest.raises(OutsideCookbook):
            files.read_bytes(path)
        with pytest.raises(OutsideCookbook):
            files.size(path)
        assert files.exists(path) is False
    assert files.inside("recipes/../metadata.rb") and files.inside("")


def test_archive_paths_through_dotdot_in_the_middle_stay_inside(tmp_path: Path) -> None:
    files = {"metadata.rb": b"name 'a'\nversion File.read('x/../../secret').strip\n"}
    metadata, findings = read_metadata_files("cookbooks/a", files)
    assert [f.rule for f in findings] == ["metadata-read-outside-cookbook"]
    assert "outside the cookbook folder" in findings[0].message
    assert metadata is not None and metadata.version is None


def test_validate_never_prints_the_environment(tmp_path: Path) -> None:
    """The reported case: ``depends File.read('/proc/self/environ')`` printed the environment
    (AWS keys included) in the dependency-missing finding."""
    cookbook = _cookbook(tmp_path, "name 'mycb'\nversion '1.0.0'\n"
                         "depends File.read('/proc/self/environ')\n"
                         f"depends File.read('{tmp_path / 'secret.txt'}').strip\n")
    result = run_process("validate", cookbook.parent, "--format", "json",
                         env={"SANDBOX_MARKER": SECRET})
    assert result.code == 1, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "SANDBOX_MARKER" not in result.stdout + result.stderr
    rules = [f["rule"] for f in result.json()["findings"]]
    assert rules.count("metadata-read-outside-cookbook") == 2
    assert "dependency-missing" not in rules


def test_verify_never_reads_the_machine(tmp_path: Path) -> None:
    metadata = ("name 'a'\nversion '1.0.0'\ndepends File.read('/proc/self/environ')\n"
                "depends File.read('x/../../../secret.txt')\n")
    (tmp_path / "secret.txt").write_text(SECRET)
    archive = write_tar(tmp_path / "x.tar.gz", {"a/metadata.rb": metadata})
    result = run_process("verify", archive, "--format", "json",
                         env={"SANDBOX_MARKER": SECRET})
    assert result.code == 1, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "SANDBOX_MARKER" not in result.stdout + result.stderr
    assert os.environ.get("SANDBOX_MARKER") is None
