"""The loaded repository's file store: each small file read from disk once, memory bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.config.load import resolve_config
from cookbook_tool.cookbook.discovery import discover
from cookbook_tool.cookbook.repository import (
    CACHED_FILE_BYTES,
    FileContents,
    load_repository,
    read_file,
)
from cookbook_tool.validate.run import validate_loaded


def _files(tmp_path: Path, count: int, size: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"f{i}"
        path.write_bytes(bytes([i % 256]) * size)
        paths.append(path)
    return paths


def test_a_second_reader_gets_the_bytes_without_reading_the_file(tmp_path: Path) -> None:
    (path,) = _files(tmp_path, 1, 100)
    contents = FileContents()
    first = contents.read(path)
    path.write_bytes(b"changed on disk")  # a second read from disk would see this
    assert contents.read(path) == first
    assert contents.read(path, last=True) == first
    # the last reader freed it: the next read goes to the disk again
    assert contents.read(path) == b"changed on disk"


def test_memory_stays_within_the_budget_oldest_forgotten_first(tmp_path: Path) -> None:
    paths = _files(tmp_path, 5, 1000)
    contents = FileContents(budget=3000)
    for path in paths:
        contents.read(path)
    for path in paths:
        path.write_bytes(b"new")
    # f0 and f1 were forgotten; re-reading f0 (3 bytes now) pushes f2 out too
    assert [contents.read(p) == b"new" for p in paths] == [True, True, True, False, False]


def test_large_files_are_never_kept(tmp_path: Path) -> None:
    (path,) = _files(tmp_path, 1, CACHED_FILE_BYTES + 1)
    contents = FileContents()
    contents.read(path)
    path.write_bytes(b"x")
    assert contents.read(path) == b"x"


def test_an_unreadable_file_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        FileContents().read(tmp_path / "missing")


def test_a_file_that_changed_size_since_its_stat_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 5000)
    assert read_file(path, 10) == b"x" * 5000  # grew after the walk saw 10 bytes
    assert read_file(path, 9000) == b"x" * 5000  # shrank
    assert read_file(path, 5000) == b"x" * 5000
    assert read_file(tmp_path / "f", -1) == b"x" * 5000
    assert FileContents().read(path, size=3) == b"x" * 5000
    with pytest.raises(OSError):
        read_file(tmp_path / "missing", 3)


@pytest.mark.parametrize("rules_read_last", [True, False])
def test_validate_alone_frees_the_bytes_a_bundle_keeps_for_its_writer(
    tmp_path: Path, rules_read_last: bool
) -> None:
    recipe = tmp_path / "a/recipes/default.rb"
    recipe.parent.mkdir(parents=True)
    recipe.write_text("log 'a'\n")
    (tmp_path / "a/metadata.rb").write_text("name 'a'\nversion '1.0.0'\n")
    config = resolve_config(None, tmp_path, tmp_path)
    loaded = load_repository(discover(tmp_path, config.cookbook_dirs), config,
                             rules_read_last=rules_read_last)
    assert validate_loaded(loaded).findings == []
    recipe.write_text("changed on disk")
    (tmp_path / "a/metadata.rb").write_text("changed on disk")
    # validate alone: the rules were the last readers, nothing is kept; before a bundle, the
    # archive writer gets the bytes the rules read (metadata.rb included)
    kept = {b"log 'a'\n", b"name 'a'\nversion '1.0.0'\n"}
    expected = {b"changed on disk"} if rules_read_last else kept
    read = {loaded.contents.read(recipe, last=True),
            loaded.contents.read(tmp_path / "a/metadata.rb", last=True)}
    assert read == expected


def test_a_reader_no_one_follows_keeps_nothing(tmp_path: Path) -> None:
    (path,) = _files(tmp_path, 1, 100)
    contents = FileContents()
    assert contents.read(path, last=True, keep=False) == bytes(100)
    path.write_bytes(b"changed on disk")
    assert contents.read(path) == b"changed on disk"
