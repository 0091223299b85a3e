"""metadata.rb read without Ruby: real-world shapes, and each broken case with rule and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.cookbook.constraints import Constraint, Version
from cookbook_tool.cookbook.model import Metadata
from cookbook_tool.findings import Finding, Severity
from cookbook_tool.metadata.files import FolderFiles
from cookbook_tool.metadata.read import parse_metadata_rb, read_metadata, read_metadata_files


def parse(tmp_path: Path, text: str, **files: str) -> tuple[Metadata, list[Finding]]:
    cookbook = tmp_path / "mycb"
    cookbook.mkdir(exist_ok=True)
    for name, content in files.items():
        (cookbook / name.replace("__", ".")).write_text(content)
    path = cookbook / "metadata.rb"
    path.write_text(text)
    return parse_metadata_rb(text, path, FolderFiles(cookbook))


def rules(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in findings]


SUPERMARKET = """\
# frozen_string_literal: true
name              'nginx'
maintainer        'Chef Software, Inc.'
maintainer_email  'cookbooks@chef.io'
license           'Apache-2.0'
description       'Installs and configures nginx'
long_description  IO.read(File.join(File.dirname(__FILE__), 'README.md'))
version           '12.0.4'
chef_version      '>= 15.3' if respond_to?(:chef_version)

%w(amazon centos debian fedora oracle redhat scientific).each do |os|
  supports os
end

supports 'ubuntu', '>= 18.04'

depends 'yum-epel', '>= 3.0'
depends('apt')

source_url 'https://github.com/sous-chefs/nginx' if respond_to?(:source_url)
issues_url 'https://github.com/sous-chefs/nginx/issues' if respond_to?(:issues_url)
"""


def test_supermarket_style(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, SUPERMARKET, README__md="# nginx\n")
    assert findings == []
    assert (md.name, md.version, md.license) == ("nginx", "12.0.4", "Apache-2.0")
    assert md.maintainer_email == "cookbooks@chef.io"
    assert md.long_description == "# nginx\n"
    assert md.chef_version == [">= 15.3"]
    assert md.supports["centos"] == ">= 0.0.0"
    assert md.supports["ubuntu"] == ">= 18.04"
    assert len(md.supports) == 8
    assert [(d.name, d.raw_constraint, d.line) for d in md.depends] == [
        ("yum-epel", ">= 3.0", 17), ("apt", None, 18)]
    assert md.depends[1].constraint == Constraint.any()
    assert md.depends[0].constraint == Constraint(">=", Version(3, 0, 0, 2))
    assert md.source_url == "https://github.com/sous-chefs/nginx"
    assert md.lines["name"] == 2
    assert md.lines["version"] == 8
    assert md.lines["supports:ubuntu"] == 15
    assert md.source == tmp_path / "mycb" / "metadata.rb"


def test_supports_set_twice_is_reported_once(tmp_path: Path) -> None:
    _, findings = parse(tmp_path, "supports 'ubuntu'\nsupports 'ubuntu', '>= 20.04'\n")
    assert rules(findings) == [("metadata-duplicate", 2)]


OLD_STYLE = """\
=begin
This cookbook predates Chef 12.
=end
name "legacy"
maintainer "Ops \\"Night\\" Shift"
maintainer_email "ops@example.com"
license "All rights reserved"
description "Line one\\nLine two\\ttabbed \\u00e9 \\#{not interpolated}"
long_description <<-EOH
  Installs the legacy app.
  EOH
version "0.3.1"

recipe "legacy", "The default recipe"
recipe "legacy::deploy", "Deploys"

recommends "logrotate"
suggests "ntp", ">= 1.0"
conflicts "other"
replaces "legacy_old", "< 0.3"
provides "service[legacy]"

attribute "legacy/port",
  :display_name => "Port",
  :description => "TCP port",
  :type => "string",
  :required => "recommended",
  :recipes => [ "legacy::default" ],
  :default => "8080"

