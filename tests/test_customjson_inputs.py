"""``validate --schema SCHEMA PATH...``: folders stand for their JSON files, anything that is
not a regular file is refused, and "0 JSON file(s) checked" never passes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from cookbook_tool.customjson.jsonpos import read_json_file
from cookbook_tool.errors import LocalError
from tests.cli import run_cli, run_process

GOOD = {"deploy": {"app": {"database": {"port": 3306}}}}
BAD = {"deploy": {"app": {"database": {"port": "3306"}}}}


def _stack(root: Path) -> Path:
    stack = root / "stack"
    (stack / "layers").mkdir(parents=True)
    (stack / ".git").mkdir()
    (stack / "custom.json").write_text(json.dumps(GOOD))
    (stack / "layers" / "web.JSON").write_text(json.dumps(BAD, indent=2))
    (stack / ".git" / "ignored.json").write_text("not json")
    (stack / "README.md").write_text("not json either")
    return stack


def test_a_folder_stands_for_the_json_files_under_it(tmp_path: Path) -> None:
    _stack(tmp_path)
    result = run_cli("validate", "--schema", "opsworks-custom-json", "--format", "json",
                     "stack", cwd=tmp_path)
    assert result.code == 1, result.stdout + result.stderr
    report = result.json()
    assert report["json_files"] == ["stack/custom.json", "stack/layers/web.JSON"]
    assert [(f["file"], f["line"], f["path"]) for f in report["findings"]] == [
        ("stack/layers/web.JSON", 5, "/deploy/app/database/port")
    ]


def test_the_schema_file_inside_the_folder_is_not_checked_against_itself(
    tmp_path: Path,
) -> None:
    stack = _stack(tmp_path)
    (stack / "layers" / "web.JSON").unlink()
    (stack / "schema.json").write_text(json.dumps({"type": "object", "required": ["deploy"]}))
    result = run_cli("validate", "--schema", "stack/schema.json", "--format", "json", "stack",
                     cwd=tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["json_files"] == ["stack/custom.json"]


def test_a_folder_without_json_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("{}")
    result = run_cli("validate", "--schema", "opsworks-custom-json", "notes", cwd=tmp_path)
    assert result.code == 3, result.stdout + result.stderr
    assert "no JSON files (*.json) in this folder" in result.stderr
    assert "OK" not in result.stdout


def test_schema_without_files_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("validate", "--schema", "opsworks-custom-json", cwd=tmp_path)
    assert result.code == 2, result.stdout + result.stderr
    assert "--schema needs the JSON files" in result.stderr


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "custom.json"
    os.mkfifo(fifo)
    result = run_process("validate", "--schema", "opsworks-custom-json", fifo, timeout=30)
    assert result.code == 3, result.stdout + result.stderr
    assert "is a FIFO (named pipe), not a JSON file" in result.stderr
    inside = tmp_path / "stack"
    inside.mkdir()
    os.mkfifo(inside / "layer.json")
    result = run_process("validate", "--schema", "opsworks-custom-json", inside, timeout=30)
    assert result.code == 3, result.stdout + result.stderr
    assert "layer.json: is a FIFO" in result.stderr


def test_a_device_is_refused() -> None:
    result = run_process("validate", "--schema", "opsworks-custom-json", "/dev/zero",
                         timeout=30)
    assert result.code == 3, result.stdout + result.stderr
    assert "/dev/zero: is a character device, not a JSON file" in result.stderr


def test_the_reader_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(LocalError, match="is a FIFO"):
        read_json_file(fifo)  # returns at once: opened without waiting for a writer
    with pytest.raises(LocalError, match="is a character device"):
        read_json_file(Path("/dev/zero"))


def test_schema_runs_import_none_of_the_cookbook_checks(tmp_path: Path) -> None:
    (tmp_path / "custom.json").write_text(json.dumps(GOOD))
    code = (
        "import sys\n"
        "from cookbook_tool.cli.app import main\n"
        "try:\n"
        f"    main(['validate', '--schema', 'opsworks-custom-json', {str(tmp_path)!r}])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "heavy = ['cookbook_tool.validate.run', 'cookbook_tool.metadata.ruby.parser',\n"
        "         'cookbook_tool.cookbook.repository', 'jsonschema', 'boto3', 'git']\n"
        "print('imported', [m for m in heavy if m in sys.modules])\n"
    )
    result = run_process(code, command=(sys.executable, "-c"))
    assert "exit 0" in result.stdout, result.stdout + result.stderr
    assert "imported []" in result.stdout
