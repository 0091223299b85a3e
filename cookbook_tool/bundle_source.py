"""The repository a bundle is made from: its cookbooks with their metadata, walked once, and
what ``validate`` says about the cookbooks being bundled (errors refuse the bundle)."""

from __future__ import annotations

from pathlib import Path

from cookbook_tool.bundle import BundleSettings
from cookbook_tool.config import Config
from cookbook_tool.findings import Finding
from cookbook_tool.repository import LoadedRepository, open_repository
from cookbook_tool.selection import select_cookbooks
from cookbook_tool.validate import validate_loaded


def load_repository(
    root: Path, config: Config, settings: BundleSettings
) -> tuple[LoadedRepository, list[Finding]]:
    """Open the repository at ``root`` and validate the cookbooks ``settings`` selects.

    Raises ``UsageError`` when ``settings`` names a cookbook the repository does not have.
    """
    loaded = open_repository(root, config, (settings.output_dir,))
    selection = select_cookbooks(loaded.repo.cookbooks, settings.cookbooks, settings.external)
    chosen = [c.path for c in selection.cookbooks]
    everything = len(chosen) == len(loaded.repo.cookbooks)
    result = validate_loaded(loaded, config, None if everything else chosen)
    return loaded, result.findings
