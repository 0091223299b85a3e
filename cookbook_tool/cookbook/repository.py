"""Open a repository: discover its cookbooks and read their metadata and files once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.chefignore import Chefignore, load_chefignore
from cookbook_tool.cookbook.discovery import Repository, discover
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.walk import Entry, walk_cookbook
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.read import read_metadata


@dataclass
class CookbookFiles:
    """A cookbook's walked entries, in order, and the chefignore that applied."""

    cookbook: Cookbook
    chefignore: Chefignore
    entries: list[Entry] = field(default_factory=list)

    def shipped(self) -> list[Entry]:
        return [e for e in self.entries if e.ships]

    def has_file(self, relpath: str) -> bool:
        return any(e.relpath == relpath and e.ships and e.is_file_like for e in self.entries)

    def recipe_names(self) -> list[str]:
        """Recipe names (``default``, ``deploy``) from ``recipes/*.rb`` that ship."""
        return sorted(
            e.relpath[len("recipes/") : -3]
            for e in self.entries
            if e.ships and e.is_file_like and e.relpath.startswith("recipes/")
            and e.relpath.endswith(".rb") and e.relpath.count("/") == 1
        )  # fmt: skip


@dataclass
class LoadedRepository:
    """A repository with every cookbook's metadata read; files are walked on first use."""

    repo: Repository
    metadata_findings: list[Finding]
    extra_excluded: tuple[Path, ...] = ()
    _files: dict[Path, CookbookFiles] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.repo.root

    def files_of(self, cookbook: Cookbook) -> CookbookFiles:
        walked = self._files.get(cookbook.path)
        if walked is None:
            ignore = load_chefignore(cookbook.path)
            entries = list(walk_cookbook(cookbook.path, ignore, self.extra_excluded))
            walked = self._files[cookbook.path] = CookbookFiles(cookbook, ignore, entries)
        return walked


def open_repository(
    root: Path, config: Config, extra_excluded: tuple[Path, ...] = ()
) -> LoadedRepository:
    """Discover the cookbooks under ``root`` and read their metadata."""
    repo = discover(root, config.cookbook_dirs)
    findings: list[Finding] = []
    for cookbook in repo.cookbooks:
        metadata, problems = read_metadata(cookbook.path)
        cookbook.metadata = metadata
        cookbook.metadata_file = metadata.source if metadata else None
        findings.extend(problems)
    return LoadedRepository(repo, findings, extra_excluded)
