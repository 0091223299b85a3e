"""The folder expansion and grouping of ``validate --schema`` work on path text (one
``scandir`` per folder, the repository asked once per folder) and give what the ``Path``
versions gave: the same files in the same order, the same repositories, the same names shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cookbook_tool.cli.plain_validate import shown_paths
from cookbook_tool.cookbook.discovery import group_by_repository
from cookbook_tool.customjson.inputs import expand_inputs, schema_inputs
from cookbook_tool.customjson.schemarun import _by_repository


def _tree(root: Path) -> Path:
    stack = root / "repo" / "stack"
    for rel in ("a.json", "b-c.json", "b/z.json", "b/a.JSON", "b.d/x.json", ".hidden/h.json",
                "cookbooks/app/metadata.rb", "cookbooks/app/files/f.json", "notes.txt"):
        (stack / rel).parent.mkdir(parents=True, exist_ok=True)
        (stack / rel).write_text("name 'app'\n" if rel.endswith(".rb") else "{}\n")
    (root / "repo" / "cookbook-tool.toml").write_text("")
    (stack / "link.json").symlink_to(stack / "a.json")
    (stack / "dangling.json").symlink_to(stack / "missing.json")
    (stack / "folder-link").symlink_to(stack / "b", target_is_directory=True)
    return stack


def _walked(folder: Path) -> list[Path]:
    found = []
    for parent, folders, names in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        found += [Path(parent, n) for n in names if n.lower().endswith(".json")]
    return sorted(found)


def test_a_folder_expands_as_a_sorted_walk_of_its_json_files(tmp_path: Path) -> None:
    stack = _tree(tmp_path)
    inputs = expand_inputs([stack], tmp_path)
    assert inputs.files == _walked(stack) == schema_inputs([stack], tmp_path)
    assert str(stack / "link.json") not in inputs.regular
    assert str(stack / "a.json") in inputs.regular


def test_a_fifo_in_a_folder_is_refused(tmp_path: Path) -> None:
    from cookbook_tool.errors import LocalError

    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(LocalError, match="pipe.json: is a FIFO"):
        expand_inputs([tmp_path], tmp_path)


def test_grouping_by_folder_gives_what_grouping_each_file_gives(tmp_path: Path) -> None:
    stack = _tree(tmp_path)
    (tmp_path / "elsewhere").symlink_to(stack, target_is_directory=True)
    inputs = expand_inputs([stack, tmp_path / "elsewhere", Path("repo/stack/a.json")], tmp_path)
    groups, regular = _by_repository(inputs)
    assert groups == group_by_repository(inputs.files)
    located = [p for members in groups.values() for p in members]
    assert {str(p) for p in located if id(p) in regular} == {
        str(p) for p in located if p.is_file() and not p.is_symlink()}


def _shown(path: Path, cwd: Path) -> str:
    """The reference: ``Path.relative_to`` below ``cwd``, the path as given elsewhere."""
    return str(path.relative_to(cwd)) if path.is_relative_to(cwd) else str(path)


@pytest.mark.parametrize("path, cwd", [("/a/b/c.json", "/a"), ("/a/b", "/a/b"), ("/ab/c", "/a"),
                                       ("/x/y", "/"), ("/a/b", "/a/b/c")])
def test_names_shown_are_those_relative_to_the_folder(path: str, cwd: str) -> None:
    assert shown_paths([Path(path)], Path(cwd)) == [_shown(Path(path), Path(cwd))]
