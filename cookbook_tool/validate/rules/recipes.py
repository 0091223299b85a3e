"""Rules on recipes: a cookbook has some, ``recipe`` lines name real files, and each literal
``include_recipe`` names a cookbook the metadata depends on and a recipe that exists."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.repository import CookbookFiles, LoadedRepository
from cookbook_tool.findings import Finding, error, warning
from cookbook_tool.text import did_you_mean
from cookbook_tool.validate.rules.dependencies import resolve

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


def check_recipe_files(walked: CookbookFiles) -> Iterator[Finding]:
    cookbook = walked.cookbook
    names = walked.recipe_names()
    if not names:
        has_folder = any(e.relpath == "recipes" and e.ships for e in walked.entries)
        what = "its recipes/ folder holds no recipe" if has_folder else "it has no recipes/ folder"
        yield warning(
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
            yield warning(
                "metadata-recipe-missing",
                f"metadata declares recipe {declared!r} but recipes/{recipe}.rb does not exist "
                "(Chef treats `recipe` lines as documentation; a layer naming it would fail)"
                + did_you_mean(recipe, names),
                metadata.source,
                metadata.lines.get(f"recipes:{declared}"),
                cookbook=cookbook.dirname,
            )


def check_includes(
    walked: CookbookFiles, loaded: LoadedRepository, named: Mapping[str, Sequence[Cookbook]],
    config: Config,
) -> Iterator[Finding]:  # fmt: skip
    cookbook = walked.cookbook
    depends = {d.name for d in cookbook.depends}
    for entry in walked.shipped():
        if not (entry.is_file_like and entry.relpath.startswith("recipes/")
                and entry.relpath.endswith(".rb")):  # fmt: skip
            continue
        try:
            raw = entry.content_path.read_bytes()[:_MAX_RECIPE_BYTES].decode("utf-8", "replace")
        except OSError:
            continue  # reported by the file rules
        text = _code(raw)
        for match in _INCLUDE_RE.finditer(text):
            if _commented(text, match.start()):
                continue
            included = match.group(1) or match.group(2)
            line = text.count("\n", 0, match.start()) + 1
            yield from _check_include(
                included, (entry.path.as_posix(), line), cookbook, depends, loaded, named, config
            )


def _commented(text: str, position: int) -> bool:
    """Whether ``position`` lies after a ``#`` on its line (outside strings, roughly)."""
    line_start = text.rfind("\n", 0, position) + 1
    before = text[line_start:position]
    quotes_closed = before.count("'") % 2 == 0 and before.count('"') % 2 == 0
    return "#" in before.replace("#{", "") and quotes_closed


def _check_include(
    included: str, where: tuple[str, int], cookbook: Cookbook, depends: set[str],
    loaded: LoadedRepository, named: Mapping[str, Sequence[Cookbook]], config: Config,
) -> Iterator[Finding]:  # fmt: skip
    file, line = where
    if included.startswith("::") and config.targets_chef_11:
        yield error(
            "include-recipe-relative",
            f"include_recipe {included!r}: a leading '::' (this cookbook) needs Chef 12.1 or "
            f"later; write '{cookbook.name}{included}' for Chef 11.10",
            file, line, cookbook=cookbook.dirname,
        )  # fmt: skip
        return
    owner, recipe = split_recipe(included, cookbook.name)
    if owner != cookbook.name and owner not in depends:
        yield error(
            "include-recipe-undeclared",
            f"include_recipe {included!r} needs `depends '{owner}'` in {cookbook.name}'s metadata "
            "(Chef 11.10 refuses to load it otherwise)",
            file, line, cookbook=cookbook.dirname,
        )  # fmt: skip
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
        if owner not in named and not config.is_external(owner) and owner not in depends:
            yield error(
                "include-recipe-missing",
                f"include_recipe {included!r}: no cookbook {owner!r} in this repository"
                + did_you_mean(owner, list(named)),
                file, line, cookbook=cookbook.dirname,
            )  # fmt: skip
        return
    recipes = loaded.files_of(target).recipe_names()
    if recipe not in recipes:
        yield error(
            "include-recipe-missing",
            f"include_recipe {included!r}: cookbook {owner!r} has no recipes/{recipe}.rb"
            + did_you_mean(recipe, recipes),
            file, line, cookbook=cookbook.dirname,
        )  # fmt: skip
