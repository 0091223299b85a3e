"""The core functions the ``migrate`` commands call, one each: they take the configuration and
the command's settings, read the files they name, and return values (nothing printed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.config.load import Config
from cookbook_tool.config.mappings import mapped_files
from cookbook_tool.config.target_kinds import target_kind
from cookbook_tool.customjson.jsonpos import read_json_file
from cookbook_tool.errors import UsageError
from cookbook_tool.findings import Finding
from cookbook_tool.migrate.attributes import (
    AttributeFile,
    AttributesResult,
    AttributesSettings,
    build_attributes,
)
from cookbook_tool.migrate.check import ReadinessSettings, readiness
from cookbook_tool.migrate.plan import ExportSettings, Plan, build_plan
from cookbook_tool.migrate.source import choose_target, release_source

# (target name, version or None for the current one) -> (version, the tag's commit or None):
# what the release at a target is, asked through the publish API (the CLI provides it).
ReleaseLookup = Callable[[str, str | None], tuple[str, str | None]]
CURRENT = "current"

CUSTOM_JSON_SCHEMA = "opsworks-custom-json"


@dataclass(frozen=True)
class AttributeInputs:
    """The custom JSON files: ``stack`` (default: the files ``[[schemas]]`` maps to
    ``opsworks-custom-json``, without the layer and deployment files), per layer, deployment."""

    stack: tuple[Path, ...] | None = None
    layers: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    deployment: tuple[Path, ...] = ()
    parameter_prefix: str | None = None  # default: "/" + the bundle name


@dataclass(frozen=True)
class ExportRequest:
    target: str | None = None
    version: str | None = None
    commit: str | None = None
    ssh_key_parameter: str = "cookbook-deploy-key"
    export: ExportSettings = field(default_factory=ExportSettings)
    attributes: AttributeInputs | None = field(default_factory=AttributeInputs)  # None: none
    lookup: ReleaseLookup | None = None  # None: nothing is asked of the target


def export_plan(config: Config, request: ExportRequest, cwd: Path) -> Plan:
    """The associations for the release at the chosen target (see ``plan``)."""
    _need_layers(config)
    target = choose_target(config, request.target)
    version, commit = _pinned(config, target.name, target.url, request)
    source = release_source(config, target, version, commit=commit,
                            ssh_key_parameter=request.ssh_key_parameter)
    attributes = (None if request.attributes is None
                  else layer_attributes(config, request.attributes, cwd))
    return build_plan(config, source, request.export, attributes)


def _pinned(
    config: Config, name: str, url: str, request: ExportRequest
) -> tuple[str | None, str | None]:
    """The version (``current``: the target's current one, resolved to its number) and, for a
    Git target, the release tag's commit: from the request, else asked of the target."""
    version = request.version or config.bundle_version
    unknown = version in (None, CURRENT)
    needs_commit = target_kind(url) == "git" and request.commit is None
    if request.lookup is None and version == CURRENT:
        raise UsageError("--version current asks the target which release is current: give "
                         "the version instead when working offline")
    if not (unknown or needs_commit) or request.lookup is None:
        return version, request.commit
    found, commit = request.lookup(name, None if unknown else version)
    return found, request.commit or commit


def layer_attributes(config: Config, inputs: AttributeInputs, cwd: Path) -> AttributesResult:
    _need_layers(config)
    files = attribute_files(config, inputs, cwd)
    prefix = inputs.parameter_prefix or f"/{config.bundle_name}"
    return build_attributes(AttributesSettings(files, tuple(config.layers), prefix))


def attribute_files(
    config: Config, inputs: AttributeInputs, cwd: Path
) -> tuple[AttributeFile, ...]:
    named = {p.resolve() for paths in inputs.layers.values() for p in paths}
    named |= {p.resolve() for p in inputs.deployment}
    if inputs.stack is not None:
        stack: Sequence[Path] = inputs.stack
    elif config.base_dir is not None:
        mappings = [m for m in config.schemas if m.schema == CUSTOM_JSON_SCHEMA]
        stack = [p for p in mapped_files(config.base_dir, mappings) if p.resolve() not in named]
    else:
        stack = []
    files = [AttributeFile(p, _shown(p, cwd), "stack") for p in stack]
    files += [AttributeFile(p, _shown(p, cwd), "layer", layer)
              for layer, paths in inputs.layers.items() for p in paths]
    files += [AttributeFile(p, _shown(p, cwd), "deployment") for p in inputs.deployment]
    return tuple(files)


def _shown(path: Path, cwd: Path) -> str:
    absolute = path if path.is_absolute() else cwd / path
    try:
        return absolute.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _need_layers(config: Config) -> None:
    if config.file is None:
        raise UsageError("no cookbook-tool.toml here or above: run `cookbook-tool new config`")
    if not config.layers:
        raise UsageError(f"{config.file}: no [layers.NAME] tables: add the stack's layers first")


def readiness_check(
    config: Config, root: Path, runner: str, chef_version: int, cwd: Path
) -> list[Finding]:
    """``migrate check``: the rules of ``check`` over the repository at ``root``; the top-level
    keys of the stack's custom JSON count as supplied attributes (``node[:deploy]``...)."""
    supplied: set[str] = set()
    for item in attribute_files(config, AttributeInputs(), cwd):
        read = read_json_file(item.path)
        if read.document is not None and isinstance(read.document.value, dict):
            supplied.update(read.document.value)
    return readiness(config, ReadinessSettings(root, runner, chef_version, frozenset(supplied)))
