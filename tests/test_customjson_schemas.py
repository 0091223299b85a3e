"""The built-in schemas: well-formed, documented, listed, shown, and shipped in the wheel."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cookbook_tool.customjson import BUILTIN_NAMES, list_schemas, load_schema, schemas_dir
from cookbook_tool.errors import LocalError
from tests.cli import Result, run_cli

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def cli(*args: str) -> Result:
    return run_cli(*args)


def properties(schema: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            yield f"{where}/{name}", sub
        for key, sub in schema.items():
            if key not in ("enum", "const", "default", "examples"):
                yield from properties(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from properties(sub, f"{where}/{i}")


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_built_in_schema_is_valid_2020_12_and_documented(name: str) -> None:
    schema = json.loads((ROOT / "schemas" / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://cookbook-tool.dev/schemas/{name}.json"
    assert schema["title"] and schema["description"]
    undocumented = [where for where, sub in properties(schema)
                    if not (isinstance(sub, dict) and sub.get("description"))]
    assert undocumented == []


def test_documented_deploy_values_are_enforced() -> None:
    app = load_schema("opsworks-deploy-app")["properties"]
    assert app["application_type"]["enum"] == ["java", "nodejs", "php", "rails", "web", "other"]
    assert app["scm"]["properties"]["scm_type"]["enum"] == ["git", "svn", "s3", "archive", "other"]
    database = app["database"]["properties"]
    assert database["port"] == {**database["port"], "type": "integer", "minimum": 1,
                                "maximum": 65535}
    assert database["reconnect"]["type"] == "boolean"
    assert {"type", "encoding", "pool"} <= set(database)


def test_list_and_load_by_name_or_id() -> None:
    listed = {info.name: info for info in list_schemas()}
    assert set(listed) == set(BUILTIN_NAMES)
    for name, info in listed.items():
        assert load_schema(name) is load_schema(info.id)
    with pytest.raises(LocalError, match="did you mean 'cookbook-metadata'"):
        load_schema("cookbook-metdata")


def test_schemas_list_text_and_json() -> None:
    done = cli("schemas", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(BUILTIN_NAMES)
    assert "https://cookbook-tool.dev/schemas/opsworks-deploy-app.json" in done.stdout
    done = cli("schemas", "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [s["name"] for s in document["schemas"]] == list(BUILTIN_NAMES)
    prefix = "https://cookbook-tool.dev/schemas/"
    assert all(s["id"].startswith(prefix) for s in document["schemas"])


def test_schemas_show_prints_the_schema_and_refuses_unknown_names() -> None:
    done = cli("schemas", "show", "opsworks-deploy-app")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == load_schema("opsworks-deploy-app")
    done = cli("schemas", "show", "opsworks-deploy")
    assert done.returncode == 3
    assert done.stdout == ""
    assert "unknown schema 'opsworks-deploy'" in done.stderr
    assert "did you mean 'opsworks-deploy-app'" in done.stderr


def test_source_checkout_finds_the_repository_schemas() -> None:
    assert schemas_dir() == ROOT / "schemas"


def test_wheel_contains_the_schemas_and_finds_them(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
               str(tmp_path / "dist"), str(ROOT)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-build-isolation")
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "dist").glob("cookbook_tool-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert {f"cookbook_tool/schemas/{name}.json" for name in BUILTIN_NAMES} <= names
    probe = ("from cookbook_tool.customjson import schemas_dir, list_schemas\n"
             "print(schemas_dir()); print(len(list_schemas()))\n")
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "site" / "cookbook_tool" / "schemas"),
                                   str(len(BUILTIN_NAMES))]


def test_schemas_json_documents_have_the_standard_keys() -> None:
    listed = json.loads(cli("schemas", "list", "--format", "json").stdout)
    assert {k: listed[k] for k in ("version", "command", "ok")} == {
        "version": 1, "command": "schemas list", "ok": True}
    done = cli("schemas", "show", "https://cookbook-tool.dev/schemas/cookbook-metadata.json",
               "--format", "json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown == {"version": 1, "command": "schemas show", "ok": True,
                     "name": "cookbook-metadata",
                     "id": "https://cookbook-tool.dev/schemas/cookbook-metadata.json",
                     "schema": load_schema("cookbook-metadata")}
    done = cli("schemas", "show", "nope", "--format", "json")
    assert done.returncode == 3
    failed = json.loads(done.stdout)
    assert (failed["command"], failed["ok"], failed["error"]["exit_code"]) == (
        "schemas show", False, 3)
    text = cli("schemas", "show", "cookbook-metadata", "--format", "text")
    assert json.loads(text.stdout) == load_schema("cookbook-metadata")


@pytest.mark.parametrize(("command", "example"), [
    ("list", "Example: cookbook-tool schemas list --format json"),
    ("show", "Example: cookbook-tool schemas show opsworks-deploy-app"),
])
def test_schemas_help_shows_an_example(command: str, example: str) -> None:
    done = cli("schemas", command, "--help")
    assert done.returncode == 0, done.stderr
    assert example in " ".join(done.stdout.split())
