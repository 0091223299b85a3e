"""Every rule id the validate rules can emit is documented in docs/rules.md."""

from __future__ import annotations

import re

from tests.cli import ROOT

RULE_SOURCES = [*(ROOT / "cookbook_tool/validate").rglob("*.py"),
                ROOT / "cookbook_tool/cookbook/layers.py"]  # fmt: skip
RULE_ID = re.compile(r'(?:error|warning)\(\s*"([a-z0-9-]+)"|^\s+"([a-z]+(?:-[a-z0-9]+)+)",$', re.M)


def test_every_rule_is_documented():
    documented = (ROOT / "docs/rules.md").read_text()
    found = set()
    for source in RULE_SOURCES:
        for match in RULE_ID.finditer(source.read_text()):
            found.add(match.group(1) or match.group(2))
    found |= {"special-file", "filename-not-utf8"}  # mapped from walk problems in file_rules
    assert len(found) > 20
    missing = sorted(rule for rule in found if f"`{rule}`" not in documented)
    assert not missing, missing
