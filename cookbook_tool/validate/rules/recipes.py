"""Rules on recipes: a cookbook has some, ``recipe`` lines name real files, and each literal
``include_recipe`` names a cookbook the metadata depends on and a recipe that exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.walk import Entry
from cookbook_tool.findings import Finding
from cookbook_tool.text import did_you_mean
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.dependencies import resolve
from cookbook_tool.validate.rules.registry import finding

# include_recipe 'cb::recipe' / include_recipe("cb") — string literals without interpolation —
# at the start of a statement: a line, or after `then`, `;`, `{`, `do`, `else`, `&&`, `||`.
_INCLUDE_RE = re.compile(
    r"""(?:^|;|\{|\bthen\b|\bdo\b|\belse\b|&&|\|\|)[ \t]*include_recipe[ \t]*\(?[ \t]*"""
    r"""(?:'([^'\\\n]+)'|"([^"\\#\n]+)")""",
    re.MULTILINE,
)
_BLOCK_COMMENT = re.compile(r"^=begin\b.*?^=end\b[^\n]*", re.MULTILINE | re.DOTALL)
_MAX_RECIPE_BYTES = 4 << 20


def split_recipe(name: str, current: str = "") -> tuple[str, str]:
    """``cb::recipe`` -> (cb, recipe); ``cb`` -> (cb, default); ``::recipe`` -> (current, recipe)
    (Chef 12.1+ reads a leading ``::`` as the cookbook the recipe is in)."""
    cookbook, _, recipe = name.partition("::")
    return cookbook or current, recipe or "default"


def _code(text: str) -> str:
    """Recipe source with ``=begin``/``=end`` blocks blanked (line numbers kept)."""
    return _BLOCK_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def check_recipe_files(context: RuleContext, cookbook: Cookbook) -> Iterator[Finding]:
    walked = context.files_of(cookbook)
    names = walked.recipe_names()
    if not names:
        has_folder = any(e.relpath == "recipes" and e.ships for e in walked.entries)
        what = "its recipes/ folder holds no recipe" if has_folder else "it has no recipes/ folder"
        yield finding(
            "recipes-missing",
            f"cookbook {cookbook.name!r} has no recipe ({what}): layers can only run recipes; "
            "add recipes/default.rb unless this is a library-only cookbook",
            cookbook.path,
            cookbook=cookbook.dirname,
        )
    metadata = cookbook.metadata
    if metadata is None:
        return
    for declared in metadata.recipes:
        owner, recipe = split_recipe(declared)
        if owner == cookbook.name and recipe not in names:
            yield finding(
                "metadata-recipe-missing",
                f"metadata declares recipe {declared!r} but recipes/{recipe}.rb does not exist "
                "(Chef treats `recipe` lines as documentation; a layer naming it would fail)"
                + did_you_mean(recipe, names),
                metadata.source,
                metadata.lines.get(f"recipes:{declared}"),
                cookbook=cookbook.dirname,
            )


@dataclass(frozen=True)
class _Include:
    """One literal ``include_recipe`` line of a recipe of ``cookbook``."""

    included: str
    file: str
    line: int
    cookbook: Cookbook
    depends: frozenset[str]


def check_includes(context: RuleContext, cookbook: Cookbook) -> Iterator[Finding]:
    walked = context.files_of(cookbook)
    depends = frozenset(d.name for d in cookbook.depends)
    for entry in walked.shipped():
        if not (entry.is_file_like and entry.relpath.startswith("recipes/")
                and entry.relpath.endswith(".rb")):
            continue
        try:
            raw = _recipe_bytes(entry, walked.content(entry))
        except OSError:
            continue  # reported by the file rules
        text = _code(raw[:_MAX_RECIPE_BYTES].decode("utf-8", "replace"))
        for match in _INCLUDE_RE.finditer(text):
            if _commented(text, match.start()):
                continue
            line = text.count("\n", 0, match.start()) + 1
            include = _Include(
                match.group(1) or match.group(2), entry.path.as_posix(), line, cookbook, depends
            )
            yield from _check_include(context, include)


def _recipe_bytes(entry: Entry, kept: bytes | None) -> bytes:
    """The start of a recipe: its bytes read once for every rule, or (a large file) read
    here."""
    if kept is not None:
        return kept
    with entry.content_path.open("rb") as stream:
        return stream.read(_MAX_RECIPE_BYTES)


def _commented(text: str, position: int) -> bool:
    """Whether ``position`` lies after a ``#`` on its line (outside strings, roughly)."""
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    quotes_closed = before.count("'") % 2 == 0 and before.count('"') % 2 == 0
    return "#" in before.replace("#{", "") and quotes_closed


def _check_include(context: RuleContext, include: _Include) -> Iterator[Finding]:
    included, file, line = include.included, include.file, include.line
    cookbook, depends, named = include.cookbook, include.depends, context.named
    if included.startswith("::") and context.config.targets_chef_11:
        yield finding(
            "include-recipe-relative",
            f"include_recipe {included!r}: a leading '::' (this cookbook) needs Chef 12.1 or "
            f"later; write '{cookbook.name}{included}' for Chef 11.10",
            file, line, cookbook=cookbook.dirname,
        )
        return
    owner, recipe = split_recipe(included, cookbook.name)
    if owner != cookbook.name and owner not in depends:
        yield finding(
            "include-recipe-undeclared",
            f"include_recipe {included!r} needs `depends '{owner}'` in {cookbook.name}'s metadata "
            "(Chef 11.10 refuses to load it otherwise)",
            file, line, cookbook=cookbook.dirname,
        )
    if owner == cookbook.name:
        target: Cookbook | None = cookbook
    else:
        dependency = next((d for d in cookbook.depends if d.name == owner), None)
        candidates = named.get(owner, [])
        if dependency is not None:
            target = resolve(dependency, named)
        else:
            target = candidates[0] if candidates else None
    if target is None:
        if owner not in named and not context.config.is_external(owner) and owner not in depends:
            yield finding(
                "include-recipe-missing",
                f"include_recipe {included!r}: no cookbook {owner!r} in this repository"
                + did_you_mean(owner, list(named)),
                file, line, cookbook=cookbook.dirname,
            )
        return
    recipes = context.files_of(target).recipe_names()
    if recipe not in recipes:
        yield finding(
            "include-recipe-missing",
            f"include_recipe {included!r}: cookbook {owner!r} has no recipes/{recipe}.rb"
            + did_you_mean(recipe, recipes),
            file, line, cookbook=cookbook.dirname,
        )
