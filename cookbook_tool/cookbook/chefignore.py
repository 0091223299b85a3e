"""``chefignore`` with Chef's semantics, plus the files no bundle should ever carry.

Chef reads ``chefignore`` from the cookbook folder (or, failing that, from the folder that holds
the cookbooks): one glob per line, ``#`` starts a comment, blank lines are skipped, paths are
relative to the cookbook, and a glob is matched with Ruby's ``File.fnmatch`` without flags —
so ``*`` also matches ``/`` — but a wildcard never matches a leading dot. We additionally treat a
folder whose path matches as ignoring everything below it.
"""

from __future__ import annotations

import re
from fnmatch import translate
from pathlib import Path, PurePosixPath
from typing import NamedTuple

CHEFIGNORE = "chefignore"

# (glob on any path component, reason) — left out of every bundle whatever chefignore says.
ALWAYS_EXCLUDED: tuple[tuple[str, str], ...] = (
    (".git", "VCS folder"),
    (".svn", "VCS folder"),
    (".hg", "VCS folder"),
    (".bzr", "VCS folder"),
    ("*~", "editor backup"),
    ("*.swp", "editor swap file"),
    ("*.swo", "editor swap file"),
    (".#*", "editor lock file"),
    ("#*#", "editor autosave file"),
    (".DS_Store", "macOS metadata"),
    ("Thumbs.db", "Windows metadata"),
    (".kitchen", "Test Kitchen state"),
    (".kitchen.local.yml", "Test Kitchen local settings"),
    (".bundle", "Bundler local state"),
    ("Berksfile.lock", "Berkshelf lock file"),
    ("Policyfile.lock.json", "Policyfile lock file"),
    (".vagrant", "Vagrant state"),
)
# The globs without a wildcard are names (one dict look-up); the others make one pattern (one
# match per name, not one per glob), its group n+1 being wildcard glob n. The first glob that
# matches wins: the alternatives are tried in order, and a name wins over a later wildcard.
_ALWAYS_NAMES = {glob: index for index, (glob, _) in reversed(list(enumerate(ALWAYS_EXCLUDED)))
                 if not any(c in glob for c in "*?[")}
_ALWAYS_WILD = [i for i, (glob, _) in enumerate(ALWAYS_EXCLUDED) if any(c in glob for c in "*?[")]
_ALWAYS_RE = re.compile("|".join(f"({translate(ALWAYS_EXCLUDED[i][0])})" for i in _ALWAYS_WILD))


def always_excluded_reason(name: str) -> str | None:
    """Why a file or folder *name* is never bundled, or None."""
    index = _ALWAYS_NAMES.get(name)
    if index is None or index > _ALWAYS_WILD[0]:
        match = _ALWAYS_RE.match(name)
        if match is not None and match.lastindex is not None:
            wild = _ALWAYS_WILD[match.lastindex - 1]
            index = wild if index is None else min(index, wild)
    return None if index is None else ALWAYS_EXCLUDED[index][1]


class Pattern(NamedTuple):
    """One pattern of a chefignore file, with its line. A NamedTuple, not a dataclass: a
    dataclass's methods are generated from source text when its module is imported (about
    1 ms of every run each)."""

    glob: str
    line: int
    regex: re.Pattern[str]


class Chefignore(NamedTuple):
    """The parsed ``chefignore`` that applies to one cookbook (``file`` None when there is none)."""

    file: Path | None
    patterns: tuple[Pattern, ...] = ()
    invalid: tuple[tuple[int, str, str], ...] = ()  # (line, glob, why) of unusable lines

    def match(self, relpath: str) -> Pattern | None:
        """The pattern that ignores ``relpath`` (posix, relative to the cookbook), or None.

        A path is ignored when it, or one of its parent folders, matches a pattern.
        """
        if not self.patterns:
            return None
        candidates = [relpath, *(p.as_posix() for p in PurePosixPath(relpath).parents)][:-1]
        for pattern in self.patterns:
            for candidate in candidates:
                if pattern.regex.match(candidate):
                    return pattern
        return None


def parse_chefignore(text: str, file: Path | None = None) -> Chefignore:
    """Patterns that cannot be compiled (``[z-a]``) are kept aside in ``invalid``."""
    patterns = []
    invalid = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            patterns.append(Pattern(line, number, _ruby_fnmatch_regex(line)))
        except re.error as exc:
            invalid.append((number, line, exc.msg))
    return Chefignore(file, tuple(patterns), tuple(invalid))


def load_chefignore(cookbook_dir: Path) -> Chefignore:
    """The chefignore of a cookbook: its own, else the one in the folder holding it."""
    for candidate in (cookbook_dir / CHEFIGNORE, cookbook_dir.parent / CHEFIGNORE):
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            return parse_chefignore(text, candidate)
    return Chefignore(None)


def _ruby_fnmatch_regex(glob: str) -> re.Pattern[str]:
    """Ruby ``File.fnmatch(glob, path)`` with no flags, as a regex.

    ``*`` and ``?`` match any character including ``/``, except a leading ``.`` of the path;
    ``[...]`` is a character class; ``\\`` escapes.
    """
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out)
    leading_wild = glob[:1] in ("*", "?", "[")
    prefix = r"(?!\.)" if leading_wild else ""
    return re.compile(prefix + body + r"\Z", re.DOTALL)
