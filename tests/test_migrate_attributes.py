"""``migrate attributes``: custom JSON merged with OpsWorks' precedence into
JsonAttributesContent per layer, each value traced to its file, secrets moved to Parameter
Store references (the commands read them with jq, never printing them), size limits."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.migrate_helpers import SAMPLE_SECRETS, export, sample_with_targets


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    root = sample_with_targets(tmp_path / "stack")
    (root / "stack" / "java.json").write_text(json.dumps({
        "db_connect": {"config_dir": "/etc/java", "pool": 5},
        "deploy": {"javaapp": {"database": {"password": "layer-only-secret"}}},
    }), encoding="utf-8")
    (root / "deploy.json").write_text(json.dumps({
        "db_connect": {"pool": 9}, "feature": {"flags": ["a", "b"]},
    }), encoding="utf-8")
    return root


def _attributes(root: Path, *args: str) -> dict:
    result = run_cli("migrate", "attributes", "--format", "json", *args, cwd=root)
    assert result.code == 0, result.stderr
    document: dict = result.json()
    return document


def test_precedence_deployment_over_layer_over_stack_with_origins(stack: Path) -> None:
    document = _attributes(stack, "--layer-json", "java-app=stack/java.json",
                           "--deployment-json", "deploy.json")
    java = document["layers"]["java-app"]
    node = document["layers"]["node-app"]
    assert java["content"]["db_connect"] == {"config_dir": "/etc/java", "pool": 9}
    assert node["content"]["db_connect"] == {"config_dir": "/etc/app", "pool": 9}
    assert java["sources"]["/db_connect/config_dir"] == "stack/java.json"
    assert java["sources"]["/db_connect/pool"] == "deploy.json"
    assert node["sources"]["/db_connect/config_dir"] == "stack/custom.json"
    assert java["sources"]["/feature/flags"] == "deploy.json"
    assert java["sources"]["/deploy/javaapp/application"] == "stack/custom.json"
    assert json.loads(java["JsonAttributesContent"]) == java["content"]
    assert java["bytes"] == len(java["JsonAttributesContent"].encode())
    assert document["files"] == ["stack/custom.json", "stack/java.json", "deploy.json"]


def test_secrets_become_references_named_by_origin(stack: Path) -> None:
    document = _attributes(stack, "--layer-json", "java-app=stack/java.json")
    java = document["layers"]["java-app"]["content"]["deploy"]
    node = document["layers"]["node-app"]["content"]["deploy"]
    assert java["javaapp"]["database"]["password"] == \
        "{{ssm-secure:/cookbooks/java-app/deploy/javaapp/database/password}}"
    assert node["javaapp"]["database"]["password"] == \
        "{{ssm-secure:/cookbooks/deploy/javaapp/database/password}}"
    names = [p["name"] for p in document["parameters"]]
    assert names == ["/cookbooks/deploy/javaapp/database/password",
                     "/cookbooks/deploy/nodeapp/database/password",
                     "/cookbooks/java-app/deploy/javaapp/database/password"]
    assert all(p["tier"] == "Standard" and p["type"] == "SecureString"
               for p in document["parameters"])


@pytest.mark.skipif(shutil.which("jq") is None, reason="the printed commands read values with jq")
def test_no_secret_is_printed_and_the_commands_read_the_right_value(stack: Path) -> None:
    text = run_cli("migrate", "attributes", "--layer-json", "java-app=stack/java.json",
                   cwd=stack)
    document = run_cli("migrate", "attributes", "--format", "json", "--layer-json",
                       "java-app=stack/java.json", cwd=stack)
    for result in (text, document):
        assert result.code == 0
        for secret in (*SAMPLE_SECRETS, "layer-only-secret"):
            assert secret not in result.stdout + result.stderr
    expected = {"/cookbooks/deploy/javaapp/database/password": SAMPLE_SECRETS[0],
                "/cookbooks/deploy/nodeapp/database/password": SAMPLE_SECRETS[1],
                "/cookbooks/java-app/deploy/javaapp/database/password": "layer-only-secret"}
    for parameter in document.json()["parameters"]:
        command = parameter["command"]
        assert command in text.stdout
        value = command.split('--value "', 1)[1][:-1]  # "$(jq ...)"
        read = subprocess.run(["sh", "-c", f'printf %s "{value}"'], cwd=stack,
                              capture_output=True, text=True, check=True)
        assert read.stdout == expected[parameter["name"]]


def test_parameter_prefix(stack: Path) -> None:
    document = _attributes(stack, "--parameter-prefix", "/acme/prod")
    assert document["parameters"][0]["name"] == "/acme/prod/deploy/javaapp/database/password"
    bad = run_cli("migrate", "attributes", "--parameter-prefix", "/aws/x", cwd=stack)
    assert bad.code == 2
    assert "not a usable Parameter Store name" in bad.stderr


def test_4kb_needs_the_advanced_tier_and_8kb_is_refused(stack: Path) -> None:
    custom = stack / "stack" / "custom.json"
    data = json.loads(custom.read_text(encoding="utf-8"))
    data["tls"] = {"private_key": "k" * 5000}
    custom.write_text(json.dumps(data, indent=1), encoding="utf-8")
    document = _attributes(stack)
    tiers = {p["name"]: p["tier"] for p in document["parameters"]}
    assert tiers["/cookbooks/tls/private_key"] == "Advanced"
    assert [f["rule"] for f in document["findings"]] == ["migrate-parameter-advanced"]
    assert document["findings"][0]["severity"] == "warning"
    data["tls"]["private_key"] = "k" * 9000
    custom.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = run_cli("migrate", "attributes", "--format", "json", cwd=stack)
    assert result.code == 1
    finding = result.json()["findings"][0]
    assert finding["rule"] == "migrate-parameter-too-large"
    assert (finding["file"], finding["path"]) == ("stack/custom.json", "/tls/private_key")
    assert finding["line"] is not None
    written = stack / "ssm.yaml"
    refused = export(stack, "--target", "prod", "--output", str(written))
    assert refused.code == 1
    assert "nothing written" in refused.stderr
    assert not written.exists()
    assert "k" * 100 not in refused.stdout + refused.stderr


@pytest.mark.parametrize(("args", "code", "expected"), [
    (("--layer-json", "nope=stack/java.json"), 2, "unknown layer 'nope'"),
    (("--layer-json", "java-app"), 2, "use LAYER=FILE"),
    (("--stack", "missing.json"), 3, "missing.json: cannot read"),
])
def test_bad_inputs(stack: Path, args: tuple[str, ...], code: int, expected: str) -> None:
    result = run_cli("migrate", "attributes", *args, cwd=stack)
    assert result.code == code
    assert expected in result.stderr


def test_invalid_json_names_file_and_place(stack: Path) -> None:
    (stack / "stack" / "custom.json").write_text('{\n  "a": 1,\n}\n', encoding="utf-8")
    result = run_cli("migrate", "attributes", cwd=stack)
    assert result.code == 3
    assert "stack/custom.json:2:9: invalid JSON: trailing comma" in result.stderr
    (stack / "stack" / "custom.json").write_text("[1]", encoding="utf-8")
    assert "must be a JSON object" in run_cli("migrate", "attributes", cwd=stack).stderr
