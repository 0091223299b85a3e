"""Every rule ``validate`` can report: its id, its severity, and where it is documented.

A rule module reports through ``finding``, which takes the severity from here: a rule id that is
not registered cannot be reported (``KeyError``), so the table below is complete, and
``tests/test_rules_documented.py`` keeps it and ``docs/rules.md`` (the human document) in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from cookbook_tool.findings import Finding, Severity

RULES_DOCUMENT = "docs/rules.md"
_SECTION = f"{RULES_DOCUMENT}#validate-rules"


class Rule(NamedTuple):
    """One rule: its id, its severity, and its documentation. A NamedTuple, not a dataclass:
    a dataclass's methods are generated from source text when its module is imported (about
    1 ms of every run each)."""

    id: str
    severity: Severity
    doc: str = _SECTION  # the section of docs/rules.md whose table describes the rule
    relaxed: bool = False  # a warning instead of an error for some configurations


_E, _W, _N = Severity.ERROR, Severity.WARNING, Severity.NOTICE
RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("metadata-missing", _E),
        Rule("metadata-missing-name", _E, relaxed=True),  # a warning for Chef 11.x
        Rule("metadata-invalid-name", _E),
        Rule("metadata-missing-version", _E, relaxed=True),  # a warning unless a depends fails
        Rule("metadata-invalid-version", _E),
        Rule("metadata-name-mismatch", _W),
        Rule("metadata-recipe-missing", _W),
        Rule("cookbook-duplicate-name", _E),
        Rule("cookbook-builtin-name", _W),
        Rule("opsworks-override-cookbook", _N),
        Rule("dependency-missing", _E, relaxed=True),  # a warning under a node condition
        Rule("dependency-constraint-chef-11", _E),
        Rule("dependency-unsatisfied", _E),
        Rule("dependency-cycle", _W),
        Rule("dependency-lock-missing", _E),
        Rule("dependency-lock-stale", _E),
        Rule("include-recipe-undeclared", _E, relaxed=True),  # a warning when Chef loads it
        Rule("include-recipe-missing", _E),
        Rule("include-recipe-relative", _E),
        Rule("recipes-missing", _W),
        Rule("layout-typo", _W),
        Rule("template-not-erb", _W),
        Rule("template-outside-templates", _W),
        Rule("symlink-escape", _E),
        Rule("symlink-broken", _E),
        Rule("symlink-loop", _E),
        Rule("special-file", _E),
        Rule("filename-not-utf8", _E),
        Rule("chefignore-invalid-pattern", _E),
        Rule("secret-private-key", _E),
        Rule("secret-private-key-fragment", _W),
        Rule("secret-aws-access-key", _E),
        Rule("layer-recipe-missing", _E),
        Rule("nothing-to-check", _E),
    )
}


def finding(
    rule: str,
    message: str,
    file: str | Path | None = None,
    line: int | None = None,
    *,
    cookbook: str | None = None,
    relaxed: bool = False,
) -> Finding:
    """A finding of a registered rule, with the rule's severity (a warning when ``relaxed``
    and the rule allows it)."""
    registered = RULES[rule]
    severity = _W if relaxed and registered.relaxed else registered.severity
    shown = file.as_posix() if isinstance(file, Path) else file
    return Finding(shown, line, None, rule, severity, message, cookbook)
