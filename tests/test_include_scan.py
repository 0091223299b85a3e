"""The include scan finds exactly the ``include_recipe`` lines the single statement-start pattern
it replaced found (that pattern, tried at every character, is kept here as the reference)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cookbook_tool.validate.rules.recipes import include_lines, include_lines_of
from tests.cli import run_cli

_REFERENCE = re.compile(
    r"""(?:^|;|\{|\bthen\b|\bdo\b|\belse\b|&&|\|\|)[ \t]*include_recipe[ \t]*\(?[ \t]*"""
    r"""(?:'([^'\\\n]+)'|"([^"\\#\n]+)")""",
    re.MULTILINE,
)
_BLOCK = re.compile(r"^=begin\b.*?^=end\b[^\n]*", re.MULTILINE | re.DOTALL)


def _reference(text: str) -> list[tuple[str, int]]:
    text = _BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found = []
    for match in _REFERENCE.finditer(text):
        start = match.start()
        before = text[text.rfind("\n", 0, start) + 1 : start]
        quotes_closed = before.count("'") % 2 == 0 and before.count('"') % 2 == 0
        if "#" in before.replace("#{", "") and quotes_closed:
            continue
        found.append((match.group(1) or match.group(2), text.count("\n", 0, start) + 1))
    return found


_CASES = [
    "include_recipe 'a::b'\n  include_recipe(\"c\")\n",
    "x = 1; include_recipe 'a'\nif y then include_recipe 'b' end\n",
    "foo include_recipe 'no'\ntheninclude_recipe 'no'\n_then include_recipe 'no'\n",
    "éthen include_recipe 'unicode word before then'\n",
    "a &&& include_recipe 'x'\nb ||include_recipe 'y'\n{include_recipe 'z'}\n",
    "include_recipe 'x; include_recipe \"inner\"'\n",
    "foo include_recipe 'x; include_recipe \"inner\"'\n",
    "# include_recipe 'commented'\nfoo # ; include_recipe 'commented'\n",
    "puts '#'; include_recipe 'after a quoted hash'\n",
    "=begin\ninclude_recipe 'old'\n=end\ninclude_recipe 'new'\n",
    "=beginning\ninclude_recipe 'kept'\n=end\n",
    "include_recipe \"interp#{x}\"\ninclude_recipe 'esc\\'d'\ninclude_recipe ''\n",
    "do\tinclude_recipe 'tab'\nelse  include_recipe 'else'\nundo include_recipe 'no'\n",
    "include_recipe\n'next line'\ninclude_recipe 'last'",
]


def test_known_forms_match_the_reference() -> None:
    for text in _CASES:
        assert list(include_lines(text)) == _reference(text), text


def test_the_forms_chef_accepts_are_found() -> None:
    text = "x = 1; include_recipe 'a'\n  include_recipe(\"b::c\")\nif y then include_recipe 'd' end\n"
    assert list(include_lines(text)) == [("a", 1), ("b::c", 2), ("d", 3)]
    assert list(include_lines("foo include_recipe 'x'\n# include_recipe 'y'\n")) == []


_PIECES = st.sampled_from([
    "include_recipe", " ", "\t", "\n", "'", '"', "(", ";", "{", "}", "&&", "||", "&", "|",
    "then", "do", "else", "x", "_", "é", "#", "#{", "\\", "::", "a::b", "=begin", "=end",
    "=begin\n", "\n=end\n", "cb", "é then",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_matches_the_reference(text: str) -> None:
    assert list(include_lines(text)) == _reference(text)


def test_each_include_of_the_same_name_is_reported_where_it_is(tmp_path: Path) -> None:
    files = {
        "a/metadata.rb": "name 'a'\nversion '1.0.0'\n",
        "a/recipes/default.rb": "log 'x'\ninclude_recipe 'a::gone'\ninclude_recipe 'a::gone'\n",
        "a/recipes/other.rb": "\n\n\ninclude_recipe 'a::gone'\ninclude_recipe 'a'\n",
    }
    for relpath, content in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(content)
    result = run_cli("validate", tmp_path, "--format", "json")
    found = [(f["rule"], Path(f["file"]).name, f["line"]) for f in result.json()["findings"]]
    assert found == [
        ("include-recipe-missing", "default.rb", 2),
        ("include-recipe-missing", "default.rb", 3),
        ("include-recipe-missing", "other.rb", 4),
    ]


_BYTE_PIECES = st.one_of(
    _PIECES.map(str.encode),
    st.sampled_from([b"\xc3", b"\xa9", b"\xff", b"\xe2\x82", b"\xc3\xa9then ", b"\x80include_recipe"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_BYTE_PIECES, max_size=40).map(b"".join))
def test_the_scan_of_bytes_finds_what_the_scan_of_the_decoded_text_finds(data: bytes) -> None:
    """The recipes' bytes are scanned undecoded: same names and lines as the decoded text,
    undecodable bytes included."""
    assert list(include_lines_of(data)) == list(include_lines(data.decode("utf-8", "replace")))
