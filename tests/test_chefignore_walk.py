"""chefignore semantics and the file walk shared by validate and bundle."""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from cookbook_tool.cookbook.chefignore import (
    ALWAYS_EXCLUDED,
    always_excluded_reason,
    load_chefignore,
    parse_chefignore,
)
from cookbook_tool.cookbook.walk import walk_cookbook


@pytest.mark.parametrize(
    ("pattern", "path", "ignored"),
    [
        ("*.swp", "recipes/.default.rb.swp", True),  # `*` crosses folders (no FNM_PATHNAME)
        ("*~", "recipes/default.rb~", True),
        ("spec/*", "spec/unit/default_spec.rb", True),
        ("test", "test/integration/default_test.rb", True),  # a folder ignores its contents
        ("*.md", "README.md", True),
        ("*.md", "templates/default/x.md.erb", False),
        ("*.rb", ".rubocop.rb", False),  # a wildcard never matches a leading dot
        ("Gemfile", "Gemfile.lock", False),
        ("[Bb]erksfile", "Berksfile", True),
        ("recipes/defaul?.rb", "recipes/default.rb", True),
    ],
)
def test_chefignore_matching(pattern, path, ignored):
    ignore = parse_chefignore(f"# comment\n\n{pattern}\n")
    assert (ignore.match(path) is not None) is ignored


def test_chefignore_reports_line(tmp_path):
    (tmp_path / "chefignore").write_text("# files\n\n*.bak\n")
    ignore = load_chefignore(tmp_path)
    match = ignore.match("files/a.bak")
    assert match is not None and match.line == 3 and match.glob == "*.bak"


def test_chefignore_from_parent_folder(tmp_path):
    (tmp_path / "chefignore").write_text("*.bak\n")
    (tmp_path / "cb").mkdir()
    assert load_chefignore(tmp_path / "cb").match("x.bak") is not None


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_walk_sorted_and_excluded(tmp_path):
    cb = tmp_path / "cb"
    _tree(cb, {"recipes/b.rb": "", "recipes/a.rb": "", ".git/HEAD": "", "x.swp": "",
               "spec/s.rb": "", "chefignore": "spec\n", "metadata.rb": ""})
    entries = list(walk_cookbook(cb, load_chefignore(cb)))
    relpaths = [e.relpath for e in entries]
    assert relpaths == sorted(relpaths, key=os.fsencode)
    excluded = {e.relpath: e.excluded for e in entries if e.excluded}
    assert excluded[".git"] == "VCS folder"
    assert excluded["x.swp"] == "editor swap file"
    assert excluded["spec"].startswith("chefignore line 1")
    assert ".git/HEAD" not in relpaths  # excluded folders are not descended into
    assert [e.relpath for e in entries if e.ships and e.kind == "file"] == [
        "chefignore", "metadata.rb", "recipes/a.rb", "recipes/b.rb"]


def test_walk_symlinks(tmp_path):
    cb = tmp_path / "cb"
    _tree(cb, {"files/default/real.sh": "#!/bin/sh\n", "metadata.rb": ""})
    (tmp_path / "outside.txt").write_text("secret")
    (cb / "files/default/inside.sh").symlink_to("real.sh")
    (cb / "files/default/out.txt").symlink_to(tmp_path / "outside.txt")
    (cb / "files/default/broken").symlink_to("nowhere")
    (cb / "files/default/loop").symlink_to("..")
    (cb / "shared").symlink_to("files")
    by_path = {e.relpath: e for e in walk_cookbook(cb)}
    assert by_path["files/default/inside.sh"].ships
    assert by_path["files/default/inside.sh"].target == (cb / "files/default/real.sh").resolve()
    assert by_path["files/default/out.txt"].problem == "symlink points outside the cookbook"
    assert by_path["files/default/broken"].problem == "broken symlink"
    assert by_path["files/default/loop"].problem == "symlink loop"
    assert by_path["shared/default/real.sh"].ships  # a folder link inside is followed


def test_walk_special_files(tmp_path):
    cb = tmp_path / "cb"
    cb.mkdir()
    os.mkfifo(cb / "pipe")
    (entry,) = list(walk_cookbook(cb))
    assert entry.kind == "special" and entry.problem == "FIFO (named pipe)"


