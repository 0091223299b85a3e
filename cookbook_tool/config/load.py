"""The project configuration, ``cookbook-tool.toml``, as one frozen value.

Found at the repository root or by walking up from the current folder; ``--config`` overrides.
Checked against the built-in ``cookbook-tool-config`` schema (see ``config_check``); errors name
the key and its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from cookbook_tool.config.mappings import SchemaMapping
from cookbook_tool.config.toml_lines import key_lines
from cookbook_tool.cookbook.discovery import CONFIG_FILE, DEFAULT_COOKBOOK_DIRS
from cookbook_tool.cookbook.opsworks import EXTERNAL_PRESETS
from cookbook_tool.errors import LocalError

# Tables and arrays nested deeper than this are no configuration (the schema's deepest key is 4
# levels down); refused before anything walks them.
MAX_NESTING = 64


class TargetConfig(NamedTuple):
    """One ``[targets.NAME]`` table: its URL and its other options as written (a NamedTuple,
    as ``constraints.Version`` is)."""

    name: str
    url: str
    options: Mapping[str, Any] = MappingProxyType({})


class Config(NamedTuple):
    """Settings from ``cookbook-tool.toml`` (defaults when there is none). A NamedTuple, as
    ``constraints.Version`` is: every command imports it (``config._replace(...)`` makes a
    changed copy)."""

    file: Path | None = None
    bundle_name: str = "cookbooks"
    bundle_version: str | None = None
    version_from: str | None = None  # "git-tag"
    layout: str = "cookbooks"
    archive_format: str = "tar.gz"
    cookbook_dirs: tuple[str, ...] = DEFAULT_COOKBOOK_DIRS
    chef_version: str | None = None
    external_cookbooks: frozenset[str] = frozenset()
    builtin_cookbooks: frozenset[str] = frozenset()  # names from presets: custom ones warn
    schemas: tuple[SchemaMapping, ...] = ()
    targets: Mapping[str, TargetConfig] = MappingProxyType({})
    retention: int = 5
    layers: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType({})
    warn_plaintext_secrets: bool = False
    author_name: str | None = None
    author_email: str | None = None
    lines: Mapping[str, int] = MappingProxyType({})  # dotted key -> line
    # Whether ``file`` has a [sources] or [dependencies] table (None: not known, read the file
    # to know); False spares ``validate`` the reader of those tables.
    declares_dependencies: bool | None = None

    @property
    def base_dir(self) -> Path | None:
        return self.file.parent if self.file else None

    @property
    def targets_chef_11(self) -> bool:
        return self.chef_version is not None and self.chef_version.split(".")[0] == "11"

    def is_external(self, name: str) -> bool:
        return name in self.external_cookbooks or name in self.builtin_cookbooks

    def line_of(self, dotted_key: str) -> int | None:
        return self.lines.get(dotted_key)


def find_config(start: Path) -> Path | None:
    """The nearest ``cookbook-tool.toml`` at or above ``start``."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_FILE
        if path.is_file():
            return path
    return None


def load_config(path: Path) -> Config:
    """Read and check a configuration file. Raises ``LocalError`` naming the key and line."""
    import tomllib  # only when there is a configuration: ~5 ms of a pre-commit run otherwise

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LocalError(f"{path}: cannot read configuration ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LocalError(f"{path}: invalid TOML: {exc}") from exc
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise LocalError(f"{path}: unusable value: {exc}") from exc
    except RecursionError as exc:  # tomllib reads arrays and inline tables recursively
        raise LocalError(_too_deep(path)) from exc
    if _nesting(data) > MAX_NESTING:
        raise LocalError(_too_deep(path))
    lines = key_lines(text)
    from cookbook_tool.config.check import check_config_document

    check_config_document(data, path, lines)
    return _build(data, path, lines)


def _too_deep(path: Path) -> str:
    return (
        f"{path}: arrays or tables nested more than {MAX_NESTING} levels deep: "
        "not a cookbook-tool configuration"
    )


def _nesting(data: dict[str, Any]) -> int:
    """How deep tables and arrays nest in ``data`` (walked without recursion, and no deeper
    than one level past ``MAX_NESTING``)."""
    deepest = 0
    pending: list[tuple[object, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            pending.extend((child, depth + 1) for child in value)
    return deepest


def _build(data: dict[str, Any], path: Path, lines: dict[str, int]) -> Config:
    bundle = data.get("bundle", {})
    presets = data.get("external_presets", [])
    builtin = frozenset().union(*(EXTERNAL_PRESETS[p] for p in presets)) if presets else frozenset()
    publish = data.get("publish", {})
    return Config(
        file=path.resolve(),
        bundle_name=bundle.get("name", "cookbooks"),
        bundle_version=bundle.get("version"),
        version_from=bundle.get("version_from"),
        layout=bundle.get("layout", "cookbooks"),
        archive_format=bundle.get("format", "tar.gz"),
        cookbook_dirs=tuple(data.get("cookbooks_dirs", DEFAULT_COOKBOOK_DIRS)),
        chef_version=_opt_str(data.get("chef_version")),
        external_cookbooks=frozenset(data.get("external_cookbooks", [])),
        builtin_cookbooks=builtin,
        schemas=tuple(
            SchemaMapping(tuple(m["files"]), m["schema"]) for m in data.get("schemas", [])
        ),
        targets={
            name: TargetConfig(name, t["url"], {k: v for k, v in t.items() if k != "url"})
            for name, t in data.get("targets", {}).items()
        },
        retention=data.get("retention", 5),
        layers={
            name: {event: tuple(recipes) for event, recipes in events.items()}
            for name, events in data.get("layers", {}).items()
        },
        warn_plaintext_secrets=bool(data.get("secrets", {}).get("warn_plaintext", False)),
        author_name=publish.get("author_name"),
        author_email=publish.get("author_email"),
        lines=lines,
        declares_dependencies="sources" in data or "dependencies" in data,
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def resolve_config(config_path: Path | None, repo_root: Path | None, cwd: Path) -> Config:
    """The configuration to use: ``--config``, else the repository's, else the nearest above
    ``cwd``, else defaults."""
    if config_path is not None:
        if not config_path.is_file():
            raise LocalError(f"{config_path}: configuration file not found")
        return load_config(config_path)
    for start in (repo_root, cwd):
        if start is not None:
            found = find_config(start)
            if found is not None:
                return load_config(found)
    return Config()