attribute('legacy/user', {
  display_name: 'User',
  'type' => 'string',
  default: 'legacy',
})

grouping "legacy/options", :title => "Options"
"""


def test_old_style_with_attributes_and_heredoc(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, OLD_STYLE)
    assert findings == []
    assert md.name == "legacy"
    assert md.maintainer == 'Ops "Night" Shift'
    assert md.description == "Line one\nLine two\ttabbed \u00e9 #{not interpolated}"
    assert md.long_description == "  Installs the legacy app.\n"
    assert md.recipes == {"legacy": "The default recipe", "legacy::deploy": "Deploys"}
    assert md.lines["recipes:legacy::deploy"] == 15
    assert md.recommends == {"logrotate": ">= 0.0.0"}
    assert md.suggests == {"ntp": ">= 1.0"}
    assert md.conflicts == {"other": ">= 0.0.0"}
    assert md.replaces == {"legacy_old": "< 0.3"}
    assert md.provides == ["service[legacy]"]
    assert md.attributes["legacy/port"] == {
        "display_name": "Port", "description": "TCP port", "type": "string",
        "required": "recommended", "recipes": ["legacy::default"], "default": "8080"}
    assert md.attributes["legacy/user"] == {"display_name": "User", "type": "string",
                                            "default": "legacy"}
    assert md.lines["attributes:legacy/port"] == 23


MODERN = """\
name 'modern'
version File.read(File.join(__dir__, 'VERSION')).strip
chef_version '>= 16', '< 19'
ohai_version '>= 16'
privacy true
gem 'aws-sdk-s3', '~> 1.0'

['centos', 'amazon'].each { |p| supports p }
%w[debian ubuntu].each { |os| supports os, '>= 10' }

{
  'apt' => '~> 7.1',
  'yum' => '>= 5.0',
}.each do |cookbook, constraint|
  depends cookbook, constraint
end

deps = %w(line
          sysctl)
deps.each do |d|
  depends d
end

description 'Modern ' \\
  'cookbook ' +
  'for tests'
"""


def test_modern_shapes(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, MODERN, VERSION="3.2.1\n")
    assert findings == []
    assert md.version == "3.2.1"
    assert md.chef_version == [">= 16", "< 19"]
    assert md.ohai_version == [">= 16"]
    assert md.privacy is True
    assert md.gems == [["aws-sdk-s3", "~> 1.0"]]
    assert md.supports == {"centos": ">= 0.0.0", "amazon": ">= 0.0.0", "debian": ">= 10",
                           "ubuntu": ">= 10"}
    assert [(d.name, d.raw_constraint) for d in md.depends] == [
        ("apt", "~> 7.1"), ("yum", ">= 5.0"), ("line", None), ("sysctl", None)]
    assert all(d.line == 15 for d in md.depends[:2])
    assert md.description == "Modern cookbook for tests"
    assert md.lines["description"] == 24


@pytest.mark.parametrize("form", [
    "IO.read(File.join(File.dirname(__FILE__), 'VERSION')).chomp",
    "File.read('VERSION').strip",
    "File.read(File.expand_path('../VERSION', __FILE__)).strip",
    "File.read(File.expand_path('VERSION', __dir__)).chomp",
    "(IO.read(File.dirname(__FILE__) + '/VERSION').strip)",
])
def test_version_read_from_a_file(tmp_path: Path, form: str) -> None:
    md, findings = parse(tmp_path, f"name 'x'\nversion {form}\n", VERSION="2.0.1\n")
    assert findings == []
    assert md.version == "2.0.1"
    assert md.lines["version"] == 2


def test_version_file_missing_is_a_finding(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'x'\nversion File.read('VERSION').strip\n")
    assert md.version is None
    assert md.lines["unknown:version"] == 2  # set, to a value the tool cannot know
    assert rules(findings) == [("metadata-missing-file", 2)]
    assert findings[0].severity is Severity.ERROR
    assert "VERSION" in findings[0].message
    assert "`version`" in findings[0].message


def test_readme_missing_is_a_finding(tmp_path: Path) -> None:
    text = "name 'x'\n\nlong_description IO.read(File.join(File.dirname(__FILE__), 'README.md'))\n"
    md, findings = parse(tmp_path, text)
    assert md.long_description is None
    assert rules(findings) == [("metadata-missing-file", 3)]
    assert findings[0].file == (tmp_path / "mycb" / "metadata.rb").as_posix()
    assert findings[0].cookbook == "mycb"


def test_statement_modifiers(tmp_path: Path) -> None:
    text = """\
