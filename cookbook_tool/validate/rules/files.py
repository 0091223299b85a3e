"""Rules on the files a cookbook ships: layout typos, templates, links, special files."""

from __future__ import annotations

from collections.abc import Iterator

from cookbook_tool.cookbook.model import STANDARD_FOLDERS, Cookbook
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
    for entry in walked.entries:
        if entry.excluded is not None:
            continue
        file = entry.path.as_posix()
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
    elif is_erb and top != "templates" and top not in ("test", "spec"):
        yield finding(
            "template-outside-templates",
            f"{relpath}: an ERB template outside templates/ is never found by the `template` "
            "resource: move it under templates/",
            file,
            cookbook=cookbook,
        )
