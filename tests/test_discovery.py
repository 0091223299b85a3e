"""Finding cookbooks in a repository and mapping files to them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cookbook_tool.cookbook.discovery import discover, find_repository_root, own_location
from cookbook_tool.errors import LocalError


def _cookbook(path: Path, name: str | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "metadata.rb").write_text(f"name '{name or path.name}'\nversion '1.0.0'\n")
    (path / "recipes").mkdir()
    (path / "recipes/default.rb").write_text("")
    return path


def test_cookbooks_at_top_level_and_under_cookbooks(tmp_path):
    _cookbook(tmp_path / "top")
    _cookbook(tmp_path / "cookbooks/a")
    _cookbook(tmp_path / "site-cookbooks/b")
    (tmp_path / "docs").mkdir()
    (tmp_path / "stack").mkdir()
    names = [c.dirname for c in discover(tmp_path).cookbooks]
    assert names == ["a", "b", "top"] or sorted(names) == ["a", "b", "top"]
    assert len(names) == 3


def test_folder_without_metadata_but_recipes_is_a_cookbook(tmp_path):
    (tmp_path / "cookbooks/nometa/recipes").mkdir(parents=True)
    (cookbook,) = discover(tmp_path).cookbooks
    assert cookbook.dirname == "nometa"


def test_single_cookbook(tmp_path):
    cb = _cookbook(tmp_path / "solo")
    repo = discover(cb)
    assert [c.path for c in repo.cookbooks] == [cb.resolve()]


def test_nested_fixture_cookbooks_belong_to_their_parent(tmp_path):
    outer = _cookbook(tmp_path / "cookbooks/outer")
    fixture = _cookbook(outer / "test/fixtures/cookbooks/fixture_cb")
    repo = discover(tmp_path)
    assert [c.dirname for c in repo.cookbooks] == ["outer"]
    owners = [repo.owner_of(p) for p in (fixture / "recipes/default.rb", outer / "metadata.rb")]
    assert [o.path for o in owners if o] == [outer.resolve(), outer.resolve()]
    assert repo.owner_of(tmp_path / "README.md") is None


def test_repository_root(tmp_path):
    (tmp_path / "cookbook-tool.toml").write_text("")
    cb = _cookbook(tmp_path / "cookbooks/a")
    assert find_repository_root(cb / "recipes/default.rb") == tmp_path.resolve()


def test_repository_root_without_marker(tmp_path):
    cb = _cookbook(tmp_path / "repo/cookbooks/a")
    assert find_repository_root(cb) == (tmp_path / "repo").resolve()


def test_not_a_folder(tmp_path):
    with pytest.raises(LocalError, match="not a folder"):
        discover(tmp_path / "missing")


def test_own_location_never_follows_the_last_component(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    cookbook = repo / "cookbooks/web"
    (cookbook / "recipes").mkdir(parents=True)
    (cookbook / "metadata.rb").write_text("name 'web'\nversion '1.0.0'\n")
    (repo / "cookbook-tool.toml").write_text("")
    (cookbook / "recipes/loop2").symlink_to("loop1")
    (cookbook / "recipes/loop1").symlink_to("loop2")
    link = cookbook / "recipes/etc.rb"
    link.symlink_to(tmp_path)  # a folder outside the repository
    alias = tmp_path / "alias"
    alias.symlink_to(repo)  # a folder above the link: resolved
    moved = alias / "cookbooks/web/recipes/loop1"
    assert own_location(moved) == cookbook / "recipes/loop1"
    assert own_location(Path(os.path.relpath(link))) == link
    assert find_repository_root(moved) == repo
    assert find_repository_root(link) == repo
    owners = [discover(repo).owner_of(p) for p in (moved, link)]
    assert [o.path if o else None for o in owners] == [cookbook, cookbook]