chef_version '>= 12' if respond_to?(:chef_version)
issues_url 'https://x/issues' unless defined?(Chef::Unknown)
source_url 'https://x' if respond_to? :source_url
privacy true if false
license 'MIT' unless true
if respond_to?(:ohai_version)
  ohai_version '>= 8'
else
  bogus_method 'never evaluated'
end
if File.exist?(File.join(__dir__, 'NOPE')) then version '9.9.9' else version '1.1.1' end
"""
    md, findings = parse(tmp_path, text)
    assert findings == []
    assert md.chef_version == [">= 12"]
    assert md.issues_url == "https://x/issues"
    assert md.source_url == "https://x"
    assert md.privacy is None
    assert md.license is None
    assert md.ohai_version == [">= 8"]
    assert md.version == "1.1.1"


def test_unknown_condition_reads_the_branch_with_a_warning(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'x'\nchef_version '>= 12' if Chef::VERSION > '12'\n")
    assert md.chef_version == [">= 12"]
    assert rules(findings) == [("metadata-conditional", 2)]
    assert "reads every branch" in findings[0].message


def test_interpolation_of_known_and_unknown_values(tmp_path: Path) -> None:
    text = 'name "demo"\ndescription "Installs #{name} #{1 + 1}"\nversion "#{MAJOR}.0.0"\n'
    md, findings = parse(tmp_path, text)
    assert md.description == "Installs demo 2"
    assert md.version is None
    assert md.lines["unknown:version"] == 3 and "version" not in md.lines
    assert rules(findings) == [("metadata-dynamic", 3)]
    assert "version" in findings[0].message and "ignores" in findings[0].message


def test_typo_of_a_dsl_method_suggests_the_word(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'x'\ndependes 'apt'\nmaintaner 'me'\n")
    assert md.depends == []
    assert rules(findings) == [("metadata-unknown-method", 2), ("metadata-unknown-method", 3)]
    assert "`depends`" in findings[0].message
    assert "`maintainer`" in findings[1].message
    assert findings[0].severity is Severity.WARNING


@pytest.mark.parametrize(("text", "line", "column"), [
    ("name 'x'\nversion '1.0\n", 2, 9),
    ("name 'x'\nversion \"1.0\n", 2, 9),
    ("name('x'\nversion '1.0'\n", 2, 1),
    ("name 'x')\n", 1, 9),
    ("%w(a b).each do |os|\n  supports os\n", 3, 1),
    ("name 'x'\nend\n", 2, 1),
    ("=begin\nnever closed\n", 1, 1),
    ("long_description <<~EOS\ntext\n", 1, 18),
    ("depends 'a',\n", 2, 1),
    ("version 1.2.3\n", 1, 13),
    ("description \"#{name\"\n", 1, 20),
])
def test_syntax_errors_have_line_and_column(tmp_path: Path, text: str, line: int,
                                            column: int) -> None:
    _, findings = parse(tmp_path, text)
    syntax = [f for f in findings if f.rule == "metadata-syntax"]
    assert [(f.line, f.column) for f in syntax] == [(line, column)], syntax
    assert syntax[0].severity is Severity.ERROR


def test_statements_before_a_syntax_error_are_kept(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'x'\nversion '1.0.0'\ndepends 'a', '>= 1.0\n")
    assert (md.name, md.version) == ("x", "1.0.0")
    assert rules(findings) == [("metadata-syntax", 3)]


def test_invalid_constraints(tmp_path: Path) -> None:
    text = """\
