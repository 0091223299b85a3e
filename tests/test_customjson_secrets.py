"""Secret values never appear in findings, in text or JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cookbook_tool.cli.output import findings_document, render_findings_github, render_findings_text
from cookbook_tool.customjson import check_json_files
from cookbook_tool.customjson.secrets import is_secret_key, mask_credentials, mask_value, render
from cookbook_tool.findings import Finding

SECRETS = ("hunter2", "s3cr3t-t0ken", "-----BEGIN RSA PRIVATE KEY-----", "AKIAEXAMPLESECRET")


@pytest.mark.parametrize(
    "key",
    ["password", "db_password", "passwd", "ssh_key", "ssl_certificate_key", "secret",
     "secret_key_base", "client_secret", "github_token", "tokens", "aws_secret_access_key",
     "api_key", "private_key", "privateSSHKey", "Password", "deploy-key"],
)
def test_secret_key_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    ["host", "port", "username", "user", "ssl_certificate", "ssl_certificate_ca", "token_env",
     "sse_kms_key_id", "encoding", "passenger", "sort_key", "bypass", 3],
)
def test_not_secret_key_names(key: str | int) -> None:
    assert not is_secret_key(key)


def test_render_masks_secrets_and_nested_secret_values() -> None:
    assert render("hunter2", secret=True) == '"***"'
    shown = render({"user": "u", "password": "hunter2", "nested": [{"api_token": "t0k"}]})
    assert "hunter2" not in shown and "t0k" not in shown
    assert mask_value({"password": {"a": 1}}) == {"password": "***"}


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, Path]:
    """A custom JSON file whose secrets break the schema in every way a message could leak."""
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [{"$ref": "opsworks-custom-json-local.json"}],
        "properties": {
            "api": {"type": "object", "additionalProperties": False, "properties": {
                "token": {"type": "string", "minLength": 40, "pattern": "^tok_"},
                "client_secret": {"enum": ["a", "b"]},
                "secret_mode": {"oneOf": [{"const": 1}, {"type": "integer"}]},
            }},
        },
    }))
    (tmp_path / "opsworks-custom-json-local.json").write_text(json.dumps(
        {"$ref": "https://cookbook-tool.dev/schemas/opsworks-custom-json.json"}))
    path = tmp_path / "custom.json"
    path.write_text(json.dumps({
        "deploy": {"app": {
            "database": {"password": ["hunter2"], "port": 3306},
            "scm": {"ssh_key": 42, "password": {"value": "s3cr3t-t0ken"}},
            "ssl_certificate_key": 7,
            "environment_variables": {"AWS_SECRET_ACCESS_KEY": 1234},
        }, "other": [{"password": "AKIAEXAMPLESECRET"}]},
        "api": {"token": "s3cr3t-t0ken", "client_secret": "hunter2", "secret_mode": "hunter2",
                "password": "-----BEGIN RSA PRIVATE KEY-----"},
    }, indent=2))
    return path, schema


def _findings(leaky: tuple[Path, Path]) -> list[Finding]:
    path, schema = leaky
    return check_json_files([path], schema=str(schema), mappings=[], base_dir=path.parent,
                            warn_plaintext_secrets=True).findings


def test_findings_never_contain_secret_values(leaky: tuple[Path, Path]) -> None:
    findings = _findings(leaky)
    paths = {f.path for f in findings}
    assert {"/deploy/app/database/password", "/deploy/app/scm/ssh_key",
            "/deploy/app/scm/password", "/deploy/app/ssl_certificate_key", "/deploy/other",
            "/api/token", "/api/client_secret", "/api/secret_mode", "/api/password"} <= paths
    for finding in findings:
        for secret in SECRETS:
            assert secret not in finding.message, finding
    masked = [f.message for f in findings if '"***"' in f.message]
    assert len(masked) >= 6


def test_text_and_json_output_never_contain_secret_values(leaky: tuple[Path, Path]) -> None:
    findings = _findings(leaky)
    text = render_findings_text(findings, "1 file")
    document = json.dumps(findings_document("validate", findings))
    github = render_findings_github(findings)
    for output in (text, document, github):
        assert '"***"' in output or "\\\"***\\\"" in output
        for secret in SECRETS:
            assert secret not in output
    assert '/deploy/app/database/password: error [schema-violation] "***" is not of type' in text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgres://u:LEAKPW1@h/db", "postgres://***@h/db"),
        ("https://tok@git.example.com/x.git", "https://***@git.example.com/x.git"),
        ("postgres://u:p@ss@LEAKPW1@h:5432/db?x=1", "postgres://***@h:5432/db?x=1"),
        ("git+ssh://git@github.com/o/r.git", "git+ssh://***@github.com/o/r.git"),
        ("a https://u:pw@h b s3://k:LEAKPW1@bucket", "a https://***@h b s3://***@bucket"),
        ("https://example.com/a@b", "https://example.com/a@b"),  # '@' in the path: no userinfo
        ("mail me@example.com, see https://h/x", "mail me@example.com, see https://h/x"),
        ("https://@h", "https://@h"),
        ("://u:pw@h", "://u:***@h"),  # user:password@host needs no scheme
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
    ],
)
def test_mask_credentials(text: str, shown: str) -> None:
    assert mask_credentials(text) == shown


@pytest.fixture
def url_leaks(tmp_path: Path) -> list[Finding]:
    """Credentials inside URLs, in values the schema refuses, under keys that name no secret."""
    path = tmp_path / "custom.json"
    long_url = "postgres://u:LEAKPW1" + "x" * 80 + "@h/db"  # cut by the 60-character rendering
    path.write_text(json.dumps({"deploy": {"app": {
        "database": {"host": ["postgres://u:LEAKPW1@h/db"], "port": [long_url],
                     "https://u:LEAKPW1@unknown.example.com": 1},
        "scm": {"repository": {"url": "https://u:LEAKTOKEN@git.example.com/x.git"}},
        "domains": "https://LEAKTOKEN@x.example.com",
    }}}, indent=2))
    return check_json_files([path], schema="opsworks-custom-json", mappings=[],
                            base_dir=tmp_path).findings


def test_url_credentials_never_appear_in_text_or_json_output(url_leaks: list[Finding]) -> None:
    assert {f.path for f in url_leaks} >= {
        "/deploy/app/database/host", "/deploy/app/database/port", "/deploy/app/scm/repository",
        "/deploy/app/domains"}
    text = render_findings_text(url_leaks, "1 file")
    document = json.dumps(findings_document("validate", url_leaks), ensure_ascii=False)
    for output in (text, document):
        assert "LEAKPW1" not in output and "LEAKTOKEN" not in output
        assert "postgres://***@h/db" in output
        assert "https://***@git.example.com/x.git" in output
        assert "https://***@unknown.example.com" in output  # the unknown key and its pointer
    assert ('/deploy/app/database/host: error [schema-violation] ["postgres://***@h/db"] is not'
            in text)


@pytest.mark.parametrize(
    "key",
    ["DBPassword", "APIKey", "SSHKey", "dbpassword", "passwords", "DB_PW", "SSL_KEY",
     "db.password", "db pass", "user-pwd", "apikeys", "sshkey", "Authorization", "RSAKey",
     "JWT_SECRET", "refreshToken", "key"],
)
def test_secret_key_names_in_any_case_and_separator(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    ["ssl_key_path", "sshKeyFile", "API_KEY_ENV", "private_ip", "private_dns_name", "monkey",
     "public_key", "primary_key", "passenger_max_pool_size", "keyboard", "compass",
     "ssh_key_fingerprint", "password_length", "keys"],
)
def test_names_of_secret_locations_and_ordinary_words_are_no_secrets(key: str) -> None:
    assert not is_secret_key(key)


PEM = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
       "-----END OPENSSH PRIVATE KEY-----\n")
CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUR\n-----END CERTIFICATE-----"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (PEM, "***\n"),
        ("key: " + PEM, "key: ***\n"),
        (CERT, CERT),  # certificates are public
        ("Server=db;Database=app;User Id=u;Password=LEAKPW1;",
         "Server=db;Database=app;User Id=u;Password=***;"),
        ("Authorization: Bearer LEAKTOKEN.abc", "Authorization: Bearer ***"),
        ("curl -H 'Authorization: Basic dXNlcjpMRUFLUFcx'", "curl -H 'Authorization: Basic ***'"),
        ("deploy:LEAKPW1@db.example.com:3306", "deploy:***@db.example.com:3306"),
        ("DB_PASSWORD=LEAKPW1", "DB_PASSWORD=***"),
        ("export API_KEY=LEAKTOKEN MODE=fast", "export API_KEY=*** MODE=fast"),
        ("https://h/cb?token=LEAKTOKEN&x=1", "https://h/cb?token=***&x=1"),
        ("ssl_key_path=/etc/ssl/app.key", "ssl_key_path=/etc/ssl/app.key"),
        ("git@github.com:example/app.git", "git@github.com:example/app.git"),
        ("mode=fast host: db.example.com", "mode=fast host: db.example.com"),
        ("Basic authentication is off", "Basic authentication is off"),
    ],
)
def test_secrets_by_shape_are_masked_whatever_the_key(text: str, shown: str) -> None:
    assert mask_credentials(text) == shown


def test_secrets_by_shape_never_reach_findings(tmp_path: Path) -> None:
    path = tmp_path / "custom.json"
    path.write_text(json.dumps({"deploy": {"app": {
        "database": {"host": ["deploy:LEAKPW1@db.example.com"], "port": "Password=LEAKPW1;"},
        "environment_variables": {"CONN": 1, "EXTRA": ["DB_PASSWORD=LEAKPW1"]},
        "environment": {"DBPassword": 5, "APIKey": ["LEAKTOKEN"], "SSHKey": {"a": "LEAKPW1"}},
        "scm": {"repository": ["Authorization: Bearer LEAKTOKEN"]},
        "ssl_certificate": [PEM],
    }}}, indent=2))
    findings = check_json_files([path], schema="opsworks-custom-json", mappings=[],
                                base_dir=tmp_path, warn_plaintext_secrets=True).findings
    text = render_findings_text(findings, "1 file")
    document = json.dumps(findings_document("validate", findings), ensure_ascii=False)
    assert len([f for f in findings if f.rule == "schema-violation"]) >= 7
    for output in (text, document):
        assert "LEAKPW1" not in output and "LEAKTOKEN" not in output
        assert "b3BlbnNzaC1rZXkt" not in output


def test_plaintext_warnings_cover_secret_shapes_but_not_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "custom.json"
    path.write_text(json.dumps({
        "app": {"conn": "Server=db;Password=LEAKPW1;", "cert": CERT, "key_file": PEM,
                "env": ["DB_PASSWORD=${DB_PASSWORD}", "API_KEY={{ssm-secure:k}}"],
                "DBPassword": "LEAKPW1", "ssl_key_path": "/etc/ssl/app.key",
                "dsn": "app:{{ssm-secure:pw}}@db"},
    }, indent=2))
    findings = check_json_files([path], schema="opsworks-custom-json", mappings=[],
                                base_dir=tmp_path, warn_plaintext_secrets=True).findings
    warned = {f.path: f.message for f in findings if f.rule == "json-plaintext-secret"}
    assert set(warned) == {"/app/conn", "/app/key_file", "/app/DBPassword"}
    assert "a secret assignment" in warned["/app/conn"]
    assert "a private key" in warned["/app/key_file"]
    assert all("LEAKPW1" not in m for m in warned.values())
