"""cookbook-tool.toml: loading, defaults, and errors that name the key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.config.load import Config, find_config, load_config
from cookbook_tool.config.schema import SUPPORTED, config_schema
from cookbook_tool.config.toml_lines import key_lines
from cookbook_tool.errors import LocalError
from tests.cli import run_cli

ISSUE_EXAMPLE = """\
[bundle]
name = "cookbooks"
version = "1.4.0"

[[schemas]]
files = ["stack/*.json"]
schema = "opsworks-custom-json"

[targets.prod]
url = "s3://layer-cookbooks/stacks/prod"
region = "us-west-2"

[targets.local]
url = "file:///srv/cookbook-releases"

[layers.java-app]
setup = ["webapp"]
deploy = ["webapp::deploy", "db_connect"]

[layers.node-app]
setup = ["nodejs_demo"]
deploy = ["db_connect", "nodejs_demo"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cookbook-tool.toml"
    path.write_text(text)
    return path


def test_issue_example_loads_exactly_as_written(tmp_path):
    config = load_config(_write(tmp_path, ISSUE_EXAMPLE))
    assert config.bundle_name == "cookbooks" and config.bundle_version == "1.4.0"
    assert config.schemas[0].globs == ("stack/*.json",)
    assert config.targets["prod"].url == "s3://layer-cookbooks/stacks/prod"
    assert config.targets["prod"].options == {"region": "us-west-2"}
    assert config.layers["java-app"]["deploy"] == ("webapp::deploy", "db_connect")
    assert config.line_of("layers.node-app.deploy") == 22


def test_defaults_without_file():
    config = Config()
    assert config.bundle_name == "cookbooks" and config.retention == 5


def test_find_config_walks_up(tmp_path):
    path = _write(tmp_path, "")
    (tmp_path / "a/b").mkdir(parents=True)
    assert find_config(tmp_path / "a/b") == path.resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[bundle]\nnmae = "x"\n', r":2: bundle.nmae: unknown key 'nmae' \(did you mean 'name'\?\)"),
        ("retention = 'five'\n", r":1: retention: expected an integer, found the string 'five'"),
        ("retention = 0\n", r":1: retention: 0 is less than the minimum 1"),
        ('[[schemas]]\nfiles = ["../x/*.json"]\nschema = "s"\n', r":2: schemas.0.files.0: glob"),
        ('[[schemas]]\nfiles = ["a/[b.json"]\nschema = "s"\n', r"unclosed '\['"),
        ('[targets.x]\nurl = "ftp://host/x"\n', r":2: targets.x.url: unknown target"),
        ('[targets.x]\nurl = "s3://"\n', r":2: targets.x.url: 's3://' names no bucket"),
        ('[targets.x]\nurl = "s3://b/p"\nbranch = "main"\n', r":3: targets.x.branch: 'branch' does not apply to s3 targets"),
        ('[targets.x]\nurl = "out/r"\nregion = "eu-west-1"\n', r":3: targets.x.region: 'region' does not apply to file targets"),
        ('[layers.web]\nsetup = ["bad name"]\n', r":2: layers.web.setup.0: 'bad name'"),
        ('[layers.web]\nboot = ["x"]\n', r":2: layers.web.boot: unknown key 'boot'"),
        ('[bundle]\nversion = "1.4"\nlayout = "tree"\n', r":3: bundle.layout: \"tree\" is not"),
        ("[targets.x]\nregion = 'eu'\n", r":1: targets.x: missing required key 'url'"),
        ("external_presets = ['chef-99']\n", r"unknown preset 'chef-99'"),
        ("[bundle\n", r"invalid TOML"),
        ('[[schemas]]\nfiles = ["a.json"]\nschema = "opsworks-custom"\n', r":3: schemas.0.schema: unknown schema 'opsworks-custom'"),
    ],
)
def test_config_errors_name_key_and_line(tmp_path, text, expected):
    with pytest.raises(LocalError, match=expected):
        load_config(_write(tmp_path, text))


def test_schema_by_builtin_id_or_file(tmp_path):
    (tmp_path / "mine.json").write_text("{}")
    text = ('[[schemas]]\nfiles = ["a.json"]\nschema = "mine.json"\n'
            '[[schemas]]\nfiles = ["b.json"]\n'
            'schema = "https://cookbook-tool.dev/schemas/opsworks-deploy-app.json"\n')
    assert len(load_config(_write(tmp_path, text)).schemas) == 2


def test_presets_make_builtin_names_external(tmp_path):
    config = load_config(_write(tmp_path, 'external_presets = ["opsworks-chef-11.10"]\n'))
    assert config.is_external("opsworks_commons") and not config.is_external("webapp")


def test_config_schema_stays_in_supported_subset():
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in ("properties", "$defs"):
                    assert key in SUPPORTED, key
                for child in value.values() if key in ("properties", "$defs") else [value]:
                    walk(child)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(config_schema())


def test_key_lines_multiline_arrays():
    text = 'a = [\n  "x",\n  "y",\n]\n[t]\nb = 1\n[[arr]]\nc = 2\n[[arr]]\nc = 3\n'
    assert key_lines(text) == {"a": 1, "t": 5, "t.b": 6, "arr.0": 7, "arr.0.c": 8,
                               "arr.1": 9, "arr.1.c": 10}


def test_huge_integer_is_a_local_error(tmp_path):
    with pytest.raises(LocalError, match="unusable value"):
        load_config(_write(tmp_path, "retention = " + "9" * 5000 + "\n"))


def test_readme_configuration_example_works_as_written(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_config(_write(tmp_path, block))
    assert config.chef_version == "11.10" and config.retention == 5
    assert config.is_external("apt") and config.is_external("opsworks_commons")
    assert config.layers["node-app"]["deploy"] == ("db_connect", "nodejs_demo")


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000 + "\n",  # tomllib recurses: RecursionError
        "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "external_cookbooks = " + "[" * 100 + "]" * 100 + "\n",  # parses: refused after
    ],
    ids=["5000-arrays", "3000-inline-tables", "100-arrays"],
)
def test_deep_nesting_is_a_local_error_naming_the_file(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(LocalError, match=r"nested more than 64 levels deep") as raised:
        load_config(path)
    assert raised.value.message.startswith(f"{path}: ")
    result = run_cli("validate", ".", cwd=tmp_path)
    assert result.code == 3, result
    assert f"{path.resolve()}: arrays or tables nested more than 64" in result.stderr, result


def test_nesting_a_configuration_uses_is_accepted(tmp_path):
    text = '[targets.x]\nurl = "out"\n[layers.app]\nsetup = ["a"]\n'
    assert load_config(_write(tmp_path, text)).layers == {"app": {"setup": ("a",)}}
