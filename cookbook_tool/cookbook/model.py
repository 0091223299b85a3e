"""The cookbook model shared by validation, bundling and publishing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from cookbook_tool.cookbook.constraints import Constraint

# The folders Chef reads in a cookbook (a top-level folder named like one of them is a typo).
STANDARD_FOLDERS = (
    "attributes", "definitions", "files", "libraries", "providers", "recipes", "resources",
    "templates",
)

# What a cookbook name may be: Chef splits ``cookbook::recipe`` on ``::`` and uses the name as
# a folder name (bundles too), so letters, digits, ``_ - .``, not starting with ``.``.
COOKBOOK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class Dependency(NamedTuple):
    """One ``depends`` line: a cookbook name and the constraint it must meet (a NamedTuple,
    as ``constraints.Version`` is)."""

    name: str
    constraint: Constraint
    line: int | None = None
    raw_constraint: str | None = None  # as written, None when absent


@dataclass
class Metadata:
    """What a cookbook's metadata declares. Unknown or unevaluable values stay ``None``.

    ``source`` is the metadata file the values were read from (``metadata.json`` wins over
    ``metadata.rb``, as in Chef). ``lines`` maps a field name to the line it was set on.
    """

    source: Path
    name: str | None = None
    version: str | None = None
    maintainer: str | None = None
    maintainer_email: str | None = None
    license: str | None = None
    description: str | None = None
    long_description: str | None = None
    chef_version: list[str] = field(default_factory=list)
    ohai_version: list[str] = field(default_factory=list)
    issues_url: str | None = None
    source_url: str | None = None
    privacy: bool | None = None
    supports: dict[str, str] = field(default_factory=dict)  # platform -> constraint text
    depends: list[Dependency] = field(default_factory=list)
    recipes: dict[str, str] = field(default_factory=dict)  # "cb::recipe" -> description
    provides: list[str] = field(default_factory=list)
    gems: list[list[str]] = field(default_factory=list)
    recommends: dict[str, str] = field(default_factory=dict)
    suggests: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)
    replaces: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Cookbook:
    """A cookbook folder in a repository.

    ``dirname`` is the folder's name; ``name`` is the metadata name, falling back to the folder
    name (as Chef 11.10 does) when the metadata has none.
    """

    path: Path
    metadata: Metadata | None = None
    metadata_file: Path | None = None

    @property
    def dirname(self) -> str:
        return self.path.name

    @property
    def name(self) -> str:
        if self.metadata is not None and self.metadata.name:
            return self.metadata.name
        return self.dirname

    @property
    def version(self) -> str | None:
        return self.metadata.version if self.metadata else None

    @property
    def depends(self) -> list[Dependency]:
        return self.metadata.depends if self.metadata else []
