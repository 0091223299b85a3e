"""Helpers for bundle and verify tests: cookbooks on disk with their metadata."""

from __future__ import annotations

import re
from pathlib import Path

from cookbook_tool.constraints import Constraint
from cookbook_tool.discovery import discover
from cookbook_tool.model import Cookbook, Dependency, Metadata

_LINE = re.compile(r"""^\s*(name|version|depends)\s+['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?""")


def read_simple_metadata(folder: Path) -> Metadata:
    """name / version / depends from a metadata.rb written in the plain style of the samples."""
    source = folder / "metadata.rb"
    metadata = Metadata(source=source)
    for number, line in enumerate(source.read_text().splitlines(), start=1):
        match = _LINE.match(line)
        if not match:
            continue
        key, value, constraint = match.groups()
        if key == "depends":
            parsed = Constraint.parse(constraint) if constraint else Constraint.any()
            metadata.depends.append(Dependency(value, parsed, number, constraint))
        else:
            setattr(metadata, key, value)
    return metadata


def load_cookbooks(root: Path) -> list[Cookbook]:
    cookbooks = discover(root).cookbooks
    for cookbook in cookbooks:
        cookbook.metadata = read_simple_metadata(cookbook.path)
        cookbook.metadata_file = cookbook.metadata.source
    return cookbooks


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
