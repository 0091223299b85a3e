"""The target kinds declared in ``config.target_kinds`` are the one source of their options: the
published configuration schema, ``TargetOptions``, the renames and the command line agree."""

from __future__ import annotations

import json
import typing
from dataclasses import fields
from pathlib import Path

from cookbook_tool.cli.targets import _TARGET_PARAMETERS
from cookbook_tool.config.target_kinds import (
    KINDS,
    all_options,
    path_keys,
    renamed_keys,
    target_schema_properties,
)
from cookbook_tool.publish.base import TargetOptions

ROOT = Path(__file__).resolve().parent.parent


def test_the_published_schema_lists_exactly_the_declared_target_options() -> None:
    schema = json.loads((ROOT / "schemas/cookbook-tool-config.json").read_text())
    target = schema["$defs"]["target"]
    derived = json.dumps(target_schema_properties(), indent=2, sort_keys=True)
    assert target["properties"] == target_schema_properties(), (
        f"update $defs/target/properties in schemas/cookbook-tool-config.json to:\n{derived}"
    )
    assert (target["additionalProperties"], target["required"]) == (False, ["url"])


def test_every_declared_option_is_a_typed_field_of_target_options() -> None:
    hints = typing.get_type_hints(TargetOptions)
    declared = {option.field: option for option in all_options()}
    assert set(hints) - {"environ"} == set(declared)
    for name, option in declared.items():
        assert hints[name] is option.type or option.type in typing.get_args(hints[name]), name


def test_renames_and_paths_come_from_the_declarations() -> None:
    assert renamed_keys() == {"presign": "presign_seconds"}
    assert path_keys() == {"ssh_key", "known_hosts"}
    assert KINDS["file"].config_keys == frozenset()
    assert KINDS["s3"].config_keys == {
        "region",
        "profile",
        "endpoint_url",
        "sse",
        "sse_kms_key_id",
        "presign",
    }
    assert KINDS["git"].config_keys == {
        "branch",
        "tag_pattern",
        "ssh_key",
        "known_hosts",
        "token_env",
    }


def test_the_command_line_takes_every_declared_option() -> None:
    names = [name for name, _, _ in _TARGET_PARAMETERS]
    assert names == ["to", *(option.field for option in all_options())]
    flags = {parameter.param_decls[0] for _, _, parameter in _TARGET_PARAMETERS}
    assert {"--presign", "--sse-kms-key-id", "--ssh-key", "--retention"} <= flags
    assert {f.name for f in fields(TargetOptions)} - {"environ"} == set(names) - {"to"}
