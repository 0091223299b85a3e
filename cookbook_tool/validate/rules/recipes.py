"""Rules on recipes: a cookbook has some, ``recipe`` lines name real files, and each literal
``include_recipe`` names a cookbook the metadata depends on and a recipe that exists."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import AnyStr

from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.repository import RECIPE_SINCE
from cookbook_tool.cookbook.walk import Entry
from cookbook_tool.dependencies.external import HOW_TO_DECLARE
from cookbook_tool.findings import Finding
from cookbook_tool.text import did_you_mean
from cookbook_tool.validate.rules.context import RuleContext, chef_release
from cookbook_tool.validate.rules.dependencies import resolve
from cookbook_tool.validate.rules.registry import finding

# include_recipe 'cb::recipe' / include_recipe("cb") — string literals without interpolation —
# at the start of a statement: a line, or after `then`, `;`, `{`, `do`, `else`, `&&`, `||`.
# The scan finds the literal ``include_recipe`` first (a substring search, far faster than a
# pattern that starts with an alternation, tried at every character), matches the call there,
# then looks back for the statement start (``_statement_start``).
_INCLUDE_NAME = "include_recipe"
_INCLUDE_BYTES = _INCLUDE_NAME.encode()
_INCLUDE_CALL = re.compile(
    r"""include_recipe[ \t]*\(?[ \t]*(?:'([^'\\\n]+)'|"([^"\\#\n]+)")"""
)
_INCLUDE_CALL_BYTES = re.compile(_INCLUDE_CALL.pattern.encode())
_STATEMENT_WORDS = ("then", "do", "else")
_BLOCK_COMMENT = re.compile(r"^=begin\b.*?^=end\b[^\n]*", re.MULTILINE | re.DOTALL)
_MAX_RECIPE_BYTES = 4 << 20


def split_recipe(name: str, current: str = "") -> tuple[str, str]:
    """``cb::recipe`` -> (cb, recipe); ``cb`` -> (cb, default); ``::recipe`` -> (current, recipe)
    (Chef 12.1+ reads a leading ``::`` as the cookbook the recipe is in)."""
    cookbook, _, recipe = name.partition("::")
    return cookbook or current, recipe or "default"


def _code(text: str) -> str:
    """Recipe source with ``=begin``/``=end`` blocks blanked (line numbers kept)."""
    if "=begin" not in text:
        return text
    return _BLOCK_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def include_lines(text: str) -> Iterator[tuple[str, int]]:
    """(included name, line) of each literal ``include_recipe`` of recipe source ``text`` that
    starts a statement and is not commented out."""
    code = _code(text)
    lines = _Lines(code)
    for name, offset in _calls(code, _INCLUDE_CALL, _same):
        yield name, lines.at(offset)


def include_lines_of(data: bytes) -> Iterator[tuple[str, int]]:
    """``include_lines`` of a recipe's bytes (UTF-8, undecodable bytes replaced)."""
    source, calls = _include_calls(data)
    lines = _Lines(source)
    for name, offset in calls:
        yield _text(name), lines.at(offset)


def _include_calls(data: bytes) -> tuple[str | bytes, Iterator[tuple[str | bytes, int]]]:
    """The source the offsets are in, and (name, offset) of each include call of a recipe's
    bytes. The scan runs on the bytes (no decoding of the file; names stay bytes, callers
    decode the few distinct ones, and count lines only for calls with a finding); a file with a
    ``=begin`` block is decoded whole (rare; ``\\b`` differs between bytes and text)."""
    if b"=begin" in data:
        code = _code(data.decode("utf-8", "replace"))
        return code, _calls(code, _INCLUDE_CALL, _same)
    return data, _calls(data, _INCLUDE_CALL_BYTES, _text)


def _same(text: str) -> str:
    return text


def _text(name: str | bytes) -> str:
    return name if isinstance(name, str) else name.decode("utf-8", "replace")


def _calls(
    source: AnyStr, call: re.Pattern[AnyStr], decoded: Callable[[AnyStr], str]
) -> Iterator[tuple[AnyStr, int]]:
    """(name, offset) of each call in ``source`` that starts a statement and is not commented
    out. After a call that does not start a statement the scan goes on right after its first
    character (a call may begin inside it: ``foo include_recipe 'x; include_recipe "y"'``)."""
    newline, blanks = ("\n", " \t") if isinstance(source, str) else (b"\n", b" \t")
    position = 0
    while True:
        for match in call.finditer(source, position):
            found = match.start()
            ahead = source[source.rfind(newline, 0, found) + 1 : found]
            if ahead.strip(blanks):
                before = decoded(ahead)  # code before the call on its line: a statement start?
                start = _statement_start(before)
                if start is None:
                    position = found + 1
                    break
                if _commented(before[:start]):
                    continue
            yield match.group(1) or match.group(2), found
        else:
            return


