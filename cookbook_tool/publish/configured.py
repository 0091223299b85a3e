"""A target as the user names it (``--to``: a configured target name, a URL or a folder) resolved
to a URL and ``TargetOptions``.

Named targets come from ``cookbook-tool.toml`` (``[targets.NAME]``). A relative folder target
(``out/releases``, ``file://../out``) is relative to the configuration file's folder. Options
given on the command line win over the configured ones. The caller passes the current folder
and the environment (``TargetRequest``): this module reads neither by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.config.target_kinds import path_keys, renamed_keys, target_kind
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.store.folder import folder_path
from cookbook_tool.text import did_you_mean

_METADATA = ("metadata.rb", "metadata.json")


@dataclass(frozen=True)
class TargetRequest:
    """``--to`` and the target options as given (``TargetOptions`` field -> value, None when
    not given), with the folder and the environment they are resolved in."""

    to: str
    values: Mapping[str, Any]
    cwd: Path
    environ: Mapping[str, str]


def resolve_target(
    request: TargetRequest, config: Config | None = None
) -> tuple[str, TargetOptions]:
    """A configured target name (``[targets.NAME]``) or a URL/path, with its options.
    ``config``: the project's configuration when the caller has loaded it; else the nearest
    ``cookbook-tool.toml`` at or above ``request.cwd`` is loaded, only for a bare word.

    A bare word that names no configured target is a usage error (a folder is ``./x``, an
    absolute path or ``file://``), so that a typo never publishes to a new folder."""
    to = request.to
    if is_bare_word(to):
        config = config or resolve_config(None, None, request.cwd)
        if config is not None and to in config.targets:
            return configured_target(
                config, to, request.values, cwd=request.cwd, environ=request.environ
            )
        if not (request.cwd / to).is_dir():
            raise UsageError(unknown_target_message(to, config))
    given = {k: v for k, v in request.values.items() if v is not None}
    return _anchored(to, request), TargetOptions(**given, environ=request.environ)


def _anchored(to: str, request: TargetRequest) -> str:
    """A folder target given as a relative path, anchored at the request's folder (``~`` is
    the request's ``HOME``); any other target unchanged (a wrong one is refused when used)."""
    try:
        if "://" in to or target_kind(to) != "file":
            return to
    except UsageError:
        return to
    if to.startswith("~") and not (to == "~" or to.startswith("~/")):
        return to  # ~user/...: another user's home, as the folder store expands it
    return str(request.cwd / _expand_home(to, request.environ))


def is_bare_word(to: str) -> bool:
    """``local``, ``prod``: no ``/``, no scheme, not ``.x``/``~x``, no ``user@host:``."""
    return not (
        "/" in to or "\\" in to or "://" in to or ":" in to or "@" in to
        or to.startswith((".", "~"))
    )


def unknown_target_message(to: str, config: Config | None) -> str:
    names = sorted(config.targets) if config else []
    known = (
        f"configured targets: {', '.join(names)}{did_you_mean(to, names)}"
        if names
        else "no targets are configured in cookbook-tool.toml"
    )
    return (
        f"--to {to}: not a configured target ({known}); for a folder write ./{to}, an "
        "absolute path or file://"
    )


def configured_target(
    config: Config,
    name: str,
    overrides: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, TargetOptions]:
    """The URL and options of target ``name``; ``overrides`` (non-None values) win. Relative
    paths are relative to the configuration's folder (``cwd`` for a configuration without a
    file); ``environ`` is the environment the publisher runs with (``~`` in paths is its
    ``HOME``)."""
    base = config.base_dir or cwd
    if base is None:
        raise ValueError("a configuration without a file needs the current folder")
    env = environ or {}
    target = config.targets[name]
    values: dict[str, Any] = {"retention": config.retention, "environ": env}
    values["author_name"], values["author_email"] = config.author_name, config.author_email
    renamed, paths = renamed_keys(), path_keys()
    for key, value in target.options.items():
        values[renamed.get(key, key)] = base / _expand_home(value, env) if key in paths else value
    known = {f.name for f in fields(TargetOptions)}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    options = replace(TargetOptions(), **{k: v for k, v in values.items() if k in known})
    return folder_url(target.url, base, env), options


def _expand_home(text: str, environ: Mapping[str, str]) -> Path:
    """``~`` or ``~/x`` with the ``HOME`` of ``environ`` (left as is without one)."""
    home = environ.get("HOME")
    if home and (text == "~" or text.startswith("~/")):
        return Path(home + text[1:])
    return Path(text)


def folder_url(url: str, base: Path, environ: Mapping[str, str] | None = None) -> str:
    """Anchor a relative folder target at ``base``; other URLs are returned unchanged. A folder
    target that is ``base`` itself or lies inside a cookbook is refused (``LocalError``): the
    releases would be written into the cookbook sources."""
    if target_kind(url) != "file":
        return url
    path = url.split("://", 1)[1] if "://" in url else url
    if path.startswith("/"):
        _refuse_sources(folder_path(url).resolve(), base, url)
        return url
    resolved = (base / _expand_home(path, environ or {})).resolve()
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

