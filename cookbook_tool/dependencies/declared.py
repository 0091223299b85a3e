"""The ``[sources]`` and ``[dependencies]`` tables of ``cookbook-tool.toml``, read from the
configuration file (already checked against the config schema when it was loaded)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.constraints import Constraint, ConstraintError
from cookbook_tool.errors import LocalError

SUPERMARKET = "supermarket"
GIT = "git"
PATH = "path"


@dataclass(frozen=True)
class Declared:
    """One entry of ``[dependencies]``."""

    name: str
    constraint: Constraint
    kind: str = SUPERMARKET  # supermarket | git | path
    source: str | None = None  # supermarket: the API URL (None: the default source)
    git: str | None = None
    ref: str | None = None  # tag, branch or ref as given (None: the remote's HEAD)
    rel: str | None = None  # the cookbook's folder inside the git repository
    path: Path | None = None  # absolute


@dataclass(frozen=True)
class DependencySettings:
    """The ``[sources]`` default and the ``[dependencies]`` entries of a configuration."""

    default_source: str | None = None
    declared: Mapping[str, Declared] = field(default_factory=dict)
    file: Path | None = None  # the configuration file they came from

    @property
    def configured(self) -> bool:
        return self.default_source is not None or bool(self.declared)

    def source_of(self, name: str) -> str | None:
        """The Supermarket a cookbook comes from (its own, else the default)."""
        declared = self.declared.get(name)
        if declared is not None and declared.source is not None:
            return declared.source
        return self.default_source


def dependency_settings(config: Config) -> DependencySettings:
    """The dependency tables of ``config`` (empty without a configuration file)."""
    if config.file is None:
        return DependencySettings()
    import tomllib  # as in config.load: only when there is a configuration file

    try:
        data = tomllib.loads(config.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LocalError(f"{config.file}: cannot read configuration ({exc})") from exc
    return settings_from(data, config.file)


def settings_from(data: Mapping[str, Any], file: Path) -> DependencySettings:
    sources: Mapping[str, str] = data.get("sources", {})
    declared = {
        name: _declared(name, value, sources, file)
        for name, value in sorted(data.get("dependencies", {}).items())
    }
    return DependencySettings(sources.get("default"), declared, file)


def _declared(name: str, value: object, sources: Mapping[str, str], file: Path) -> Declared:
    table: Mapping[str, Any] = {"version": value} if isinstance(value, str) else value  # type: ignore[assignment]
    constraint = _constraint(name, table.get("version"), file)
    if "git" in table:
        ref = table.get("tag") or table.get("branch") or table.get("ref")
        return Declared(name, constraint, GIT, git=table["git"], ref=ref, rel=table.get("rel"))
    if "path" in table:
        return Declared(name, constraint, PATH, path=(file.parent / table["path"]).resolve())
    source = table.get("source")
    if source is not None and "://" not in source:
        if source not in sources:
            known = ", ".join(sorted(sources)) or "none"
            raise LocalError(
                f"{file}: dependencies.{name}.source: no source named {source!r} in [sources] "
                f"(known: {known})"
            )
        source = sources[source]
    return Declared(name, constraint, SUPERMARKET, source=source)


def _constraint(name: str, text: object, file: Path) -> Constraint:
    if text is None:
        return Constraint.any()
    try:
        return Constraint.parse(str(text))
    except ConstraintError as exc:
        raise LocalError(f"{file}: dependencies.{name}.version: {exc}") from exc
