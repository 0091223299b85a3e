"""The rule on ``[layers]``: every recipe a layer runs exists in the repository's cookbooks (or
in a cookbook declared external)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from cookbook_tool.cookbook.layers import normalize
from cookbook_tool.findings import Finding
from cookbook_tool.text import did_you_mean
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.registry import finding


def check_layers(
    context: RuleContext,
    layers: Collection[str] | None = None,
    events: Collection[str] | None = None,
) -> Iterator[Finding]:
    """Every recipe a layer names exists; only for ``layers`` and ``events`` when given."""
    config = context.config
    file = config.file.as_posix() if config.file else None
    for layer, by_event in config.layers.items():
        if layers is not None and layer not in layers:
            continue
        for event, recipes in by_event.items():
            if events is not None and event not in events:
                continue
            line = config.line_of(f"layers.{layer}.{event}")
            for recipe in recipes:
                problem = _recipe_problem(context, recipe)
                if problem:
                    yield finding(
                        "layer-recipe-missing",
                        f"layer {layer!r} runs {recipe!r} on {event}, but {problem}",
                        file,
                        line,
                    )


def _recipe_problem(context: RuleContext, recipe: str) -> str | None:
    cookbook_name, _, name = normalize(recipe).partition("::")
    cookbooks = context.named.get(cookbook_name)
    if not cookbooks:
        if context.config.is_external(cookbook_name):
            return None
        return f"no cookbook {cookbook_name!r} is in the bundle" + did_you_mean(
            cookbook_name, list(context.named)
        )
    if context.overrides_builtin(cookbooks[0]):
        return None  # merged into the OpsWorks built-in cookbook, whose recipes are not here
    recipes = context.files_of(cookbooks[0]).recipe_names()
    if name in recipes:
        return None
    choices = [f"{cookbook_name}::{r}" for r in recipes]
    return f"{cookbook_name} has no recipes/{name}.rb" + did_you_mean(normalize(recipe), choices)
