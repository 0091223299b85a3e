"""Turn command-line choices, the configuration and the environment into ``BundleSettings``,
and open the repository a bundle is made from (``prepare_bundle``).

The CLI passes in the environment value, the current folder and the paths; nothing here reads
them itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from cookbook_tool.archive.tar import DEFAULT_MTIME
from cookbook_tool.bundle.build import (
    ArchiveFormat,
    BundleSettings,
    BundleSource,
    Layout,
    open_for_bundle,
)
from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.config.source_date import source_date_epoch
from cookbook_tool.cookbook.constraints import is_valid_version
from cookbook_tool.cookbook.discovery import find_repository_root, outermost_cookbook
from cookbook_tool.cookbook.repository import LoadedRepository, open_repository
from cookbook_tool.dependencies.cache import Cache
from cookbook_tool.dependencies.external import with_external
from cookbook_tool.dependencies.lockfile import LockedCookbook, lock_path, read_lock
from cookbook_tool.dependencies.sources import NO_CREDENTIALS, Credentials
from cookbook_tool.dependencies.vendor import Fetcher
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.metadata.read import read_metadata
from cookbook_tool.validate.parallel import shared_map

DEFAULT_OUTPUT = "out"  # relative to the repository root
UNVERSIONED = "VERSION"  # the version --explain shows when none is given (it writes nothing)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_LAYOUTS: tuple[Layout, ...] = ("cookbooks", "flat")
_FORMATS: tuple[ArchiveFormat, ...] = ("tar.gz", "zip")
T = TypeVar("T", bound=str)


@dataclass(frozen=True)
class BundleRequest:
    """What the ``bundle`` command was asked, as given (paths relative to ``cwd``)."""

    path: Path  # the repository, or a cookbook (then that cookbook and its dependencies)
    cwd: Path
    cookbooks: tuple[str, ...] = ()
    output: Path | None = None
    name: str | None = None
    version: str | None = None
    layout: str | None = None
    archive_format: str | None = None
    config_file: Path | None = None
    source_date_epoch: str | None = None  # the environment's SOURCE_DATE_EPOCH
    external: tuple[str, ...] = ()  # --external
    external_presets: tuple[str, ...] = ()  # --external-preset
    explain: bool = False  # nothing is written: no version needed
    cache_dir: Path | None = None  # the download cache of locked cookbooks
    offline: bool = False  # only the cache
    credentials: Credentials = NO_CREDENTIALS


def prepare_bundle(request: BundleRequest) -> BundleSource:
    """Find the repository, read its configuration, decide the settings and load the
    repository once (with the output folder left out); a cookbook named as the path is added
    to the requested cookbooks; the lock's cookbooks they need are vendored."""
    folder = _folder(request.path, request.cwd)
    root = find_repository_root(folder)
    cookbook = outermost_cookbook(folder)
    if cookbook is None:
        root = folder
    config = resolve_config(request.config_file, root, request.cwd)
    config = with_external(config, request.external, request.external_presets)
    settings = bundle_settings(
        root, config, cookbooks=request.cookbooks,
        output=None if request.output is None else request.cwd / request.output,
        name=request.name, version=request.version, layout=request.layout,
        archive_format=request.archive_format, source_date_epoch=request.source_date_epoch,
        require_version=not request.explain,
    )
    # The writer streams from disk beside the validation thread: the rules free what they read.
    loaded = open_repository(
        root, config, (settings.output_dir,), rules_read_last=True, mapper=shared_map
    )
    if request.output is not None:
        refuse_shipped_output(settings.output_dir, loaded, root)
    if cookbook is not None and cookbook != root:
        named = (*settings.cookbooks, _cookbook_name(loaded, cookbook))
        settings = replace(settings, cookbooks=tuple(dict.fromkeys(named)))
    locked, fetcher = locked_cookbooks(
        root, config, request.cache_dir, request.credentials, request.offline
    )
    return open_for_bundle(loaded, settings, locked, fetcher)


def locked_cookbooks(
    root: Path, config: Config, cache_dir: Path | None,
    credentials: Credentials = NO_CREDENTIALS, offline: bool = False,
) -> tuple[list[LockedCookbook], Fetcher | None]:
    """The cookbooks of the repository's ``cookbook-tool.lock`` (none without one) and how to
    get them: the cache at ``cache_dir``, else their sources (never with ``offline``)."""
    lock = read_lock(lock_path(root))
    locked = list(lock.cookbooks.values()) if lock is not None else []
    if not locked or cache_dir is None:
        return locked, None
    return locked, Fetcher(Cache(cache_dir), config.base_dir or root, credentials, offline)


