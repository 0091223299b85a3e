"""Rules on the files a cookbook ships: layout typos, templates, links, special files.

Templates: Chef's ``template`` resource looks its ``source`` up under ``templates/`` of the
cookbook (``templates/<host>/``, ``<platform>-<version>/``, ``<platform>/``, ``default/``, and
``templates/`` itself since Chef 12), or of the cookbook its ``cookbook 'x'`` names; with
``local true`` the source is a path on the node. An ``.erb`` file elsewhere is often legitimate
(``files/`` ships it verbatim for ``cookbook_file``, tests keep fixtures): it is reported only
when a ``template`` block of the cookbook names it as its ``source`` and no file under
``templates/`` has that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from cookbook_tool.cookbook.model import STANDARD_FOLDERS, Cookbook
from cookbook_tool.cookbook.repository import CookbookFiles
from cookbook_tool.findings import Finding
from cookbook_tool.text import closest
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.registry import finding

_PROBLEM_RULES = {
    "symlink points outside the cookbook": "symlink-escape",
    "broken symlink": "symlink-broken",
    "symlink loop": "symlink-loop",
    "file name is not valid UTF-8": "filename-not-utf8",
}
_CODE_FOLDERS = ("recipes/", "resources/", "providers/", "libraries/", "definitions/")
_TEMPLATE_START = re.compile(r"^([ \t]*)template\b", re.MULTILINE)
_SOURCE = re.compile(r"""\bsource[ \t]*\(?[ \t]*(?:'([^'\\\n]+)'|"([^"\\#\n]+)")""")
_ELSEWHERE = re.compile(r"""\blocal[ \t]*\(?[ \t]*true\b|\bcookbook[ \t]*\(?[ \t]*['"]""")
_MAX_CODE_BYTES = 1 << 20


class _Source(NamedTuple):
    """A literal ``source`` of a ``template`` block that Chef looks up in this cookbook."""

    name: str
    file: str
    line: int


def check_files(context: RuleContext, of: Cookbook) -> Iterator[Finding]:
    walked = context.files_of(of)
    cookbook = of.dirname
    ignore = walked.chefignore
    for line, glob, why in ignore.invalid:
        yield finding(
            "chefignore-invalid-pattern",
            f"pattern {glob!r} is not a valid glob ({why}): it ignores nothing, so the files it "
            "was meant to leave out would ship; fix or remove the line",
            ignore.file,
            line,
            cookbook=cookbook,
        )
    sources: dict[str, _Source] | None = None
    for entry in walked.entries:
        if entry.excluded is not None:
            continue
        file = entry.posix
        if entry.problem is not None:
            rule = _PROBLEM_RULES.get(entry.problem, "special-file")
            yield finding(
                rule,
                f"{entry.relpath}: {entry.problem}: it cannot be bundled; replace it with a "
                "regular file or add it to chefignore",
                file,
                cookbook=cookbook,
            )
            continue
        yield from _layout(entry.relpath, entry.kind, file, cookbook)
        if _stray_template(entry.relpath, entry.kind):
            sources = _template_sources(walked) if sources is None else sources
            yield from _misplaced(entry.relpath, file, cookbook, sources)


def _stray_template(relpath: str, kind: str) -> bool:
    top = relpath.partition("/")[0]
    return kind != "dir" and relpath.endswith(".erb") and top not in ("templates", "test", "spec")


def _misplaced(
    relpath: str, file: str, cookbook: str, sources: dict[str, _Source]
) -> Iterator[Finding]:
    """An ``.erb`` file outside ``templates/`` that a ``template`` block names as its source."""
    name = relpath.rpartition("/")[2]
    source = sources.get(name)
    if source is None:
        return
    yield finding(
        "template-outside-templates",
        f"{relpath}: {source.file}:{source.line} renders template source {source.name!r}, which "
        "Chef looks up under templates/ (templates/default/ and the host and platform folders), "
        "never here, and templates/ has no such file: move it to templates/default/",
        file,
        cookbook=cookbook,
    )


def _template_sources(walked: CookbookFiles) -> dict[str, _Source]:
    """The file names of the literal ``source`` of every ``template`` block in the cookbook's
    Ruby code that Chef looks up in this cookbook (no ``local true``, no ``cookbook 'x'``), and
    that no file under ``templates/`` provides."""
    provided = {e.relpath.rpartition("/")[2] for e in walked.entries
                if e.ships and e.relpath.startswith("templates/")}
    sources: dict[str, _Source] = {}
    for entry in walked.shipped():
        if not (entry.is_file_like and entry.relpath.endswith(".rb")
                and entry.relpath.startswith(_CODE_FOLDERS)):
            continue
        try:
            kept = walked.content(entry)
        except OSError:
            continue  # the secret scan reports an unreadable file
        if kept is None or b"template" not in kept:
            continue  # no template block: nothing to decode
        text = kept[:_MAX_CODE_BYTES].decode("utf-8", "replace")
        for block, line in _template_blocks(text):
            if _ELSEWHERE.search(block):
                continue
            for match in _SOURCE.finditer(block):
                name = (match.group(1) or match.group(2)).rpartition("/")[2]
                if name not in provided:
                    where = line + block.count("\n", 0, match.start())
                    sources.setdefault(name, _Source(name, entry.relpath, where))
    return sources


def _template_blocks(text: str) -> Iterator[tuple[str, int]]:
    """Each ``template`` resource's text (its first line to the ``end`` at its indentation, or
    its ``{ }`` line) with its line number."""
    for match in _TEMPLATE_START.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        first_end = text.find("\n", match.end())
        first = text[match.start(): len(text) if first_end < 0 else first_end]
        if not re.search(r"\bdo\b", first):
            yield first, line
            continue
        closing = re.compile(rf"^{re.escape(match.group(1))}end\b", re.MULTILINE)
        found = closing.search(text, match.end())
        yield text[match.start(): found.start() if found else len(text)], line


def _layout(relpath: str, kind: str, file: str, cookbook: str) -> Iterator[Finding]:
    top, _, rest = relpath.partition("/")
    if not rest and kind in ("dir", "symlink") and top not in STANDARD_FOLDERS:
        match = closest(top, STANDARD_FOLDERS, cutoff=0.75)
        if match:
            yield finding(
                "layout-typo",
                f"folder {top}/ looks like a typo of {match}/: Chef ignores {top}/, so "
                f"rename it to {match}/",
                file,
                cookbook=cookbook,
            )
    if kind == "dir":
        return
    is_erb = relpath.endswith(".erb")
    if top == "templates" and rest and not is_erb:
        yield finding(
            "template-not-erb",
            f"{relpath}: files under templates/ are ERB templates and should end in .erb "
            "(use files/ for static files)",
            file,
            cookbook=cookbook,
        )
