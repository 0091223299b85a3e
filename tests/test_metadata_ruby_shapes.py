"""Shapes of real metadata.rb files that Ruby reads one way and the reader used to read another
(issue 13, items 3, 5, 6, 7; issue 12, items 4 and 16): each as Ruby evaluates it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.cookbook.constraints import Constraint, Version
from cookbook_tool.cookbook.model import Metadata
from cookbook_tool.findings import Finding, Severity
from cookbook_tool.metadata.dsl import conditional_dependencies
from cookbook_tool.metadata.files import FolderFiles
from cookbook_tool.metadata.read import (
    MAX_METADATA_RB_BYTES,
    parse_metadata_json,
    parse_metadata_rb,
    read_metadata,
)

KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def parse(tmp_path: Path, text: str, **files: str) -> tuple[Metadata, list[Finding]]:
    cookbook = tmp_path / "mycb"
    cookbook.mkdir(exist_ok=True)
    for name, content in files.items():
        (cookbook / name).write_text(content)
    path = cookbook / "metadata.rb"
    path.write_text(text)
    return parse_metadata_rb(text, path, FolderFiles(cookbook))


def rules(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in findings]


# issue 13, item 3: `version IO.read(...).chomp rescue '0.1.0'`

READ_VERSION = "IO.read(File.join(File.dirname(__FILE__), 'VERSION')).chomp"


def test_a_rescued_version_file_that_exists_gives_its_version(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, f"name 'mycb'\nversion {READ_VERSION} rescue '0.1.0'\n",
                         VERSION="2.3.4\n")
    assert findings == []
    assert md.version == "2.3.4" and md.lines["version"] == 2


def test_a_rescued_statement_is_skipped_whole_as_in_ruby(tmp_path: Path) -> None:
    """``version X rescue '0.1.0'`` rescues the whole statement: without the file Ruby never
    calls ``version`` (Chef then uses 0.0.0); '0.1.0' is not the version."""
    md, findings = parse(tmp_path, f"name 'mycb'\nversion {READ_VERSION} rescue '0.1.0'\n")
    assert md.version is None and "unknown:version" not in md.lines
    assert [(f.rule, f.severity, f.line) for f in findings] == [
        ("metadata-rescued", Severity.WARNING, 2)]
    assert "stays unset ('0.1.0' is not given to it)" in findings[0].message


@pytest.mark.parametrize("text", [
    f"version ({READ_VERSION} rescue '0.1.0')\n",
    f"v = {READ_VERSION} rescue '0.1.0'\nversion v\n",
    f"version {READ_VERSION} rescue version '0.1.0'\n",
])
def test_a_rescue_value_that_reaches_the_field(tmp_path: Path, text: str) -> None:
    md, findings = parse(tmp_path, text)
    assert (md.version, findings) == ("0.1.0", [])
    md, findings = parse(tmp_path, text, VERSION="3.0.0\n")
    assert (md.version, findings) == ("3.0.0", [])


# issue 13, item 5: conditions only the node knows

def test_a_platform_guard_makes_its_depends_conditional(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'mycb'\ndepends 'apt'\n"
                         "depends 'chocolatey' if platform? 'windows'\n"
                         "if platform_family?('rhel')\n  depends 'yum'\nelse\n  depends 'deb'\n"
                         "end\n")
    assert [d.name for d in md.depends] == ["apt", "chocolatey", "yum", "deb"]
    assert conditional_dependencies(md) == {"chocolatey": 3, "yum": 4, "deb": 4}
    assert rules(findings) == [("metadata-conditional", 3), ("metadata-conditional", 4)]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert "`platform?` reads node data" in findings[0].message


def test_an_unconditional_depends_is_never_conditional(tmp_path: Path) -> None:
    md, _ = parse(tmp_path, "depends 'a' if node['x']\ndepends 'a'\n"
                  "depends 'b'\ndepends 'b' unless platform?('mac_os_x')\n")
    assert conditional_dependencies(md) == {}


def test_case_on_node_data_reads_every_branch(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "case node['platform']\nwhen 'windows' then depends 'win'\n"
                         "when 'ubuntu', 'debian'\n  depends 'apt'\nelse\n  depends 'yum'\nend\n")
    assert [d.name for d in md.depends] == ["win", "apt", "yum"]
    assert set(conditional_dependencies(md)) == {"win", "apt", "yum"}
    assert rules(findings) == [("metadata-conditional", 1)]


@pytest.mark.parametrize(("text", "expected"), [
    ("os = 'ubuntu'\ncase os\nwhen 'centos' then depends 'yum'\nwhen 'ubuntu' then depends "
     "'apt'\nelse depends 'other'\nend\n", ["apt"]),
    ("case 3\nwhen 1, 2\n  depends 'low'\nelse\n  depends 'high'\nend\n", ["high"]),
    ("x = nil\ncase\nwhen x then depends 'x'\nwhen true then depends 't'\nend\n", ["t"]),
])
def test_case_with_known_values_takes_one_branch(tmp_path: Path, text: str,
                                                  expected: list[str]) -> None:
    md, findings = parse(tmp_path, text)
    assert findings == []
    assert [d.name for d in md.depends] == expected and conditional_dependencies(md) == {}


def test_respond_to_a_metadata_method_is_taken_a_typo_is_false(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "chef_version '>= 14' if respond_to?(:chef_version)\n"
                         "depends 'x' if respond_to?(:dependz)\n"
                         "source_url 'https://x' if respond_to? :sourse_url\n")
    assert md.chef_version == [">= 14"]
    assert md.depends == [] and md.source_url is None
    assert rules(findings) == [("metadata-unknown-method", 2), ("metadata-unknown-method", 3)]
    assert "did you mean `depends`?" in findings[0].message
    assert "false in every Chef version" in findings[0].message


# issue 13, item 6: what Ruby cannot load is a syntax error; what it loads is not

@pytest.mark.parametrize(("text", "line"), [
    ("name 'a'\n<<<<<<< HEAD\nversion '1.0.0'\n=======\nversion '1.1.0'\n>>>>>>> b\n", 2),
    ("name 'a'\nversion '1.0.0'\n=======\n", 3),
    ("name 'a'\n>>>>>>> 0123abc\n", 2),
    ("name 'a',\nversion '1.0.0'\n", 2),
    ("depends 'a', '>= 1.0',\ndepends 'b'\n", 2),
    ("name 'a'\ncase 1\nend\n", 3),
    ("case node['platform']\nelse\n  depends 'x'\nend\n", 2),
])
def test_what_ruby_refuses_is_a_syntax_error(tmp_path: Path, text: str, line: int) -> None:
    _, findings = parse(tmp_path, text)
    syntax = [(f.rule, f.severity, f.line) for f in findings if f.rule == "metadata-syntax"]
    assert syntax == [("metadata-syntax", Severity.ERROR, line)]


@pytest.mark.parametrize(("text", "field", "value"), [
    ("(1..3).each { }\nname 'a'\n", "name", "a"),
    ("(1..3).each { |i| supports \"os#{i}\" }\n", "supports",
     {"os1": ">= 0.0.0", "os2": ">= 0.0.0", "os3": ">= 0.0.0"}),
    ("(1...3).each do |i| depends \"d#{i}\" end\n", "depends", ["d1", "d2"]),
    ("depends 'a', \"< #{10**2}\"\n", "depends", ["a"]),
    ("version \"#{-2 ** 2 + 5}.#{2 ** 3 ** 0}.0\"\n", "version", "1.2.0"),
    ("version [1, 10**1, 0].join('.')\n", "version", "1.10.0"),
    ("name 'a' if 2**3 == 8\n", "name", "a"),
    ("depends 'a', '~> 1.0' # trailing, comment\ndepends 'b'\n", "depends", ["a", "b"]),
])
def test_valid_ruby_is_read(tmp_path: Path, text: str, field: str, value: object) -> None:
    md, findings = parse(tmp_path, text)
    assert findings == []
    got = getattr(md, field)
    assert ([d.name for d in got] if field == "depends" else got) == value


@pytest.mark.parametrize("text", ["x = %x(ls)\nname x\n", "version %x(git describe).strip\n",
                                  "version `cat VERSION`\n"])
def test_a_shell_command_is_refused_not_a_syntax_error(tmp_path: Path, text: str) -> None:
    _, findings = parse(tmp_path, text)
    assert [(f.rule, f.severity) for f in findings] == [("metadata-dynamic", Severity.WARNING)]
    assert "a shell command" in findings[0].message and "never runs" in findings[0].message


# issue 13, item 7: constraints

def test_a_single_integer_constraint_is_read_as_chef_12_does(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "depends 'x', '< 7'\ndepends 'y', '~> 2.1'\n")
    assert findings == []
    assert md.depends[0].constraint == Constraint("<", Version(7, 0, 0, 1))
    assert [d.constraint.single_integer for d in md.depends] == [True, False]


def test_the_old_metadata_json_array_form(tmp_path: Path) -> None:
    text = '{"name": "a", "version": "1.0.0", "dependencies": {"apt": [], "yum": [">= 3.0"]}}'
    md, findings = parse_metadata_json(text, tmp_path / "metadata.json", "a")
    assert findings == []
    assert [(d.name, str(d.constraint)) for d in md.depends] == [
        ("apt", ">= 0.0.0"), ("yum", ">= 3.0")]


# issue 12, item 4: an AWS key id is never carried into another message

def test_an_aws_key_id_is_masked_in_every_reader_message(tmp_path: Path) -> None:
    _, findings = parse(tmp_path, f"name 42\nversion '{KEY_ID}'\ndepends '{KEY_ID}', "
                        f"'>= {KEY_ID}'\nsupports '{KEY_ID}', '>= {KEY_ID}'\n{KEY_ID.lower()}x "
                        f"'{KEY_ID}'\nrecipe '{KEY_ID}'\n")
    assert len(findings) >= 4
    assert not any(KEY_ID in f.message for f in findings)
    assert any("***" in f.message for f in findings)
    text = f'{{"name": "a", "dependencies": {{"{KEY_ID}": ">= {KEY_ID}"}}, "{KEY_ID}": 1}}'
    _, findings = parse_metadata_json(text, tmp_path / "metadata.json", "a")
    assert findings and not any(KEY_ID in f.message + (f.path or "") for f in findings)


# issue 12, item 16: bounded input, literals and work

def test_a_huge_metadata_rb_is_not_read(tmp_path: Path) -> None:
    cookbook = tmp_path / "big"
    cookbook.mkdir()
    (cookbook / "metadata.rb").write_text("name 'big'\nx = [" + "1," * 3_000_000 + "1]\n")
    md, findings = read_metadata(cookbook)
    assert md is not None and md.name is None
    assert [(f.rule, f.severity) for f in findings] == [("metadata-unreadable", Severity.ERROR)]
    assert f"larger than {MAX_METADATA_RB_BYTES:,} bytes" in findings[0].message


@pytest.mark.parametrize(("body", "says"), [
    ("x = [" + "1," * 10_001 + "1]\n", "more than 10000 elements in one list"),
    ("x = {" + "1 => 2," * 10_001 + "}\n", "more than 10000 elements in one list"),
    ("x = %w(" + "a " * 20_000 + ")\n", "more than 10000 words"),
    ("x = " + "1 + " * 30_000 + "1\n", "more than 50000 tokens"),
], ids=["array", "hash", "words", "tokens"])
def test_literal_and_token_limits_name_the_line(tmp_path: Path, body: str, says: str) -> None:
    md, findings = parse(tmp_path, "name 'a'\nversion '1.0.0'\n" + body + "depends 'late'\n")
    assert (md.name, md.version, md.depends) == ("a", "1.0.0", [])
    assert [(f.rule, f.severity) for f in findings] == [("metadata-unreadable", Severity.ERROR)]
    assert says in findings[0].message
    assert findings[0].line is not None and findings[0].line >= 3
    assert findings[0].file.endswith("mycb/metadata.rb")


def test_a_field_that_depends_on_the_branch_is_unknown_not_set_again(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "if ENV['CI']\n  version '0.0.1'\nelse\n  version '1.0.0'\n"
                         "end\ncase node['x']\nwhen 1 then license 'MIT'\nelse license 'MIT'\n"
                         "end\n")
    assert md.version is None and md.lines["unknown:version"] == 1
    assert md.license == "MIT" and md.lines["license"] == 8
    assert rules(findings) == [("metadata-conditional", 1), ("metadata-conditional", 6)]


def test_an_endless_range_is_valid_ruby(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "x = (1..)\nname 'a'\n")
    assert (md.name, findings) == ("a", [])


def test_pattern_matching_is_skipped_whole(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'a'\ncase x\nin {a: 1}\n  depends 'p'\nend\n"
                         "version '1.0.0'\n")
    assert (md.name, md.version, md.depends) == ("a", "1.0.0", [])
    assert rules(findings) == [("metadata-dynamic", 2)]


def test_a_field_given_nil_is_read_not_set_as_in_chef(tmp_path: Path) -> None:
    """``version(arg = nil)``: Chef reads the field when given nil, so a rescued nil is no
    error and leaves the version unset."""
    text = "v = File.read('VERSION').strip rescue nil\nversion v\nprivacy nil\n"
    md, findings = parse(tmp_path, text)
    assert (md.version, md.privacy, findings) == (None, None, [])
    md, findings = parse(tmp_path, text, VERSION="1.4.0\n")
    assert (md.version, findings) == ("1.4.0", [])


def test_a_spaced_parenthesis_after_a_comma_is_no_syntax_error(tmp_path: Path) -> None:
    _, findings = parse(tmp_path, "depends 'a', foo (1)\n")
    assert rules(findings) == [("metadata-dynamic", 1)]
