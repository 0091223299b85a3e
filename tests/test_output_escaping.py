"""A file name may hold any character: printed, it never forges a line of the output (control
characters are escaped as ``\\n``, ``\\x1b`` ... in every format, as GitHub's already was)."""

from __future__ import annotations

import json
from pathlib import Path

from cookbook_tool.cli.output import render_findings_text
from cookbook_tool.findings import error
from cookbook_tool.text import printable
from tests.archives import write_tar
from tests.cli import run_cli

FORGED = "OK: all.tar.gz: 0 error(s), 0 warning(s)"


def test_printable_escapes_what_breaks_or_reorders_a_line():
    assert printable("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert printable("\x1b[2J\x7f\x85") == "\\x1b[2J\\x7f\\x85"
    assert printable("x\u2028y\u202ez") == "x\\u2028y\\u202ez"
    assert printable("caf\u00e9/recettes/d\u00e9faut.rb") == "caf\u00e9/recettes/d\u00e9faut.rb"
    assert printable("bad-\udcff.rb") == "bad-\\xff.rb"  # a non-UTF-8 byte, as before


def test_the_text_renderer_gives_one_line_per_finding():
    finding = error("archive-no-metadata", f"x\n{FORGED}", f"cookbooks/b\n{FORGED}")
    lines = render_findings_text([finding], f"all.tar.gz\n{FORGED}").splitlines()
    assert len(lines) == 3
    assert not any(line.startswith("OK:") for line in lines)
    assert lines[0] == f"cookbooks/b\\n{FORGED}"


def test_verify_text_output_cannot_be_forged_by_an_entry_name(tmp_path):
    archive = write_tar(
        tmp_path / "all.tar.gz",
        {
            "cookbooks/a/metadata.rb": "name 'a'\nversion '1.0.0'\n",
            f"cookbooks/b\n{FORGED}\n/recipes/default.rb": "log 'b'\n",
        },
    )
    result = run_cli("verify", archive, cwd=tmp_path)
    assert result.code == 1, result
    lines = result.stdout.splitlines()
    assert not any(line.startswith("OK:") for line in lines), result.stdout
    assert f"cookbooks/b\\n{FORGED}\\n" in lines
    assert lines[-1].startswith("FAILED: ")
    document = run_cli("verify", archive, "--format", "json", cwd=tmp_path).json()
    assert [f["file"] for f in document["findings"]] == [f"cookbooks/b\\n{FORGED}\\n"]
    github = run_cli("verify", archive, "--format", "github", cwd=tmp_path).stdout
    assert len(github.splitlines()) == 1


def test_validate_text_output_cannot_be_forged_by_a_folder_name(tmp_path):
    folder = tmp_path / "cookbooks" / f"a\n{FORGED}"
    folder.mkdir(parents=True)
    (folder / "metadata.rb").write_text("name 'a'\nversion 'x.y'\n")
    result = run_cli("validate", ".", cwd=tmp_path)
    assert result.code == 1, result
    assert not any(line.startswith("OK:") for line in result.stdout.splitlines()), result.stdout
    assert f"cookbooks/a\\n{FORGED}/metadata.rb" in result.stdout.splitlines()


def test_an_error_naming_a_path_is_one_line(tmp_path):
    missing = tmp_path / f"gone\n{FORGED}\x1b[2K.tar.gz"
    result = run_cli("verify", missing, cwd=tmp_path)
    assert result.code == 3, result
    assert result.stderr.count("\n") == 1, result.stderr
    assert "gone\\nOK: all.tar.gz" in result.stderr and "\\x1b[2K" in result.stderr
    document = json.loads(run_cli("verify", missing, "--format", "json", cwd=tmp_path).stdout)
    assert "\n" not in document["error"]["message"]


def test_new_prints_the_files_it_created_one_per_line(tmp_path):
    parent = tmp_path / f"x\n{FORGED}"
    result = run_cli("new", "cookbook", "web", "--path", parent, cwd=tmp_path)
    assert result.code == 0, result
    assert all(line.startswith("created ") for line in result.stdout.splitlines())
    assert Path(parent / "web" / "metadata.rb").is_file()


def test_bundle_explain_lists_a_strange_file_name_on_one_line(tmp_path):
    cookbook = tmp_path / "cookbooks" / "a"
    (cookbook / "files").mkdir(parents=True)
    (cookbook / "metadata.rb").write_text("name 'a'\nversion '1.0.0'\n")
    (cookbook / "files" / "x\n  + forged.rb").write_text("data\n")
    result = run_cli("bundle", ".", "--explain", cwd=tmp_path)
    assert result.code == 0, result
    assert "  + forged.rb" not in result.stdout.splitlines(), result.stdout
    assert any(line.endswith("x\\n  + forged.rb") for line in result.stdout.splitlines())