def test_walk_non_utf8_name(tmp_path):
    cb = tmp_path / "cb"
    cb.mkdir()
    (Path(os.fsdecode(bytes(cb) + b"/caf\xe9.txt"))).write_text("x")
    (entry,) = list(walk_cookbook(cb))
    assert entry.problem == "file name is not valid UTF-8"


def test_walk_excludes_output_folder(tmp_path):
    cb = tmp_path / "cb"
    _tree(cb, {"out/cookbooks-1.0.tar.gz": "x", "metadata.rb": ""})
    entries = {e.relpath: e for e in walk_cookbook(cb, extra_excluded=(cb / "out",))}
    assert entries["out"].excluded == "bundle output folder"


def test_invalid_chefignore_pattern_is_kept_aside(tmp_path):
    ignore = parse_chefignore("*.bak\n[z-a]*\n")
    assert [p.glob for p in ignore.patterns] == ["*.bak"]
    assert ignore.invalid[0][:2] == (2, "[z-a]*")


@pytest.mark.parametrize("name", [
    ".git", ".gitignore", "x~", "~", "a.swp", ".swo", ".#lock", "#auto#", "#", ".DS_Store",
    "Thumbs.db", ".kitchen", ".kitchen.yml", ".kitchen.local.yml", "Berksfile.lock",
    "Berksfile", "Policyfile.lock.json", ".vagrant", ".bundle", "default.rb", ".hg", ".bzr",
])
def test_always_excluded_names_get_the_first_glob_that_matches(name):
    expected = next((why for glob, why in ALWAYS_EXCLUDED if fnmatchcase(name, glob)), None)
    assert always_excluded_reason(name) == expected


def _recipes_both_ways(cookbook: Path) -> tuple[object, object]:
    """A cookbook's recipes from its whole walk and from the walk of recipes/ alone."""
    from cookbook_tool.config.load import Config
    from cookbook_tool.cookbook.discovery import discover
    from cookbook_tool.cookbook.repository import load_repository

    repo = discover(cookbook.parent, ("",))
    (found,) = [c for c in repo.cookbooks if c.path == cookbook]
    alone = load_repository(repo, Config()).recipe_files_of(found)
    loaded = load_repository(repo, Config())
    return dict(alone), dict(loaded.files_of(found).recipe_files())


@pytest.mark.parametrize(
    "shape", ["plain", "ignored", "ignored-folder", "links", "absent", "linked-folder"]
)
def test_the_recipes_folder_alone_gives_the_recipes_the_whole_walk_gives(tmp_path, shape):
    cookbook = tmp_path / "cb"
    files = {
        "metadata.rb": "name 'cb'\nversion '1.0.0'\n",
        "recipes/default.rb": "", "recipes/other.rb": "", "recipes/other.yaml": "",
        "recipes/new.json": "", "recipes/sub/deep.rb": "", "recipes/.hidden.rb": "",
        "recipes/notes.txt": "", "recipes/x.rb~": "",
    }
    if shape == "absent":
        files = {"metadata.rb": files["metadata.rb"], "attributes/default.rb": ""}
    _tree(cookbook, files)
    if shape == "ignored":
        (cookbook / "chefignore").write_text("recipes/other*\n*.json\n")
    if shape == "ignored-folder":
        (cookbook / "chefignore").write_text("recipes\n")
    if shape == "links":
        (cookbook / "lib").mkdir()
        (cookbook / "lib" / "linked.rb").write_text("")
        os.symlink("../lib/linked.rb", cookbook / "recipes" / "linked.rb")
        os.symlink("/etc/hostname", cookbook / "recipes" / "outside.rb")
        os.symlink("missing.rb", cookbook / "recipes" / "broken.rb")
    if shape == "linked-folder":
        (cookbook / "recipes").rename(cookbook / "src")
        os.symlink("src", cookbook / "recipes")
    alone, whole = _recipes_both_ways(cookbook.resolve())
    assert alone == whole
    if shape in ("plain", "linked-folder"):
        assert whole == {"default": ".rb", "other": ".rb", "new": ".json", ".hidden": ".rb"}
