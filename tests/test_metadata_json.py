"""metadata.json: read as Chef writes it, preferred over metadata.rb, wrong types as findings."""

from __future__ import annotations

import json
from pathlib import Path

from cookbook_tool.cookbook.constraints import Constraint, Version
from cookbook_tool.findings import Finding, Severity
from cookbook_tool.metadata.read import read_metadata

# The shape `knife cookbook metadata` / Berkshelf write.
CHEF_WRITTEN = {
    "name": "apache2",
    "description": "Installs and configures apache2",
    "long_description": "",
    "maintainer": "Sous Chefs",
    "maintainer_email": "help@sous-chefs.org",
    "license": "Apache-2.0",
    "platforms": {"debian": ">= 0.0.0", "ubuntu": ">= 16.04"},
    "dependencies": {"yum-epel": ">= 0.0.0", "apt": "~> 7.2"},
    "providing": {"apache2": ">= 0.0.0"},
    "recipes": {"apache2::default": "Installs apache2"},
    "version": "8.14.1",
    "source_url": "https://github.com/sous-chefs/apache2",
    "issues_url": "https://github.com/sous-chefs/apache2/issues",
    "privacy": False,
    "chef_versions": [[">= 15.3"]],
    "ohai_versions": [],
    "gems": [["inifile", "~> 3.0"]],
    "eager_load_libraries": True,
    "recommendations": {},
    "suggestions": {"ntp": ">= 0.0.0"},
    "conflicting": {},
    "replacing": {},
    "attributes": {"apache/dir": {"display_name": "Dir", "type": "string"}},
    "groupings": {},
}


def write(folder: Path, data: object, rb: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    (folder / "metadata.json").write_text(text)
    if rb is not None:
        (folder / "metadata.rb").write_text(rb)
    return folder


def rules(findings: list[Finding]) -> list[tuple[str, int | None, str | None]]:
    return [(f.rule, f.line, f.path) for f in findings]


def test_chef_written_metadata_json(tmp_path: Path) -> None:
    folder = write(tmp_path / "apache2", CHEF_WRITTEN)
    md, findings = read_metadata(folder)
    assert findings == []
    assert md is not None
    assert md.source == folder / "metadata.json"
    assert (md.name, md.version, md.license) == ("apache2", "8.14.1", "Apache-2.0")
    assert md.supports == {"debian": ">= 0.0.0", "ubuntu": ">= 16.04"}
    assert [(d.name, d.raw_constraint) for d in md.depends] == [
        ("yum-epel", ">= 0.0.0"), ("apt", "~> 7.2")]
    assert md.depends[1].constraint == Constraint("~>", Version(7, 2, 0, 2))
    assert md.depends[1].line == 14
    assert md.provides == ["apache2"]
    assert md.recipes == {"apache2::default": "Installs apache2"}
    assert md.chef_version == [">= 15.3"]
    assert md.gems == [["inifile", "~> 3.0"]]
    assert md.suggests == {"ntp": ">= 0.0.0"}
    assert md.privacy is False
    assert md.attributes["apache/dir"] == {"display_name": "Dir", "type": "string"}
    assert md.lines["name"] == 2
    assert md.lines["version"] == 22
    assert md.lines["depends"] == 12


def test_metadata_json_is_preferred_over_metadata_rb(tmp_path: Path) -> None:
    folder = write(tmp_path / "cb", {"name": "from_json", "version": "1.0.0"},
                   rb="name 'from_rb'\nversion '2.0.0'\n")
    md, findings = read_metadata(folder)
    assert findings == []
    assert md is not None and (md.name, md.version) == ("from_json", "1.0.0")
    assert md.source.name == "metadata.json"


def test_json_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    folder = write(tmp_path / "cb", '{\n  "name": "x",\n  "version": \n}\n',
                   rb="name 'x'\n")
    md, findings = read_metadata(folder)
    assert md is not None and md.name is None
    assert [(f.rule, f.line, f.column) for f in findings] == [("metadata-json-invalid", 4, 1)]
    assert findings[0].severity is Severity.ERROR


def test_wrong_types_are_findings_with_line_and_pointer(tmp_path: Path) -> None:
    data = {
        "name": 42,
        "version": "1.0.0",
        "dependencies": {"apt": ">= 1.0", "yum": 3, "bad": ">= one"},
        "platforms": ["ubuntu"],
        "privacy": "no",
        "chef_versions": ">= 12",
        "gems": [["ok"], "nope"],
        "attributes": [],
    }
    md, findings = read_metadata(write(tmp_path / "cb", data))
    assert md is not None
    assert rules(findings) == [
        ("metadata-json-invalid", 2, "/name"),
        ("metadata-json-invalid", 12, "/privacy"),
        ("metadata-json-invalid", 9, "/platforms"),
        ("metadata-json-invalid", 6, "/dependencies/yum"),
        ("metadata-invalid-constraint", 7, "/dependencies/bad"),
        ("metadata-json-invalid", 13, "/chef_versions"),
        ("metadata-json-invalid", 14, "/gems"),
        ("metadata-json-invalid", 20, "/attributes"),
    ]
    assert md.name is None and md.version == "1.0.0"
    assert [(d.name, d.constraint, d.raw_constraint) for d in md.depends] == [
        ("apt", Constraint(">=", Version(1, 0, 0, 2)), ">= 1.0"),
        ("bad", Constraint.any(), ">= one")]


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    _, findings = read_metadata(write(tmp_path / "cb", "[1, 2]"))
    assert rules(findings) == [("metadata-json-invalid", 1, None)]


def test_old_array_constraints_and_nulls(tmp_path: Path) -> None:
    data = {"name": "old", "version": "0.1.0", "dependencies": {"a": [], "b": [">= 1.0"]},
            "source_url": None, "chef_versions": [">= 11.0"]}
    md, findings = read_metadata(write(tmp_path / "cb", data))
    assert findings == []
    assert md is not None
    assert [(d.name, d.raw_constraint) for d in md.depends] == [("a", ">= 0.0.0"),
                                                                ("b", ">= 1.0")]
    assert md.source_url is None
    assert md.chef_version == [">= 11.0"]


def test_nested_keys_with_the_same_name_do_not_confuse_lines(tmp_path: Path) -> None:
    text = ('{\n  "attributes": {"x": {"name": "inner", "version": "9"}},\n'
            '  "name": "outer",\n  "version": "1.0.0"\n}\n')
    md, findings = read_metadata(write(tmp_path / "cb", text))
    assert findings == []
    assert md is not None and md.lines["name"] == 3 and md.lines["version"] == 4


def test_invalid_utf8_json(tmp_path: Path) -> None:
    folder = tmp_path / "cb"
    folder.mkdir()
    (folder / "metadata.json").write_bytes(b'{"name": "\xc3("}')
    md, findings = read_metadata(folder)
    assert md is not None and md.source.name == "metadata.json"
    assert [(f.rule, f.line) for f in findings] == [("metadata-unreadable", 1)]


def test_huge_number_in_json_is_a_finding(tmp_path: Path) -> None:
    _, findings = read_metadata(write(tmp_path / "cb", '{"version": ' + "9" * 5000 + "}"))
    assert [f.rule for f in findings] == ["metadata-json-invalid"]