class _Lines:
    """Line numbers of increasing offsets into one source, counted as far as asked."""

    def __init__(self, source: str | bytes) -> None:
        self._source = source
        self._newline: str | bytes = "\n" if isinstance(source, str) else b"\n"
        self._offset = 0
        self._line = 1

    def at(self, offset: int) -> int:
        self._line += self._source.count(self._newline, self._offset, offset)  # type: ignore[arg-type]
        self._offset = offset
        return self._line


def _statement_start(before: str) -> int | None:
    """Where, in the text ``before`` an ``include_recipe`` on its line (not only blanks), the
    statement that the call starts begins: at the ``;``, ``{``, ``&&``, ``||``, ``then``,
    ``do`` or ``else`` just before it; None when the call does not start a statement
    (``foo include_recipe 'x'``)."""
    stripped = before.rstrip(" \t")
    end = len(stripped)
    if stripped[-1] in ";{":
        return end - 1
    if stripped.endswith(("&&", "||")):
        return end - 2
    if end == len(before):
        return None  # a word right before the call: `theninclude_recipe` is one word
    for word in _STATEMENT_WORDS:
        if stripped.endswith(word):
            ahead = end - len(word) - 1
            if ahead < 0 or not _word_character(stripped[ahead]):
                return end - len(word)
    return None


def _word_character(character: str) -> bool:
    """What ``\\w`` matches in a ``str`` pattern (a regex word boundary's test)."""
    return character.isalnum() or character == "_"


def _commented(before: str) -> bool:
    """Whether a ``#`` in ``before`` (the line up to a statement) starts a comment (outside
    strings, roughly)."""
    quotes_closed = before.count("'") % 2 == 0 and before.count('"') % 2 == 0
    return "#" in before.replace("#{", "") and quotes_closed


def check_recipe_files(context: RuleContext, cookbook: Cookbook) -> Iterator[Finding]:
    walked = context.files_of(cookbook)
    names = walked.recipe_names()
    if not names and not context.overrides_builtin(cookbook):
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
    """A name a recipe of ``cookbook`` includes (its verdict holds for every call of it: each
    finding gets the file and line of the call it is reported at)."""

    included: str
    file: str
    cookbook: Cookbook
    depends: frozenset[str]


def is_recipe_source(relpath: str) -> bool:
    """A Ruby file under ``recipes/``: where ``include_recipe`` lines are looked for."""
    return relpath.startswith("recipes/") and relpath.endswith(".rb")


class IncludeCheck:
    """The ``include_recipe`` findings of one cookbook's recipes, one file at a time (the files
    come from the pass over the cookbook's bytes, ``rules/contents.py``). Every include of the
    same name gets the same verdict, so each name is checked once per cookbook."""

    def __init__(self, context: RuleContext, cookbook: Cookbook) -> None:
        self.context = context
        self.cookbook = cookbook
        self.depends = frozenset(d.name for d in cookbook.depends)
        self.verdicts: dict[str | bytes, tuple[Finding, ...]] = {}  # by the name as found

    def file(self, entry: Entry, kept: bytes | None) -> Iterator[Finding]:
        """The findings of the recipe ``entry``, whose bytes are ``kept`` (None: a large
        file, whose start is read here)."""
        try:
            raw = _recipe_bytes(entry, kept)[:_MAX_RECIPE_BYTES]
        except OSError:
            return  # reported by the secret scan
        if _INCLUDE_BYTES not in raw:  # most files: no decoding, no pattern
            return
        file = entry.posix
        source, calls = _include_calls(raw)
        lines = _Lines(source)
        for name, offset in calls:
            verdict = self.verdicts.get(name)
            if verdict is None:  # what an include of this name gets, wherever it is
                include = _Include(_text(name), file, self.cookbook, self.depends)
                verdict = self.verdicts[name] = tuple(_check_include(self.context, include))
            if verdict:  # the findings, at this call's line
                line = lines.at(offset)
                yield from (replace(f, file=file, line=line) for f in verdict)


def _recipe_bytes(entry: Entry, kept: bytes | None) -> bytes:
    """The start of a recipe: its bytes read once for every rule, or (a large file) read
    here."""
    if kept is not None:
        return kept
    with entry.content_path.open("rb") as stream:
        return stream.read(_MAX_RECIPE_BYTES)


