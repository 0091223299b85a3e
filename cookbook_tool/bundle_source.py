"""The repository a bundle is made from: its cookbooks with their metadata, and what
``validate`` says about them (a bundle is refused when that includes errors)."""

from __future__ import annotations

from pathlib import Path

from cookbook_tool.config import Config
from cookbook_tool.discovery import Repository, discover
from cookbook_tool.findings import Finding


def load_repository(path: Path, config: Config) -> tuple[Repository, list[Finding]]:
    """Discover the cookbooks below ``path``, read their metadata and validate them."""
    from cookbook_tool.metadata import read_metadata
    from cookbook_tool.validate import validate_repository

    repo = discover(path, config.cookbook_dirs)
    for cookbook in repo.cookbooks:
        if cookbook.metadata is None:
            cookbook.metadata = read_metadata(cookbook.path)
            cookbook.metadata_file = cookbook.metadata.source if cookbook.metadata else None
    return repo, validate_repository(repo, config)
