"""Validation against the built-in schemas and users' own: findings, order, mappings, $ref."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cookbook_tool.customjson import (
    SchemaMapping,
    check_json_files,
    glob_problem,
    validate_document,
)
from cookbook_tool.customjson.compiled import compile_schema
from cookbook_tool.errors import LocalError
from cookbook_tool.findings import Finding, Severity


def write(path: Path, document: object | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path, schema: str = "opsworks-custom-json", **kw: bool) -> list[Finding]:
    return check_json_files([path], schema=schema, mappings=[], base_dir=path.parent,
                            **kw).findings


def summary(findings: list[Finding]) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(f.rule, f.path, f.line, f.column) for f in findings]


def test_all_errors_of_a_file_are_reported_in_position_order(tmp_path: Path) -> None:
    path = write(tmp_path / "custom.json", """{
  "deploy": {
    "b": {"keep_releases": 0, "ssl_support": "true"},
    "a": {
      "application_type": "ruby",
      "database": {"port": 70000, "data_source_provider": "postgres"},
      "scm": {"scm_type": "hg"},
      "domains": "example.com"
    }
  }
}""")
    assert summary(check(path)) == [
        ("schema-violation", "/deploy/b/keep_releases", 3, 28),
        ("schema-violation", "/deploy/b/ssl_support", 3, 46),
        ("schema-violation", "/deploy/a/application_type", 5, 27),
        ("schema-violation", "/deploy/a/database/port", 6, 28),
        ("schema-violation", "/deploy/a/database/data_source_provider", 6, 59),
        ("schema-violation", "/deploy/a/scm/scm_type", 7, 27),
        ("schema-violation", "/deploy/a/domains", 8, 18),
    ]
    messages = [f.message for f in check(path)]
    assert messages[0] == "0 is less than the minimum 1"
    assert messages[2] == '"ruby" is not one of "java", "nodejs", "php", "rails", "web", "other"'
    assert messages[3] == "70000 is greater than the maximum 65535"


def test_documented_and_built_in_cookbook_keys_pass_without_warnings(tmp_path: Path) -> None:
    path = write(tmp_path / "custom.json", {
        "deploy": {"app": {
            "application": "app", "application_type": "rails", "auto_bundle_on_deploy": True,
            "database": {"adapter": "mysql2", "type": "mysql", "encoding": "utf8", "pool": 5,
                         "host": None, "password": None, "reconnect": False, "port": 3306},
            "scm": {"scm_type": "git", "repository": "git@github.com:x/y.git", "revision": None,
                    "ssh_key": None, "user": None, "password": None},
            "environment": {"RAILS_ENV": "production"}, "sleep_before_restart": 0,
            "stack": {"needs_reload": True}, "symlinks": {"a": "b"}, "memcached": {"port": 11211},
        }},
        "my_cookbook": {"anything": ["goes", 1, None]},
    })
    assert check(path) == []


def test_unknown_keys_are_warnings_with_suggestions(tmp_path: Path) -> None:
    path = write(tmp_path / "custom.json", {
        "deploy": {"app": {"databse": {}, "scm": {"repo": "x", "revison": "main"},
                           "database": {"usename": "u", "zzz": 1}}},
        "unknown_top_level_key_is_user_data": 1,
    })
    findings = check(path)
    assert all(f.severity is Severity.WARNING and f.rule == "schema-unknown-key"
               for f in findings)
    got = {f.path: f.message for f in findings}
    assert set(got) == {"/deploy/app/databse", "/deploy/app/scm/repo", "/deploy/app/scm/revison",
                        "/deploy/app/database/usename", "/deploy/app/database/zzz"}
    assert 'did you mean "database"?' in got["/deploy/app/databse"]
    assert 'did you mean "revision"?' in got["/deploy/app/scm/revison"]
    assert 'did you mean "repository"?' in got["/deploy/app/scm/repo"]
    assert 'did you mean "username"?' in got["/deploy/app/database/usename"]
    assert "did you mean" not in got["/deploy/app/database/zzz"]


def test_one_of_reports_the_most_specific_error(tmp_path: Path) -> None:
    schema = write(tmp_path / "schema.json", {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {
            "port": {"oneOf": [{"type": "integer", "maximum": 65535},
                               {"type": "string", "pattern": "^[0-9]+$"}]},
            "source": {"anyOf": [{"type": "object", "properties": {"url": {"type": "string"}}},
                                 {"type": "string"}]},
            "mode": {"oneOf": [{"const": "fast"}, {"const": "safe"}]},
        },
    })
    path = write(tmp_path / "x.json", '{"port": 70000, "source": {"url": 5}, "mode": "slow"}')
    findings = check(path, str(schema))
    assert [(f.path, f.message) for f in findings] == [
        ("/port", "70000 is greater than the maximum 65535"),
        ("/source/url", "5 is not of type string"),
        ("/mode", '"slow" is not one of "fast", "safe"'),
    ]


def test_mappings_choose_schemas_and_unmatched_files_are_skipped(tmp_path: Path) -> None:
    stack = write(tmp_path / "stack" / "custom.json", {"deploy": {"a": {"migrate": "no"}}})
    nested = write(tmp_path / "env" / "prod" / "layer.json", {"deploy": []})
    meta = write(tmp_path / "cookbooks" / "x" / "metadata.json", {"name": "x", "version": "1"})
    other = write(tmp_path / "package.json", {"name": "x"})
    mappings = [SchemaMapping(("stack/*.json", "env/**/*.json"), "opsworks-custom-json"),
                SchemaMapping(("cookbooks/*/metadata.json",), "cookbook-metadata")]
    result = check_json_files([stack, nested, meta, other], schema=None, mappings=mappings,
                              base_dir=tmp_path)
    assert result.checked == [stack, nested, meta]
    assert result.skipped == [other]
    assert [(Path(f.file or "").name, f.path) for f in result.findings] == [
        ("metadata.json", "/version"),
        ("layer.json", "/deploy"),
        ("custom.json", "/deploy/a/migrate"),
    ]


def test_explicit_schema_overrides_mappings(tmp_path: Path) -> None:
    path = write(tmp_path / "stack" / "custom.json", {"name": "x"})
    mappings = [SchemaMapping(("stack/*.json",), "opsworks-custom-json")]
    result = check_json_files([path], schema="cookbook-metadata", mappings=mappings,
                              base_dir=tmp_path)
    assert [(f.rule, f.message) for f in result.findings] == [
        ("schema-violation", 'missing required key "version"')]


@pytest.mark.parametrize("glob", ["", "/abs/*.json", "../up/*.json", "a[b.json", "a\\b.json"])
def test_bad_globs_are_explained(glob: str) -> None:
    assert glob_problem(glob)


def test_bad_glob_in_a_mapping_is_a_local_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", {})
    with pytest.raises(LocalError, match="unclosed"):
        check_json_files([path], schema=None, mappings=[SchemaMapping(("a[.json",), "x")],
                         base_dir=tmp_path)


def test_unknown_schema_name_is_a_local_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", {})
    with pytest.raises(LocalError, match="did you mean 'opsworks-custom-json'"):
        check(path, "opsworks-custom-jsn")
    with pytest.raises(LocalError, match="remote schemas are never fetched"):
        check(path, "https://example.com/schema.json")


@pytest.mark.parametrize(
    ("schema_text", "words"),
    [
        ('{"type": "objekt"}', "invalid schema at /type"),
        ('{"type": "object",}', "schema is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"$schema": "http://json-schema.org/draft-03/schema#"}', "unsupported $schema"),
        ('{"$ref": "https://schemas.example.com/thing.json"}', "remote schemas are never fetched"),
        ('{"$ref": "missing.json"}', "does not exist"),
    ],
)
def test_bad_user_schemas_are_local_errors(tmp_path: Path, schema_text: str, words: str) -> None:
    schema = write(tmp_path / "schema.json", schema_text)
    path = write(tmp_path / "a.json", {})
    with pytest.raises(LocalError, match=words.replace("$", r"\$")):
        check(path, str(schema))


def test_user_schemas_ref_built_ins_by_id_and_each_other_by_relative_path(tmp_path: Path) -> None:
    write(tmp_path / "schemas" / "common" / "team.json", {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"owner": {"type": "string", "pattern": "^@"}},
    })
    write(tmp_path / "schemas" / "stack.json", {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [{"$ref": "https://cookbook-tool.dev/schemas/opsworks-custom-json.json"}],
        "properties": {
            "team": {"type": "object",
                     "properties": {"owner": {"$ref": "common/team.json#/$defs/owner"}}},
        },
        "required": ["team"],
    })
    path = write(tmp_path / "stack" / "custom.json", """{
  "team": {"owner": "ops"},
  "deploy": {"app": {"database": {"port": "5432", "hots": "x"}}}
}""")
    result = check_json_files([path], schema=None, base_dir=tmp_path,
                              mappings=[SchemaMapping(("stack/*.json",), "schemas/stack.json")])
    assert summary(result.findings) == [
        ("schema-violation", "/team/owner", 2, 21),
        ("schema-violation", "/deploy/app/database/port", 3, 43),
        ("schema-unknown-key", "/deploy/app/database/hots", 3, 51),
    ]
    assert result.findings[0].message == '"ops" does not match the pattern ^@'


def test_user_schema_with_its_own_http_id_still_finds_sibling_files(tmp_path: Path) -> None:
    write(tmp_path / "port.json", {"type": "integer"})
    schema = write(tmp_path / "main.json", {
        "$id": "https://schemas.example.com/main.json",
        "properties": {"port": {"$ref": "port.json"}, "name": {"$ref": "#/$defs/name"}},
        "$defs": {"name": {"type": "string"}},
    })
    path = write(tmp_path / "a.json", {"port": "x", "name": 1})
    assert [f.path for f in check(path, str(schema))] == ["/port", "/name"]


def test_built_in_validators_are_compiled_once(tmp_path: Path) -> None:
    assert compile_schema("opsworks-custom-json", tmp_path) is compile_schema(
        "https://cookbook-tool.dev/schemas/opsworks-custom-json.json", tmp_path)


def test_plaintext_secrets_are_warned_about_only_on_request(tmp_path: Path) -> None:
    path = write(tmp_path / "custom.json", """{
  "deploy": {"app": {"database": {"password": "hunter2"}, "scm": {"ssh_key": ""}}},
  "api": {"token": "{{ssm-secure:api-token}}", "client_secret": "s3cr3t"}
}""")
    assert check(path) == []
    findings = check(path, warn_plaintext_secrets=True)
    assert summary(findings) == [
        ("json-plaintext-secret", "/deploy/app/database/password", 2, 47),
        ("json-plaintext-secret", "/api/client_secret", 3, 65),
    ]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert not any("hunter2" in f.message or "s3cr3t" in f.message for f in findings)


def test_validate_document_uses_the_locate_callback() -> None:
    config = {"bundle": {"nmae": "x", "version": 1},
              "layers": {"app": {"deploy": ["webapp::deploy", "bad recipe"]}}}
    places = {("bundle", "nmae"): (2, 1), ("bundle", "version"): (3, 11),
              ("layers", "app", "deploy", 1): (6, 30)}

    def locate(path: tuple[str | int, ...]) -> tuple[int | None, int | None]:
        return places.get(path, (None, None))

    findings = validate_document(config, "cookbook-tool-config", file="cookbook-tool.toml",
                                 locate=locate)
    assert [(f.path, f.line, f.column, f.severity) for f in findings] == [
        ("/bundle/nmae", 2, 1, Severity.ERROR),
        ("/bundle/version", 3, 11, Severity.ERROR),
        ("/layers/app/deploy/1", 6, 30, Severity.ERROR),
    ]
    assert findings[0].message == 'unknown key "nmae" (did you mean "name"?)'
    assert findings[1].message == "1 is not of type string"
    assert all(f.file == "cookbook-tool.toml" for f in findings)


def test_issue_example_configuration_is_valid() -> None:
    config = {
        "bundle": {"name": "cookbooks", "version": "1.4.0"},
        "schemas": [{"files": ["stack/*.json"], "schema": "opsworks-custom-json"}],
        "targets": {"prod": {"url": "s3://layer-cookbooks/stacks/prod", "region": "us-west-2"},
                    "local": {"url": "file:///srv/cookbook-releases"}},
        "layers": {"java-app": {"setup": ["webapp"], "deploy": ["webapp::deploy", "db_connect"]},
                   "node-app": {"setup": ["nodejs_demo"], "deploy": ["db_connect", "nodejs_demo"]}},
    }
    assert validate_document(config, "cookbook-tool-config", file="c.toml") == []


def test_cookbook_metadata_schema() -> None:
    good = {"name": "db_connect", "version": "1.2.0", "dependencies": {"mysql": ">= 1.0"},
            "platforms": {"ubuntu": ">= 12.04"}, "recipes": {"db_connect": "Connects"},
            "chef_versions": [[">= 11.10"]]}
    assert validate_document(good, "cookbook-metadata", file="metadata.json") == []
    bad = {**good, "version": "1.2.0-beta", "dependencies": {"mysql": "latest"}, "licence": "x"}
    findings = validate_document(bad, "cookbook-metadata", file="metadata.json")
    assert sorted((f.path, f.rule) for f in findings) == [
        ("/dependencies/mysql", "schema-violation"),
        ("/licence", "schema-unknown-key"),
        ("/version", "schema-violation"),
    ]
    assert any('did you mean "license"?' in f.message for f in findings)


def test_values_that_are_not_json_are_explained_not_crashed_on() -> None:
    """TOML has dates; the fast validator refuses them, the explaining pass reports them."""
    import datetime

    findings = validate_document({"bundle": {"version": datetime.date(2024, 1, 1)}},
                                 "cookbook-tool-config", file="cookbook-tool.toml")
    assert [(f.path, f.message) for f in findings] == [
        ("/bundle/version", "2024-01-01 (date) is not of type string")]


def test_the_configuration_s_own_mappings_are_accepted(tmp_path: Path) -> None:
    from cookbook_tool.config import load as config

    path = write(tmp_path / "stack" / "custom.json", {"deploy": {"a": {"ssl_support": 1}}})
    mappings = [config.SchemaMapping(("stack/*.json",), "opsworks-custom-json")]
    result = check_json_files([path], schema=None, mappings=mappings, base_dir=tmp_path)
    assert [f.path for f in result.findings] == ["/deploy/a/ssl_support"]


@pytest.mark.parametrize("draft", [
    "http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema", None,
])
def test_every_supported_draft_resolves_relative_references(tmp_path: Path,
                                                            draft: str | None) -> None:
    write(tmp_path / "parts" / "port.json", {"type": "integer", "maximum": 65535})
    schema: dict[str, object] = {
        "properties": {"port": {"$ref": "parts/port.json"}, "name": {"$ref": "#/definitions/n"}},
        "definitions": {"n": {"type": "string"}},
    }
    if draft:
        schema["$schema"] = draft
    main = write(tmp_path / "main.json", schema)
    path = write(tmp_path / "a.json", '{"port": 70000, "name": 1}')
    assert [(f.path, f.message) for f in check(path, str(main))] == [
        ("/port", "70000 is greater than the maximum 65535"),
        ("/name", "1 is not of type string"),
    ]
