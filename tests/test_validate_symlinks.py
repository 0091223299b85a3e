"""Symbolic links passed to ``cookbook-tool validate`` as files (as pre-commit passes them): each
is placed where the link lies, never where it points, so the cookbook holding it is checked and
reports it; a symlink loop is a finding, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import run_cli


def _rules(result_json: dict[str, object]) -> set[tuple[str, str]]:
    findings = result_json["findings"]
    assert isinstance(findings, list)
    return {(f["file"], f["rule"]) for f in findings}


def _loop(folder: Path, first: str = "loop1", second: str = "loop2") -> None:
    (folder / second).symlink_to(first)
    (folder / first).symlink_to(second)


def test_link_out_of_a_cookbook_is_checked_where_it_lies(sample_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0\n")
    (sample_repo / "cookbooks/webapp/recipes/leak.rb").symlink_to(outside)
    result = run_cli("validate", "--skip-json", "--format", "json",
                     "cookbooks/webapp/recipes/leak.rb", cwd=sample_repo)
    assert result.code == 1, result.stdout + result.stderr
    document = result.json()
    assert document["cookbooks"] == ["webapp"]
    assert ("cookbooks/webapp/recipes/leak.rb", "symlink-escape") in _rules(document)
    text = run_cli("validate", "--skip-json", "cookbooks/webapp/recipes/leak.rb", cwd=sample_repo)
    assert "not checked" not in text.stderr and str(outside) not in text.stderr


@pytest.mark.parametrize("mode", ["--skip-json", None])
def test_symlink_loop_in_a_cookbook_is_a_finding(sample_repo: Path, mode: str | None) -> None:
    _loop(sample_repo / "cookbooks/webapp")
    args = [mode] if mode else []
    result = run_cli("validate", *args, "--format", "json", "cookbooks/webapp/loop1",
                     cwd=sample_repo)
    assert result.code == 1, result.stdout + result.stderr
    assert ("cookbooks/webapp/loop1", "symlink-loop") in _rules(result.json())
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr


def test_symlink_loops_never_crash_the_json_check(sample_repo: Path) -> None:
    _loop(sample_repo / "cookbooks/webapp")
    _loop(sample_repo / "stack", "l1", "l2")  # no mapping names these
    _loop(sample_repo / "stack", "a.json", "b.json")  # stack/*.json names these
    (sample_repo / "stack/gone.json").symlink_to("missing.json")
    unmapped = run_cli("validate", "--only-json", "cookbooks/webapp/loop1", "stack/l1",
                       cwd=sample_repo)
    assert unmapped.code == 0, unmapped.stdout + unmapped.stderr
    assert "not checked: stack/l1" in unmapped.stderr
    mapped = run_cli("validate", "--only-json", "--format", "json", "stack/a.json",
                     "stack/gone.json", cwd=sample_repo)
    assert mapped.code == 1, mapped.stdout + mapped.stderr
    assert _rules(mapped.json()) == {("stack/a.json", "symlink-loop"),
                                     ("stack/gone.json", "symlink-broken")}
    full = run_cli("validate", "--format", "json", cwd=sample_repo)
    assert full.code == 1, full.stdout + full.stderr
    assert _rules(full.json()) >= {("stack/a.json", "symlink-loop"),
                                   ("stack/b.json", "symlink-loop"),
                                   ("stack/gone.json", "symlink-broken"),
                                   ("cookbooks/webapp/loop1", "symlink-loop")}
    with_schema = run_cli("validate", "--schema", "opsworks-custom-json", "stack/l1",
                          cwd=sample_repo)
    assert with_schema.code == 1 and "[symlink-loop]" in with_schema.stdout
    for result in (unmapped, mapped, full, with_schema):
        assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr


def test_symlinked_cookbook_folder_is_checked_under_its_link_name(
    sample_repo: Path, tmp_path: Path
) -> None:
    vendored = tmp_path / "vendor/nodejs_demo"
    vendored.parent.mkdir()
    (sample_repo / "cookbooks/nodejs_demo").rename(vendored)
    (sample_repo / "cookbooks/nodejs_demo").symlink_to(vendored)
    result = run_cli("validate", "--skip-json", "--format", "json", "cookbooks/nodejs_demo",
                     cwd=sample_repo)
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["cookbooks"] == ["nodejs_demo"]
