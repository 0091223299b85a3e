"""Helpers for bundle and verify tests: cookbooks on disk, read with the real metadata reader."""

from __future__ import annotations

from pathlib import Path

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.repository import open_repository


def load_cookbooks(root: Path) -> list[Cookbook]:
    return open_repository(root, Config()).repo.cookbooks


def make_cookbook(
    folder: Path, name: str, version: str = "1.0.0", depends: dict[str, str] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"name '{name}'", f"version '{version}'"]
    lines += [f"depends '{dep}', '{constraint}'" for dep, constraint in (depends or {}).items()]
    (folder / "metadata.rb").write_text("\n".join(lines) + "\n")
    (folder / "recipes").mkdir(exist_ok=True)
    (folder / "recipes/default.rb").write_text(f"log '{name}'\n")
    return folder
