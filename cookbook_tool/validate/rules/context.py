"""What every rule is handed: the loaded repository, the configuration, and the cookbooks by
name, built once per run (not once per cookbook or per recipe)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.opsworks import OPSWORKS_CHEF_11_10_COOKBOOKS
from cookbook_tool.cookbook.repository import CookbookFiles, LoadedRepository


class RuleContext:
    """What every rule reads: the loaded repository, the configuration, and the cookbooks
    by name. A plain class, not a dataclass: a dataclass's methods are generated from source
    text when its module is imported (about 1 ms of every run each), and a context is never
    compared, hashed or printed."""

    __slots__ = ("config", "loaded", "named")

    def __init__(self, loaded: LoadedRepository, config: Config,
                 named: Mapping[str, Sequence[Cookbook]]) -> None:
        self.loaded = loaded
        self.config = config
        self.named = named

    @classmethod
    def of(cls, loaded: LoadedRepository) -> RuleContext:
        return cls(loaded, loaded.config, loaded.named)

    @property
    def before_chef_12(self) -> bool:
        """``chef_version`` names a Chef older than 12 (11.10, 11.4, 0.9)."""
        release = chef_release(self.config.chef_version)
        return release is not None and release < (12, 0)

    def files_of(self, cookbook: Cookbook) -> CookbookFiles:
        return self.loaded.files_of(cookbook)

    def reader_rules(self, cookbook: Cookbook) -> frozenset[str]:
        """The rule ids the metadata reader reported for this cookbook's metadata file."""
        metadata = cookbook.metadata
        if metadata is None:
            return frozenset()
        source = metadata.source.as_posix()
        return frozenset(
            f.rule for f in self.loaded.metadata_findings
            if f.cookbook == cookbook.dirname and f.file == source
        )

    def overrides_builtin(self, cookbook: Cookbook) -> bool:
        """An OpsWorks Chef 11.10 override cookbook: a folder without metadata named like a
        built-in cookbook (``deploy/attributes/customize.rb``), in a repository for Chef 11
        (``chef_version`` 11.x or the ``opsworks-chef-11.10`` preset). OpsWorks merges its files
        into the built-in cookbook of that name."""
        name = cookbook.dirname
        if cookbook.metadata is not None or name not in OPSWORKS_CHEF_11_10_COOKBOOKS:
            return False
        return self.config.targets_chef_11 or name in self.config.builtin_cookbooks


def chef_release(chef_version: str | None) -> tuple[int, int] | None:
    """``"11.10"`` -> (11, 10); None when unset or not numeric."""
    if chef_version is None:
        return None
    parts = chef_version.strip().split(".")
    try:
        major = int(parts[0])
        minor = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None
    return major, minor
