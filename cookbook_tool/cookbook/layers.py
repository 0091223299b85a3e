"""Layers and lifecycle events: what each layer runs, and what an instance runs (the rule
that the recipes exist is ``validate/rules/layers.py``).

A stack has layers; each layer runs custom recipes on the five lifecycle events. An instance
that belongs to several layers runs the recipes of each, in order, each recipe once (as Chef
expands a run list: ``cb`` and ``cb::default`` are the same recipe).
"""

from __future__ import annotations

from collections.abc import Sequence

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.opsworks import LIFECYCLE_EVENTS
from cookbook_tool.errors import UsageError
from cookbook_tool.text import did_you_mean


def normalize(recipe: str) -> str:
    """``cb`` -> ``cb::default``; ``cb::r`` unchanged."""
    return recipe if "::" in recipe else f"{recipe}::default"


def custom_recipes(config: Config) -> dict[str, dict[str, list[str]]]:
    """Per layer, the ``CustomRecipes`` object of ``aws opsworks update-layer``."""
    return {
        layer: {event.capitalize(): list(events.get(event, ())) for event in LIFECYCLE_EVENTS}
        for layer, events in config.layers.items()
    }


def run_list(config: Config, layers: Sequence[str], event: str) -> list[str]:
    """The recipes an instance in ``layers`` runs on ``event``: layer by layer, first occurrence
    of each recipe kept."""
    if event not in LIFECYCLE_EVENTS:
        raise UsageError(f"unknown event {event!r}: use one of {', '.join(LIFECYCLE_EVENTS)}")
    unknown = [layer for layer in layers if layer not in config.layers]
    if unknown:
        known = ", ".join(config.layers) or "none configured"
        hint = did_you_mean(unknown[0], list(config.layers))
        raise UsageError(f"unknown layer {unknown[0]!r}{hint} (layers: {known})")
    seen: set[str] = set()
    ordered: list[str] = []
    for layer in layers:
        for recipe in config.layers[layer].get(event, ()):
            key = normalize(recipe)
            if key not in seen:
                seen.add(key)
                ordered.append(recipe)
    return ordered


def ssm_run_list(recipes: Sequence[str]) -> str:
    """The ``RunList`` parameter of ``AWS-ApplyChefRecipes``: ``recipe[a::b],recipe[c]``."""
    return ",".join(f"recipe[{r}]" for r in recipes)
