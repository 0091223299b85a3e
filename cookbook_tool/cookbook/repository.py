"""Open a repository once: discover its cookbooks, read each metadata file once, walk each
cookbook once, and read each small file once.

The ``LoadedRepository`` is handed down validate -> bundle -> artifact: the rules, the bundle
plan and the archive writer all take the walked entries and the bytes from it, so that a
command opens each metadata file and each recipe exactly once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.chefignore import Chefignore, load_chefignore
from cookbook_tool.cookbook.discovery import Repository, discover
from cookbook_tool.cookbook.model import Cookbook, Metadata
from cookbook_tool.cookbook.walk import Entry, walk_cookbook, walk_recipes_folder
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.read import read_metadata

# Recipe files Chef loads, Ruby first; the first Chef version that loads each kind.
RECIPE_EXTENSIONS = (".rb", ".yaml", ".yml", ".json")
RECIPE_SINCE = {".rb": (0, 0), ".yaml": (16, 0), ".yml": (17, 2), ".json": (18, 8)}
CACHED_FILE_BYTES = 1 << 20  # files up to this size are read once and kept for every reader
_CACHE_BUDGET = 64 << 20  # bytes kept at most; the oldest file is forgotten first


class FileContents:
    """The bytes of the repository's small files, each read from disk once and kept until its
    last reader has taken it.

    The readers of a file are the rules (one pass hands each file's bytes to the include scan
    and the secret scan) and, when bundling, the archive writer, which reads last
    (``last=True``) and so frees the bytes; ``validate`` alone has its rules read last.
    Memory stays bounded: beyond the budget the oldest kept file is forgotten (a later reader
    then reads it again). Larger files are never kept: their readers stream them. Safe to
    share with the validation thread of ``build_bundle``.
    """

    def __init__(self, budget: int = _CACHE_BUDGET) -> None:
        self._data: OrderedDict[str, bytes] = OrderedDict()  # by the path's string
        self._kept = 0
        self._budget = budget
        self._lock = threading.Lock()

    def read(
        self, path: str | Path, *, last: bool = False, keep: bool = True, size: int = -1
    ) -> bytes:
        """The bytes of ``path``, from memory when read before; ``last``: no one reads it
        after this caller, forget it; ``keep``: keep bytes read from disk now (the archive
        writer may get to a file before the validation thread: the bytes wait for it), False
        when no other reader can come; ``size``: what the walk saw (read in one call when it
        still holds). Raises ``OSError``."""
        key = os.fspath(path)
        with self._lock:  # the validation thread and the archive writer: one reads, one waits
            data = self._data.pop(key, None) if last else self._data.get(key)
            if data is not None:
                self._kept -= len(data) if last else 0
                return data
            data = read_file(key, size)
            if keep and not last and len(data) <= CACHED_FILE_BYTES:  # last: no one else
                self._keep(key, data)
        return data

    def _keep(self, path: str, data: bytes) -> None:
        self._data[path] = data
        self._kept += len(data)
        while self._kept > self._budget:
            _, oldest = self._data.popitem(last=False)
            self._kept -= len(oldest)


def read_file(path: str | Path, size: int = -1) -> bytes:
    """The bytes of a file. Given the ``size`` its stat said, one ``read`` of one byte more
    than that also tells the file has not grown since (a third of the system calls of
    ``Path.read_bytes``, which probes for a terminal and stats the file again, and no file
    object); a file that changed size is read to its end. Raises ``OSError``."""
    if size < 0:
        with open(path, "rb") as whole:
            return whole.read()
    descriptor = os.open(path, _READ_FLAGS)
    try:
        data = os.read(descriptor, size + 1)
        if len(data) == size:
            return data
        parts = [data]
        while part := os.read(descriptor, 1 << 20):
            parts.append(part)
        return b"".join(parts)
    finally:
        os.close(descriptor)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def recipe_files_in(entries: Iterable[Entry]) -> Mapping[str, str]:
    """Each recipe name of the shipped ``entries`` with its file's extension (``.rb``,
    ``.yaml``, ``.yml``, ``.json``); a Ruby recipe wins over a YAML or JSON one of the same
    name."""
    found: dict[str, str] = {}
    for entry in entries:
        relpath = entry.relpath
        if not (relpath.startswith("recipes/") and relpath.count("/") == 1 and entry.ships
                and entry.is_file_like):
            continue
        stem, dot, extension = relpath[len("recipes/"):].rpartition(".")
        if dot and stem and f".{extension}" in RECIPE_EXTENSIONS:
            kept = found.get(stem)
            if kept is None or RECIPE_EXTENSIONS.index(f".{extension}") < \
                    RECIPE_EXTENSIONS.index(kept):
                found[stem] = f".{extension}"
    return MappingProxyType(found)


@dataclass
class CookbookFiles:
    """A cookbook's walked entries, in order, and the chefignore that applied. The entries do
    not change once walked: what is derived from them (the shipped ones, the recipes) is
    computed once, for every rule and every ``include_recipe`` that asks."""

    cookbook: Cookbook
    chefignore: Chefignore
    entries: list[Entry] = field(default_factory=list)
    contents: FileContents = field(default_factory=FileContents)

    @cached_property
    def _shipped(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.ships)

    def shipped(self) -> tuple[Entry, ...]:
        return self._shipped

    def has_file(self, relpath: str) -> bool:
        return any(e.relpath == relpath and e.is_file_like for e in self._shipped)

    def recipe_names(self) -> list[str]:
        """Recipe names (``default``, ``deploy``) from the ``recipes/`` files that ship: Ruby,
        and YAML or JSON recipes (Chef 16+, 17.2+ for ``.yml``, 18.8+ for ``.json``)."""
        return sorted(self._recipe_files)

    def recipe_files(self) -> Mapping[str, str]:
        """Each recipe name with its file's extension (``.rb``, ``.yaml``, ``.yml``, ``.json``);
        a Ruby recipe wins over a YAML or JSON one of the same name."""
        return self._recipe_files

    @cached_property
    def _recipe_files(self) -> Mapping[str, str]:
        return recipe_files_in(self._shipped)

    def content(self, entry: Entry, *, final: bool = False) -> bytes | None:
        """The bytes of a small file-like entry, read once for every rule and the archive;
        None for a larger one (its readers stream it); ``final``: no one reads it after this
        caller, neither keep nor read it again. Raises ``OSError``."""
        if entry.size > CACHED_FILE_BYTES:
            return None
        return self.contents.read(
            entry.content_fspath, last=final, keep=not final, size=entry.size
        )


@dataclass
class LoadedRepository:
    """A repository with every cookbook's metadata read; files are walked on first use.

    ``rules_read_last``: nothing reads the files after the validate rules (``validate`` alone,
    no archive to write), so the rules free each file's bytes as they go."""

    repo: Repository
    config: Config
    metadata_findings: list[Finding]
    extra_excluded: tuple[Path, ...] = ()
    contents: FileContents = field(default_factory=FileContents)
    rules_read_last: bool = False
    _files: dict[Path, CookbookFiles] = field(default_factory=dict)
    _recipes: dict[Path, Mapping[str, str]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.repo.root

    @property
    def cookbooks(self) -> list[Cookbook]:
        return self.repo.cookbooks

    @cached_property
    def named(self) -> Mapping[str, Sequence[Cookbook]]:
        """The cookbooks by metadata name (built once: names are known after loading)."""
        return self.repo.by_name()

    def cookbook_at(self, folder: Path) -> Cookbook | None:
        return next((c for c in self.repo.cookbooks if c.path == folder), None)

    def recipe_files_of(self, cookbook: Cookbook) -> Mapping[str, str]:
        """``files_of(cookbook).recipe_files()``, from the walk when there is one, else from
        a walk of its ``recipes/`` folder alone (kept: an include of another cookbook's recipe
        does not walk that whole cookbook)."""
        walked = self._files.get(cookbook.path)
        if walked is not None:
            return walked.recipe_files()
        found = self._recipes.get(cookbook.path)
        if found is None:
            entries = walk_recipes_folder(
                cookbook.path, load_chefignore(cookbook.path), self.extra_excluded
            )
            found = self._recipes[cookbook.path] = recipe_files_in(entries)
        return found

    def files_of(self, cookbook: Cookbook) -> CookbookFiles:
        walked = self._files.get(cookbook.path)
        if walked is None:
            ignore = load_chefignore(cookbook.path)
            entries = list(walk_cookbook(cookbook.path, ignore, self.extra_excluded))
            walked = CookbookFiles(cookbook, ignore, entries, self.contents)
            self._files[cookbook.path] = walked
        return walked


    def forget_walks(self) -> None:
        """Drop the walked entries (they are walked again if asked for): once a bundle is
        planned and validated elsewhere, its members hold all the writer needs."""
        self._files.clear()
        self._recipes.clear()


def open_repository(
    root: Path, config: Config, extra_excluded: tuple[Path, ...] = (),
    rules_read_last: bool = False, mapper: Mapper | None = None,
) -> LoadedRepository:
    """Discover the cookbooks under ``root`` and read their metadata."""
    return load_repository(
        discover(root, config.cookbook_dirs), config, extra_excluded, rules_read_last, mapper
    )


MetadataRead = tuple[int, Metadata | None, list[Finding]]  # (cookbook index, metadata, findings)
# How the cookbooks are shared out: ``mapper(read, indices)`` is ``[r for i in indices for r in
# read(i)]`` in any order (``validate.parallel.shared_map`` spreads it over processes).
Mapper = Callable[[Callable[[int], list[MetadataRead]], Sequence[int]], list[MetadataRead]]


def load_repository(
    repo: Repository, config: Config, extra_excluded: tuple[Path, ...] = (),
    rules_read_last: bool = False, mapper: Mapper | None = None,
) -> LoadedRepository:
    """Read the metadata of a discovered repository's cookbooks (each file once), through
    ``mapper`` when given (in any order: the results are put back in cookbook order)."""
    contents = FileContents()
    cookbooks = repo.cookbooks

    def read(index: int) -> list[MetadataRead]:
        metadata, problems = read_metadata(cookbooks[index].path, contents.read)
        return [(index, metadata, problems)]

    indices = range(len(cookbooks))
    done = mapper(read, indices) if mapper is not None else [r for i in indices for r in read(i)]
    findings: list[Finding] = []
    for index, metadata, problems in sorted(done, key=lambda result: result[0]):
        cookbook = cookbooks[index]
        cookbook.metadata = metadata
        cookbook.metadata_file = metadata.source if metadata else None
        findings.extend(problems)
    return LoadedRepository(repo, config, findings, extra_excluded, contents, rules_read_last)
