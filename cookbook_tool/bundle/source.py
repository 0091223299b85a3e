"""The repository a bundle is made from: its cookbooks with their metadata, walked once, and
what ``validate`` says about the cookbooks being bundled (errors refuse the bundle)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cookbook_tool.bundle.build import BundleSettings
from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.repository import LoadedRepository, open_repository
from cookbook_tool.cookbook.selection import select_cookbooks
from cookbook_tool.findings import Finding
from cookbook_tool.validate.cookbooks import validate_loaded


def open_for_bundle(
    root: Path, config: Config, settings: BundleSettings
) -> tuple[LoadedRepository, Callable[[], list[Finding]]]:
    """Open the repository at ``root``; return it and the validation of the cookbooks
    ``settings`` selects, as a function (``build_bundle`` runs it while it writes).

    Raises ``UsageError`` when ``settings`` names a cookbook the repository does not have.
    """
    loaded = open_repository(root, config, (settings.output_dir,))
    selection = select_cookbooks(loaded.repo.cookbooks, settings.cookbooks, settings.external)
    chosen = [c.path for c in selection.cookbooks]
    only = None if len(chosen) == len(loaded.repo.cookbooks) else chosen
    return loaded, lambda: validate_loaded(loaded, config, only).findings


def load_repository(
    root: Path, config: Config, settings: BundleSettings
) -> tuple[LoadedRepository, list[Finding]]:
    """Open the repository at ``root`` and validate the cookbooks ``settings`` selects.

    Raises ``UsageError`` when ``settings`` names a cookbook the repository does not have.
    """
    loaded, validation = open_for_bundle(root, config, settings)
    return loaded, validation()
