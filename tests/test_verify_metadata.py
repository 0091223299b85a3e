"""verify reads a cookbook's metadata from the archive's bytes: metadata.rb may read its
siblings (``VERSION``, ``README.md``) from the archive, never a file of the machine, and nothing
is written to a temporary folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from cookbook_tool.verify import verify_archive
from tests.archives import write_tar
from tests.cli import run_cli

READS_VERSION = (
    "name 'a'\nversion IO.read(File.join(File.dirname(__FILE__), 'VERSION')).chomp\n"
    "long_description IO.read(File.join(File.dirname(__FILE__), 'README.md'))\n"
)
NEEDS_A_1_2 = "name 'b'\nversion '1.0.0'\ndepends 'a', '~> 1.2'\n"


def _messages(path: Path) -> list[tuple[str, str | None, str]]:
    return [(f.rule, f.file, f.message) for f in verify_archive(path)]


@pytest.mark.parametrize("prefix", ["", "cbdir/", "cookbooks/"])
def test_the_version_comes_from_the_version_file_in_the_archive(tmp_path, prefix):
    files = {
        f"{prefix}a/metadata.rb": READS_VERSION,
        f"{prefix}a/VERSION": "1.2.7\n",
        f"{prefix}a/README.md": "# a\n",
        f"{prefix}b/metadata.rb": NEEDS_A_1_2,
    }
    assert verify_archive(write_tar(tmp_path / "ok.tar.gz", files)) == []
    files[f"{prefix}a/VERSION"] = "2.0.0\n"
    assert _messages(write_tar(tmp_path / "new.tar.gz", files)) == [
        (
            "archive-dependency-version",
            f"{prefix}b/metadata.rb",
            "depends on a ~> 1.2, the archive has a 2.0.0",
        )
    ]


def test_json_names_the_missing_sibling_by_its_path_in_the_archive(tmp_path):
    files = {"cookbooks/a/metadata.rb": READS_VERSION, "cookbooks/b/metadata.rb": NEEDS_A_1_2}
    result = run_cli("verify", write_tar(tmp_path / "x.tar.gz", files), "--format", "json")
    assert result.code == 1, result.stderr
    found = [(f["rule"], f["file"], f["line"], f["message"]) for f in result.json()["findings"]]
    assert found == [
        (
            "archive-bad-metadata",
            "cookbooks/a/metadata.rb",
            2,
            "`version` on line 2 reads cookbooks/a/VERSION, which does not exist: add the file "
            "or set the value directly [metadata-missing-file]",
        ),
        (
            "archive-bad-metadata",
            "cookbooks/a/metadata.rb",
            3,
            "`long_description` on line 3 reads cookbooks/a/README.md, which does not exist: "
            "add the file or set the value directly [metadata-missing-file]",
        ),
    ]


def test_a_root_cookbook_shows_its_siblings_under_dot(tmp_path):
    files = {"metadata.rb": READS_VERSION, "README.md": "# a\n"}
    assert _messages(write_tar(tmp_path / "x.tar.gz", files)) == [
        (
            "archive-bad-metadata",
            "metadata.rb",
            "`version` on line 2 reads ./VERSION, which does not exist: add the file or set "
            "the value directly [metadata-missing-file]",
        )
    ]
    files["VERSION"] = "1.0.0\n"
    assert verify_archive(write_tar(tmp_path / "y.tar.gz", files)) == []


def test_a_file_outside_the_archive_is_never_read(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("leaked-from-disk\n")
    metadata = (
        f"name 'a'\nversion '1.0.0'\ndepends File.read('{secret}').strip\n"
        f"if File.exist?('{secret}')\n  depends 'exists-on-disk'\nend\n"
        "depends IO.read(File.join(File.dirname(__FILE__), '..', 'secret')).strip\n"
    )
    (tmp_path / "archive").mkdir()
    archive = write_tar(tmp_path / "archive" / "x.tar.gz", {"a/metadata.rb": metadata, "secret": "x"})
    findings = verify_archive(archive)
    assert not any("leaked" in f.message or "exists-on-disk" in f.message for f in findings)
    rules = [(f.rule, f.file, f.line) for f in findings]
    assert rules == [("archive-bad-metadata", "a/metadata.rb", 3),
                     ("archive-bad-metadata", "a/metadata.rb", 7)]
    for finding in findings:
        assert "outside the cookbook folder" in finding.message, finding.message
        assert finding.message.endswith("[metadata-read-outside-cookbook]")
    assert secret.as_posix() in findings[0].message and "a/../secret" in findings[1].message


def test_no_temporary_folder_is_made(tmp_path, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("verify made a temporary file or folder")

    for name in ("TemporaryDirectory", "mkdtemp", "mkstemp", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, refuse)
    files = {
        "cookbooks/a/metadata.rb": READS_VERSION,
        "cookbooks/a/VERSION": "1.2.0",
        "cookbooks/a/README.md": "# a\n",
        "cookbooks/b/metadata.rb": NEEDS_A_1_2,
    }
    assert verify_archive(write_tar(tmp_path / "x.tar.gz", files)) == []
