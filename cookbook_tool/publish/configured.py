"""Named targets from ``cookbook-tool.toml`` (``[targets.NAME]``) as a URL and ``TargetOptions``.

A relative folder target (``out/releases``, ``file://../out``) is relative to the configuration
file's folder. Options given on the command line win over the configured ones.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from cookbook_tool.config.load import Config
from cookbook_tool.errors import LocalError
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.store.folder import folder_path
from cookbook_tool.publish.targets import target_kind

_RENAMED = {"presign": "presign_seconds"}
_PATHS = {"ssh_key", "known_hosts"}
_METADATA = ("metadata.rb", "metadata.json")


def configured_target(
    config: Config, name: str, overrides: dict[str, Any] | None = None
) -> tuple[str, TargetOptions]:
    """The URL and options of target ``name``; ``overrides`` (non-None values) win."""
    target = config.targets[name]
    base = config.base_dir or Path.cwd()
    values: dict[str, Any] = {"retention": config.retention}
    values["author_name"], values["author_email"] = config.author_name, config.author_email
    for key, value in target.options.items():
        field_name = _RENAMED.get(key, key)
        values[field_name] = (base / Path(value).expanduser()) if key in _PATHS else value
    known = {f.name for f in fields(TargetOptions)}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    options = replace(TargetOptions(), **{k: v for k, v in values.items() if k in known})
    return folder_url(target.url, base), options


def folder_url(url: str, base: Path) -> str:
    """Anchor a relative folder target at ``base``; other URLs are returned unchanged. A folder
    target that is ``base`` itself or lies inside a cookbook is refused (``LocalError``): the
    releases would be written into the cookbook sources."""
    if target_kind(url) != "file":
        return url
    path = url.split("://", 1)[1] if "://" in url else url
    if path.startswith("/"):
        _refuse_sources(folder_path(url).resolve(), base, url)
        return url
    resolved = (base / Path(path).expanduser()).resolve()
    _refuse_sources(resolved, base, url)
    return resolved.as_uri()


def _refuse_sources(folder: Path, base: Path, url: str) -> None:
    root = base.resolve()
    if folder == root:
        raise LocalError(
            f"folder target {url!r} is the configuration's folder {root}: releases would be "
            "written among the cookbook sources; use a folder such as out/releases"
        )
    if not folder.is_relative_to(root):
        return
    for parent in (folder, *folder.parents):
        if parent == root:
            return
        if any((parent / name).is_file() for name in _METADATA):
            raise LocalError(
                f"folder target {url!r} lies inside the cookbook {parent}: releases would be "
                "written into its sources; use a folder outside the cookbooks, such as "
                "out/releases"
            )