depends 'apt', '>= 1.x'
depends 'yum', '>= 1.0', '< 2.0'
depends 'ok', '~> 1.2'
supports 'ubuntu', 'latest'
suggests 'ntp', 'any'
"""
    md, findings = parse(tmp_path, text)
    assert rules(findings) == [("metadata-invalid-constraint", n) for n in (1, 2, 4, 5)]
    apt, yum, ok = md.depends
    assert (apt.constraint, apt.raw_constraint) == (Constraint.any(), ">= 1.x")
    assert yum.constraint == Constraint.any()
    assert ok.constraint == Constraint("~>", Version(1, 2, 0, 2))


def test_invalid_version_string_is_stored_as_written(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "version '1.2.3.4'\n")
    assert md.version == "1.2.3.4"
    assert findings == []


def test_duplicates_keep_the_last_value(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "name 'a'\nversion '1.0.0'\nname 'b'\n"
                                   "depends 'x'\ndepends 'x', '>= 2.0'\n")
    assert md.name == "b"
    assert md.lines["name"] == 3
    assert [(d.name, d.raw_constraint, d.line) for d in md.depends] == [("x", ">= 2.0", 5)]
    assert rules(findings) == [("metadata-duplicate", 3), ("metadata-duplicate", 5)]


@pytest.mark.parametrize(("text", "rule"), [
    ("name 42\n", "metadata-invalid-argument"),
    ("privacy 'yes'\n", "metadata-invalid-argument"),
    ("recipe 'x::y'\n", "metadata-invalid-argument"),
    ("attribute 'x/y'\n", "metadata-invalid-argument"),
    ("depends\n", "metadata-invalid-argument"),
    ("version ENV['VERSION']\n", "metadata-dynamic"),
    ("version `git describe`.strip\n", "metadata-dynamic"),
    ("version @version\n", "metadata-dynamic"),
    ("require_relative 'libraries/version'\n", "metadata-dynamic"),
    ("version MyCookbook::VERSION\n", "metadata-dynamic"),
    ("version cond ? '1.0' : '2.0'\n", "metadata-dynamic"),
    ("def helper\n  'x'\nend\n", "metadata-dynamic"),
    ("unknown_list.each { |d| depends d }\n", "metadata-dynamic"),
    ("puts 'hello'\n", "metadata-unknown-method"),
])
def test_other_findings(tmp_path: Path, text: str, rule: str) -> None:
    _, findings = parse(tmp_path, text)
    assert rules(findings) == [(rule, 1)]


def test_local_variables_and_operators(tmp_path: Path) -> None:
    text = """\