def _check_include(context: RuleContext, include: _Include) -> Iterator[Finding]:
    included, file, line = include.included, include.file, None
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
        yield _undeclared(context, include, owner)
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
                f"{did_you_mean(owner, list(named))}: add it (and `depends {owner!r}`), or "
                f"{HOW_TO_DECLARE}",
                file, line, cookbook=cookbook.dirname,
            )
        return
    if context.overrides_builtin(target):
        return  # merged into the built-in cookbook, whose recipes are not in this repository
    recipes = context.loaded.recipe_files_of(target)
    if recipe not in recipes:
        yield finding(
            "include-recipe-missing",
            f"include_recipe {included!r}: cookbook {owner!r} has no recipes/{recipe}.rb"
            + did_you_mean(recipe, sorted(recipes)),
            file, line, cookbook=cookbook.dirname,
        )
        return
    yield from _too_new(context, include, owner, f"recipes/{recipe}{recipes[recipe]}")


def _undeclared(context: RuleContext, include: _Include, owner: str) -> Finding:
    """``include_recipe`` of a cookbook the metadata does not depend on. Chef (11 and later)
    loads every cookbook of the run list's dependency closure and includes a recipe of any of
    them, logging a MissingCookbookDependency warning when the cookbook is not reachable; a
    cookbook outside the closure is not loaded at all (CookbookNotFound)."""
    cookbook, included = include.cookbook, include.included

    def undeclared(message: str, relaxed: bool = False) -> Finding:
        return finding("include-recipe-undeclared", message, include.file, None,
                       cookbook=cookbook.dirname, relaxed=relaxed)

    advice = f"add `depends '{owner}'` to {cookbook.name}'s metadata"
    chain = dependency_chain(context.named, cookbook, owner)
    if chain is not None:
        return undeclared(
            f"include_recipe {included!r}: {owner!r} is not a direct dependency, but Chef loads "
            f"it through {' -> '.join(chain)} and runs the recipe; it breaks when that chain "
            f"changes: {advice}",
            relaxed=True,
        )
    config = context.config
    release = chef_release(config.chef_version)
    if release is not None and release < (11, 0):
        return undeclared(
            f"include_recipe {included!r}: chef_version = \"{config.chef_version}\": Chef before "
            "11 loads every cookbook of its cookbook path, so the include works, but Chef 11 "
            f"and later load only the run list's dependency closure: {advice}",
            relaxed=True,
        )
    if owner in config.builtin_cookbooks:
        return undeclared(
            f"include_recipe {included!r}: {owner!r} is an OpsWorks built-in cookbook; OpsWorks "
            "Chef 11.10 runs built-in and custom recipes in one Chef run, so it is loaded when "
            "a built-in recipe of the run list depends on it (not known here): "
            f"{advice} (Chef 11.10 stacks require it)",
            relaxed=True,
        )
    return undeclared(
        f"include_recipe {included!r}: {owner!r} is not among {cookbook.name}'s dependencies, "
        "direct or indirect: unless another cookbook of the run list depends on it, Chef (11 and "
        "later) does not load it and the run fails with CookbookNotFound; " + advice
    )


def dependency_chain(
    named: Mapping[str, Sequence[Cookbook]], start: Cookbook, wanted: str
) -> list[str] | None:
    """The shortest ``depends`` chain from ``start`` to the cookbook named ``wanted`` through
    the cookbooks of the repository (``[a, b, c]``), or None when ``wanted`` is not in
    ``start``'s dependency closure."""
    previous: dict[str, str] = {start.name: ""}
    queue = [start.name]
    while queue:
        name = queue.pop(0)
        members = [start] if name == start.name else named.get(name, ())
        for depended in sorted({d.name for c in members for d in c.depends}):
            if depended in previous:
                continue
            previous[depended] = name
            if depended == wanted:
                chain = [wanted]
                while previous[chain[-1]]:
                    chain.append(previous[chain[-1]])
                return chain[::-1]
            queue.append(depended)
    return None


def _too_new(
    context: RuleContext, include: _Include, owner: str, relpath: str
) -> Iterator[Finding]:
    """A YAML or JSON recipe included for a ``chef_version`` that does not load that kind."""
    extension = relpath[relpath.rindex("."):]
    since = RECIPE_SINCE[extension]
    release = chef_release(context.config.chef_version)
    if release is None or release >= since:
        return
    kind = "JSON" if extension == ".json" else "YAML"
    yield finding(
        "include-recipe-missing",
        f"include_recipe {include.included!r}: {owner}'s {relpath} is a {kind} recipe, which "
        f"Chef loads since {since[0]}.{since[1]}; chef_version = "
        f'"{context.config.chef_version}" does not: write it in Ruby (recipes/'
        f"{relpath[len('recipes/'):-len(extension)]}.rb)",
        include.file, None, cookbook=include.cookbook.dirname,
    )