def refuse_shipped_output(output_dir: Path, loaded: LoadedRepository, root: Path) -> None:
    """``UsageError`` when the output folder lies inside a cookbook folder: the next bundle
    (with another ``-o``, or none) would ship the archives written there."""
    if output_dir == output_folder(root, None):
        return  # the default: every bundle leaves it out
    resolved = output_dir.resolve()
    for cookbook in loaded.cookbooks:
        folder = cookbook.path.resolve()
        if resolved == folder or resolved.is_relative_to(folder):
            raise UsageError(
                f"{output_dir}: the output folder is inside cookbook {cookbook.name!r} "
                f"({folder}): the next bundle would ship the archives written there; choose a "
                f"folder outside every cookbook (default: {output_folder(root, None)})"
            )


def _folder(given: Path, cwd: Path) -> Path:
    """The repository folder, checked before anything else is asked of it."""
    path = cwd / given
    if not path.exists():
        raise LocalError(f"{given}: no such folder")
    if not path.is_dir():
        raise LocalError(f"{given}: not a folder (give the cookbook repository or one cookbook)")
    return path.resolve()


def _cookbook_name(loaded: LoadedRepository, folder: Path) -> str:
    """The metadata name of the cookbook at ``folder`` (read when the repository was loaded)."""
    cookbook = loaded.cookbook_at(folder)
    metadata = cookbook.metadata if cookbook is not None else read_metadata(folder)[0]
    return metadata.name if metadata and metadata.name else folder.name


def bundle_settings(
    root: Path,
    config: Config,
    *,
    cookbooks: Sequence[str] = (),
    output: Path | None = None,
    name: str | None = None,
    version: str | None = None,
    layout: str | None = None,
    archive_format: str | None = None,
    source_date_epoch: str | None = None,
    require_version: bool = True,
) -> BundleSettings:
    """Options win over the configuration's ``[bundle]`` table, which wins over defaults.
    Without ``require_version`` (``--explain``), a missing version reads ``VERSION``."""
    chosen_name = name or config.bundle_name or "cookbooks"
    chosen_version = version or config.bundle_version
    placeholder = not chosen_version and not require_version
    if placeholder:
        chosen_version = UNVERSIONED
    elif not chosen_version:
        raise UsageError(
            "no bundle version: pass --version, or set version in the [bundle] table of "
            "cookbook-tool.toml"
        )
    if not placeholder and not is_valid_version(chosen_version):
        raise UsageError(
            f"bundle version {chosen_version!r} is not a version: use X.Y or X.Y.Z with integers "
            "(e.g. 1.4.0)"
        )
    for label, value in (("name", chosen_name), ("version", chosen_version)):
        if not _SAFE_NAME.fullmatch(value):
            raise UsageError(
                f"bundle {label} {value!r} cannot be part of a file name: use letters, digits "
                "and . _ + -"
            )
    return BundleSettings(
        output_dir=output_folder(root, output),
        name=chosen_name,
        version=chosen_version,
        layout=_choice("layout", layout or config.layout, _LAYOUTS),
        archive_format=_choice("archive format", archive_format or config.archive_format, _FORMATS),
        cookbooks=tuple(dict.fromkeys(cookbooks)),
        external=tuple(sorted(config.external_cookbooks | config.builtin_cookbooks)),
        mtime=parse_source_date_epoch(source_date_epoch),
    )


def output_folder(root: Path, output: Path | None) -> Path:
    """Where the archive goes: ``output``, else ``out/`` of the repository."""
    return (output if output is not None else root / DEFAULT_OUTPUT).absolute()


def parse_source_date_epoch(value: str | None) -> int:
    """The archive timestamp: ``SOURCE_DATE_EPOCH`` when set, else 1980-01-01."""
    seconds = source_date_epoch(value)
    return DEFAULT_MTIME if seconds is None else seconds


def _choice(label: str, value: str, allowed: tuple[T, ...]) -> T:
    for option in allowed:
        if value == option:
            return option
    raise UsageError(f"unknown {label} {value!r} (choose {' or '.join(allowed)})")
