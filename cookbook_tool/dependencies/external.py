"""Cookbooks the consumer provides, given on the command line (``--external NAME``,
``--external-preset NAME``) on top of the configuration's ``external_cookbooks`` and
``external_presets``."""

from __future__ import annotations

from collections.abc import Collection

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.opsworks import EXTERNAL_PRESETS
from cookbook_tool.errors import UsageError
from cookbook_tool.text import did_you_mean

# Said by every message about a dependency that is nowhere: how to declare it external.
HOW_TO_DECLARE = (
    "declare it external (`external_cookbooks` / `external_presets` in cookbook-tool.toml, or "
    "--external NAME / --external-preset NAME), or vendor it (`[dependencies]` in "
    "cookbook-tool.toml, then `cookbook-tool lock`)"
)


def with_external(config: Config, names: Collection[str], presets: Collection[str]) -> Config:
    """``config`` with ``names`` and the cookbooks of ``presets`` external as well
    (``UsageError`` for an unknown preset)."""
    if not names and not presets:
        return config
    known = sorted(EXTERNAL_PRESETS)
    for preset in presets:
        if preset not in EXTERNAL_PRESETS:
            raise UsageError(
                f"--external-preset {preset}: unknown preset{did_you_mean(preset, known)} "
                f"(known: {', '.join(known)})"
            )
    builtin = frozenset().union(*(EXTERNAL_PRESETS[p] for p in presets))
    return config._replace(
        external_cookbooks=config.external_cookbooks | frozenset(names),
        builtin_cookbooks=config.builtin_cookbooks | builtin,
    )
