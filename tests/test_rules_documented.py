"""The rule registry and docs/rules.md agree: every registered rule is documented with its
severity, every documented rule is registered, and every rule id the rule modules name is
registered (reporting an unregistered id raises ``KeyError`` at run time as well)."""

from __future__ import annotations

import re

from cookbook_tool.validate.rules.registry import RULES, RULES_DOCUMENT, finding
from tests.cli import ROOT

_ROW = re.compile(r"^\| `([a-z0-9-]+)`(?: / `([a-z0-9-]+)`)? \| ([a-z]+)", re.M)
RULE_SOURCES = [*(ROOT / "cookbook_tool/validate").rglob("*.py")]
_NAMED = re.compile(r'finding\(\s*"([a-z0-9-]+)"|^\s+"([a-z]+(?:-[a-z0-9]+)+)",$', re.M)


def _documented() -> dict[str, str]:
    text = (ROOT / RULES_DOCUMENT).read_text()
    rows: dict[str, str] = {}
    for match in _ROW.finditer(text):
        for rule in filter(None, match.group(1, 2)):
            rows[rule] = match.group(3)
    return rows


def test_every_registered_rule_is_documented_with_its_severity():
    documented = _documented()
    assert len(RULES) > 20
    for rule in RULES.values():
        assert documented.get(rule.id) == rule.severity.value, rule.id
        assert rule.doc.startswith(RULES_DOCUMENT + "#")


def test_every_documented_rule_is_registered():
    assert sorted(set(_documented()) - set(RULES)) == []


def test_every_rule_the_sources_name_is_registered():
    named = set()
    for source in RULE_SOURCES:
        for match in _NAMED.finditer(source.read_text()):
            named.add(match.group(1) or match.group(2))
    assert len(named) > 20
    assert sorted(named - set(RULES)) == []


def test_an_unregistered_rule_cannot_be_reported():
    import pytest

    with pytest.raises(KeyError):
        finding("no-such-rule", "message")
    relaxed = finding("metadata-missing-name", "m", relaxed=True)
    assert relaxed.severity.value == "warning"
    assert finding("metadata-missing", "m", relaxed=True).severity.value == "error"
