"""Turn command-line choices, the configuration and the environment into ``BundleSettings``.

Pure: the CLI passes in the environment value and the paths; nothing here reads them itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from cookbook_tool.archive.tar import DEFAULT_MTIME
from cookbook_tool.bundle.build import ArchiveFormat, BundleSettings, Layout
from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.constraints import is_valid_version
from cookbook_tool.errors import UsageError

DEFAULT_OUTPUT = "out"  # relative to the repository root
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_LAYOUTS: tuple[Layout, ...] = ("cookbooks", "flat")
_FORMATS: tuple[ArchiveFormat, ...] = ("tar.gz", "zip")
T = TypeVar("T", bound=str)


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
) -> BundleSettings:
    """Options win over the configuration's ``[bundle]`` table, which wins over defaults."""
    chosen_name = name or config.bundle_name or "cookbooks"
    chosen_version = version or config.bundle_version
    if not chosen_version:
        raise UsageError(
            "no bundle version: pass --version, or set version in the [bundle] table of "
            "cookbook-tool.toml"
        )
    if not is_valid_version(chosen_version):
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
        output_dir=(output if output is not None else root / DEFAULT_OUTPUT).absolute(),
        name=chosen_name,
        version=chosen_version,
        layout=_choice("layout", layout or config.layout, _LAYOUTS),
        archive_format=_choice("archive format", archive_format or config.archive_format, _FORMATS),
        cookbooks=tuple(dict.fromkeys(cookbooks)),
        external=tuple(sorted(config.external_cookbooks | config.builtin_cookbooks)),
        mtime=parse_source_date_epoch(source_date_epoch),
    )


def parse_source_date_epoch(value: str | None) -> int:
    """The archive timestamp: ``SOURCE_DATE_EPOCH`` when set, else 1980-01-01."""
    if value is None or value.strip() == "":
        return DEFAULT_MTIME
    try:
        seconds = int(value.strip())
    except ValueError:
        raise UsageError(
            f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970"
        ) from None
    if not 0 <= seconds < 8**11:
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is out of range for a tar header")
    return seconds


def _choice(label: str, value: str, allowed: tuple[T, ...]) -> T:
    for option in allowed:
        if value == option:
            return option
    raise UsageError(f"unknown {label} {value!r} (choose {' or '.join(allowed)})")