base = 'web'
base += '_app'
platforms = %w(ubuntu) + ['centos']
name base
platforms.each { |p| supports p }
major = 2
version "#{major}.#{major * 2}.0"
description(nil || 'fallback')
"""
    md, findings = parse(tmp_path, text)
    assert findings == []
    assert md.name == "web_app"
    assert md.supports == {"ubuntu": ">= 0.0.0", "centos": ">= 0.0.0"}
    assert md.version == "2.4.0"
    assert md.description == "fallback"


def test_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "\ufeffname 'crlf'\r\nversion '1.0.0'\r\n")
    assert findings == []
    assert (md.name, md.version, md.lines["version"]) == ("crlf", "1.0.0", 2)


def test_read_metadata_of_the_sample_cookbooks(samples: Path) -> None:
    base = samples / "opsworks-stack" / "cookbooks"
    md, findings = read_metadata(base / "webapp")
    assert findings == []
    assert md is not None and md.name == "webapp"
    assert [d.name for d in md.depends] == ["db_connect"]
    md, findings = read_metadata(base / "db_connect")
    assert findings == []
    assert md is not None and md.long_description and md.supports.keys() == {"amazon", "ubuntu"}


def test_read_metadata_without_metadata(tmp_path: Path) -> None:
    assert read_metadata(tmp_path) == (None, [])


def test_unreadable_metadata(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").write_bytes(b"name 'x'\nversion '\xff'\n")
    md, findings = read_metadata(tmp_path)
    assert md is not None and md.name is None
    assert rules(findings) == [("metadata-unreadable", 2)]


def test_metadata_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "metadata.rb").mkdir()
    _, findings = read_metadata(tmp_path)
    assert rules(findings) == [("metadata-unreadable", None)]


@pytest.mark.parametrize(("text", "field", "expected"), [
    ("description %q(it's (nested) fine)\n", "description", "it's (nested) fine"),
    ("maintainer %Q{Ops #{1 + 2}}\n", "maintainer", "Ops 3"),
    ("name 'n'\nlong_description <<~EOS\n  Title\n    indented\n  #{name}\nEOS\n",
     "long_description", "Title\n  indented\nn\n"),
    ("long_description <<-'EOS'\n  raw #{x}\n  EOS\n", "long_description", "  raw #{x}\n"),
    ("name 'x'\n__END__\nthis is junk ((( '\n", "name", "x"),
    ("if false\n version '1.0.0'\nelsif true\n version '2.0.0'\nelse\n version '3.0.0'\nend\n",
     "version", "2.0.0"),
    ("v = %w(1.0.0 2.0.0)\nversion v[1]\n", "version", "2.0.0"),
    ("license 'MIT' if not false and true\n", "license", "MIT"),
    ("name 'a' 'b'\n", "name", "ab"),
    ("name('x',)\n", "name", "x"),
    ('description "#{true} #{nil}#{2.5}"\n', "description", "true 2.5"),
    ("description [\n  'a',\n  'b',\n].join(' ')\n", "description", "a b"),
])
def test_ruby_forms(tmp_path: Path, text: str, field: str, expected: object) -> None:
    md, findings = parse(tmp_path, text)
    assert findings == []
    assert getattr(md, field) == expected


def test_symbols_and_percent_i(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "supports :ubuntu\n%i(centos amazon).each { |s| supports s }\n"
                                   "attribute 'a', :type => :string\n")
    assert findings == []
    assert list(md.supports) == ["ubuntu", "centos", "amazon"]
    assert md.attributes == {"a": {"type": "string"}}


_SYNTAX = ("metadata-syntax", Severity.ERROR)
_DYNAMIC = ("metadata-dynamic", Severity.WARNING)


@pytest.mark.parametrize(("text", "expected"), [
    ("x = 'ab'\n(1..40).each { x = x + x }\nname x\n", [_DYNAMIC]),
    ("x = 'ab'\n%w(" + "a " * 40 + ").each { |_| x = x + x + x }\nname x\n", [_DYNAMIC]),
    ("n = 3\n%w(" + "a " * 40 + ").each { |_| n = n * n }\nname \"#{n}\"\n", [_DYNAMIC]),
    ("%w(" + "a " * 300 + ").each { |_| %w(" + "b " * 300 + ").each { |_| supports 'x' } }\n",
     [("metadata-duplicate", Severity.WARNING), ("metadata-unreadable", Severity.ERROR)]),
    ("(1..9000).each { |_| (1..9000).each { } }\n", [("metadata-unreadable", Severity.ERROR)]),
    ("version " + "9" * 5000 + "\n", [_DYNAMIC]),
])
def test_runaway_evaluation_is_bounded(
    tmp_path: Path, text: str, expected: list[tuple[str, Severity]]
) -> None:
    """Loops that would build huge values or run forever stop with a finding."""
    _, findings = parse(tmp_path, text)
    assert [(f.rule, f.severity) for f in findings] == expected


def test_respond_to_used_as_a_value(tmp_path: Path) -> None:
    md, findings = parse(tmp_path, "attribute 'a', default: respond_to?(:x)\nname defined?(x)\n")
    assert md.attributes == {} and md.name is None
    assert rules(findings) == [("metadata-dynamic", 1), ("metadata-dynamic", 2)]


def test_a_problem_inside_a_loop_is_reported_once(tmp_path: Path) -> None:
    _, findings = parse(tmp_path, "%w(a b c).each do |os|\n  suports os\nend\n")
    assert rules(findings) == [("metadata-unknown-method", 2)]


def test_file_checks_with_odd_names(tmp_path: Path) -> None:
    text = ("version '1.0.0' if File.exist?(\"a\\0b\")\n"
            "name File.read(\"x\\0y\")\nlicense File.read('.')\n")
    md, findings = parse(tmp_path, text)
    assert md.version is None and md.name is None and md.license is None
    assert rules(findings) == [("metadata-unreadable", 2), ("metadata-unreadable", 3)]


def test_name_from_the_folder_name(tmp_path):
    from cookbook_tool.metadata.read import read_metadata

    cookbook = tmp_path / "f2"
    cookbook.mkdir()
    (cookbook / "metadata.rb").write_text(
        "name File.basename(File.dirname(__FILE__))\nversion '1.0.0'\n"
    )
    metadata, findings = read_metadata(cookbook)
    assert metadata is not None and metadata.name == "f2" and findings == []


def test_read_metadata_files_reads_siblings_from_the_given_bytes() -> None:
    files = {
        "metadata.rb": b"name File.basename(File.dirname(__FILE__))\n"
                       b"version IO.read(File.join(File.dirname(__FILE__), 'VERSION')).strip\n"
                       b"license 'MIT' if File.exist?(File.join(__dir__, 'README.md'))\n"
                       b"description 'here' if File.exist?(__dir__)\n"
                       b"maintainer 'no' if File.file?(__dir__) || File.exist?('sub/../VERSION')\n",
        "VERSION": b"1.4.2\n",
        "README.md": b"# x\n",
    }
    md, findings = read_metadata_files("cookbooks/web", files)
    assert findings == []
    assert md is not None and md.source == Path("cookbooks/web/metadata.rb")
    assert (md.name, md.version, md.license, md.description, md.maintainer) == (
        "web", "1.4.2", "MIT", "here", None)


@pytest.mark.parametrize(("read", "rule", "says"), [
    ("'/etc/hostname'", "metadata-read-outside-cookbook",
     "reads /etc/hostname, which is outside the cookbook folder"),
    ("File.join(__dir__, '..', 'other', 'VERSION')", "metadata-read-outside-cookbook",
     "reads ./../other/VERSION, which is outside the cookbook folder"),
    ("File.join(__dir__, 'sub', 'VERSION')", "metadata-missing-file",
     "reads ./sub/VERSION, which does not exist"),
    ("__dir__", "metadata-unreadable", "reads ., which cannot be read (IsADirectoryError)"),
])
def test_read_metadata_files_never_leaves_the_files(read: str, rule: str, says: str) -> None:
    files = {"metadata.rb": f"name 'x'\nversion File.read({read})\n".encode(), "VERSION": b"1"}
    md, findings = read_metadata_files(".", files)
    assert md is not None and md.version is None
    assert [(f.rule, f.file, f.line) for f in findings] == [(rule, "metadata.rb", 2)]
    assert says in findings[0].message
    assert not md.source.is_absolute()


def test_read_metadata_files_prefers_json_and_reports_bad_bytes() -> None:
    md, findings = read_metadata_files(
        "a", {"metadata.json": b'{"name": "j"}', "metadata.rb": b"name 'r'\n"})
    assert md is not None and md.name == "j" and findings == []
    md, findings = read_metadata_files("a", {"metadata.rb": b"name '\xff'\n"})
    assert md is not None and md.name is None
    assert [(f.rule, f.file, f.line) for f in findings] == [
        ("metadata-unreadable", "a/metadata.rb", 1)]
    assert read_metadata_files("a", {"README.md": b"x"}) == (None, [])
