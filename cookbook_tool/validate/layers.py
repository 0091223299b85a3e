"""What ``layers`` and ``runlist`` check: the configured layers, and the recipes they run that
no cookbook of the configuration's repository has (their output is pasted into OpsWorks as it
is)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.cookbook.repository import open_repository
from cookbook_tool.errors import UsageError
from cookbook_tool.findings import Finding
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.layers import check_layers


def layers_config(config_file: Path | None, cwd: Path) -> Config:
    """The configuration (``--config``, else the nearest above ``cwd``), which must have
    layers."""
    config = resolve_config(config_file, None, cwd)
    if config.file is None:
        raise UsageError("no cookbook-tool.toml here or above: run `cookbook-tool new config`")
    if not config.layers:
        raise UsageError(f"{config.file}: no [layers.NAME] tables: add the stack's layers first")
    return config


def missing_recipes(
    config: Config, cwd: Path, layers: Collection[str] | None = None, event: str | None = None
) -> list[Finding]:
    """The recipes these layers run (on ``event``, or on every event) that no cookbook has."""
    loaded = open_repository(config.base_dir or cwd, config)
    events = None if event is None else (event,)
    return list(check_layers(RuleContext.of(loaded), layers, events))
