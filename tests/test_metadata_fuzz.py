"""No input makes the metadata readers raise: garbage, mutations and truncations of real files."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookbook_tool.cookbook.model import Metadata
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.files import FolderFiles
from cookbook_tool.metadata.read import parse_metadata_json, parse_metadata_rb

VALID = """\
name             'fuzzed'
maintainer       "Ops \\"Team\\""
license          'Apache-2.0'
description      'Installs/Configures fuzzed'
long_description IO.read(File.join(File.dirname(__FILE__), 'README.md'))
version          '1.4.2'
chef_version     '>= 12.1' if respond_to?(:chef_version)
issues_url       'https://example.com/issues' if respond_to?(:issues_url)

%w(ubuntu debian).each do |os|
  supports os, '>= 14.04'
end
['centos', 'amazon'].each { |p| supports p }

depends 'apt', '~> 7.0'
depends('yum', '>= 3.0',)
recipe 'fuzzed::default', "Installs #{name}"
attribute 'fuzzed/port',
  display_name: 'Port', :type => 'string', default: '80'
=begin
old notes
=end
gem 'aws-sdk', '~> 3' # comment
long_description <<~EOH
  Text #{version}
EOH
"""

# Ruby-ish fragments: mixing them produces inputs close to the grammar's edges.
FRAGMENTS = ["name", "depends", "supports", " ", "\n", "'", '"', "(", ")", "[", "]", "{", "}",
             "%w(", "#{", "#", ",", "=>", ":", "do", "end", "|os|", "if", "unless", ".each",
             "respond_to?(:x)", "'1.0'", "\\", "<<~EOS\n", "EOS", "=begin\n", "=end\n", ";",
             "File.read('VERSION')", "__FILE__", ".strip", "=", "+", "?", "def ", "&", "*",
             "x = ", "x", "x[0]", "{ |p| ", "%w(a b)", "'k' => ", "a: ", "not ", "&&", "elsif",
             "else", "then", "-1", "1.5", ":sym", "@iv", "$gv", "`cmd`", "%i[", "::", "||="]
COOKBOOK = Path("/nonexistent/fuzzed")
PATH = COOKBOOK / "metadata.rb"
FILES = FolderFiles(COOKBOOK)


def _check(result: tuple[Metadata, list[Finding]]) -> list[Finding]:
    metadata, findings = result
    assert isinstance(metadata, Metadata)
    for finding in findings:
        assert finding.rule.startswith("metadata-")
        assert finding.line is None or finding.line >= 1
        assert "internal" not in finding.message
    return findings


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=400))
def test_random_text_never_raises(text: str) -> None:
    _check(parse_metadata_rb(text, PATH, FILES))


@FAST
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_ruby_fragments_never_raise(parts: list[str]) -> None:
    _check(parse_metadata_rb("".join(parts), PATH, FILES))


@FAST
@given(st.integers(0, len(VALID)), st.integers(0, len(VALID)), st.text(max_size=8))
def test_mutations_of_valid_metadata_never_raise(start: int, length: int, insert: str) -> None:
    text = VALID[:start] + insert + VALID[start + length // 8:]
    _check(parse_metadata_rb(text, PATH, FILES))


@FAST
@given(st.integers(0, len(VALID)))
def test_truncations_never_raise(cut: int) -> None:
    _check(parse_metadata_rb(VALID[:cut], PATH, FILES))


def test_unbalanced_truncations_are_findings() -> None:
    """Cutting the valid file inside a string, a block or parentheses is a syntax error."""
    for marker in ("'Apache", "do |os|", "depends('yum'", "<<~EOH"):
        cut = VALID.index(marker) + len(marker)
        findings = _check(parse_metadata_rb(VALID[:cut], PATH, FILES))
        assert any(f.rule == "metadata-syntax" for f in findings), marker


@FAST
@given(st.lists(st.sampled_from(["(", "[", "{", '"#{', "do ", "!", "-", "not ", "'", '"']),
                min_size=40, max_size=400))
def test_deep_nesting_never_raises(openers: list[str]) -> None:
    # a leading '#' would make the line a comment: start with something else
    text = "name (" + "".join(openers) + "'x'"
    findings = _check(parse_metadata_rb(text, PATH, FILES))
    assert findings  # never balanced, or too deep


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["name", "version", "dependencies", "platforms", "recipes", "privacy",
                        "chef_versions", "gems", "attributes", "providing", "groupings",
                        "ohai_versions", "suggestions", "long_description"])


@FAST
@given(st.dictionaries(KEYS, JSON_VALUES, max_size=8))
def test_json_of_any_shape_never_raises(data: dict[str, object]) -> None:
    text = json.dumps(data, indent=2)
    metadata, findings = parse_metadata_json(text, COOKBOOK / "metadata.json", "fuzzed")
    assert isinstance(metadata, Metadata)
    assert all(f.rule.startswith("metadata-") for f in findings)


@FAST
@given(st.text(max_size=200))
def test_json_garbage_never_raises(text: str) -> None:
    parse_metadata_json(text, COOKBOOK / "metadata.json", "fuzzed")


def test_deeply_nested_json_is_a_finding() -> None:
    text = '{"attributes": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _, findings = parse_metadata_json(text, COOKBOOK / "metadata.json", "fuzzed")
    assert [f.rule for f in findings] == ["metadata-json-invalid"]
