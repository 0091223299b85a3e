"""``JsonAttributesContent`` per layer from the custom JSON the repository keeps.

OpsWorks merged custom JSON with deployment > layer > stack precedence: objects merge key by key,
any other value (a string, a number, a list) replaces the lower one. The ``deploy[app]``
attributes come along as the custom JSON holds them (OpsWorks added more from its app
definitions; those are gone with the service). Every value keeps the file it came from.

Values under secret keys (``customjson.secrets.is_secret_key``: ``password``, ``*_key``, ...)
never stay in clear: each becomes a ``{{ssm-secure:NAME}}`` reference, and the result lists the
Parameter Store parameters to create (``aws ssm put-parameter`` reading the value from the file
with ``jq``, so it is never printed). Parameter Store holds at most 4 KB (Standard tier) or 8 KB
(Advanced tier) per value: the tier is chosen by size, a larger value is an error.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cookbook_tool.customjson.jsonpos import JsonDocument, read_json_file
from cookbook_tool.customjson.secrets import plaintext_secrets
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.findings import Finding, error, warning
from cookbook_tool.migrate.source import check_parameter_name

STANDARD_LIMIT = 4096
ADVANCED_LIMIT = 8192
LEVELS = ("stack", "layer", "deployment")  # lowest precedence first
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class AttributeFile:
    """One custom JSON file: its path, how it is shown, and its level."""

    path: Path
    shown: str
    level: str  # stack | layer | deployment
    layer: str | None = None  # for level "layer"


@dataclass(frozen=True)
class AttributesSettings:
    files: tuple[AttributeFile, ...]
    layers: tuple[str, ...]  # every layer of the configuration
    parameter_prefix: str  # e.g. "/cookbooks"


@dataclass(frozen=True)
class SecretParameter:
    name: str
    source: str  # the file it comes from, as shown
    path: Path_  # where in that file
    size: int  # bytes
    tier: str  # Standard | Advanced

    @property
    def reference(self) -> str:
        return "{{ssm-secure:" + self.name + "}}"

    def command(self) -> str:
        """``aws ssm put-parameter`` reading the value with jq: the value is never printed."""
        getpath = "getpath(" + json.dumps(list(self.path), ensure_ascii=False) + ")"
        read = f"$(jq -r {shlex.quote(getpath)} {shlex.quote(self.source)})"
        return (f"aws ssm put-parameter --name {shlex.quote(self.name)} --type SecureString "
                f"--tier {self.tier} --value \"{read}\"")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": "SecureString", "tier": self.tier,
                "bytes": self.size, "source": self.source, "path": pointer(self.path),
                "command": self.command()}


@dataclass(frozen=True)
class LayerAttributes:
    layer: str
    content: dict[str, Any]  # secrets replaced by references
    sources: dict[str, str]  # JSON pointer of each value -> the file it came from

    @property
    def json(self) -> str:
        return json.dumps(self.content, separators=(",", ":"), ensure_ascii=False)

    def to_json(self) -> dict[str, Any]:
        return {"content": self.content, "JsonAttributesContent": self.json,
                "bytes": len(self.json.encode()), "sources": self.sources}


@dataclass(frozen=True)
class AttributesResult:
    layers: dict[str, LayerAttributes]
    parameters: list[SecretParameter]
    findings: list[Finding] = field(default_factory=list)
    files: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"files": list(self.files),
                "layers": {name: layer.to_json() for name, layer in self.layers.items()},
                "parameters": [p.to_json() for p in self.parameters]}


def pointer(path: Path_) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def build_attributes(settings: AttributesSettings) -> AttributesResult:
    """Merge, trace and extract the secrets of every layer's attributes."""
    check_parameter_name(settings.parameter_prefix)
    unknown = [f.layer for f in settings.files if f.layer and f.layer not in settings.layers]
    if unknown:
        raise UsageError(f"unknown layer {unknown[0]!r} (layers: {', '.join(settings.layers)})")
    documents = {f.shown: _read(f) for f in settings.files}
    ordered = sorted(settings.files, key=lambda f: LEVELS.index(f.level))
    layers: dict[str, LayerAttributes] = {}
    parameters: dict[str, SecretParameter] = {}
    findings: list[Finding] = []
    for layer in settings.layers:
        merged: dict[str, Any] = {}
        sources: dict[Path_, AttributeFile] = {}
        for item in ordered:
            if item.level != "layer" or item.layer == layer:
                _merge(merged, sources, _object(documents[item.shown], item), item, ())
        content, found = _extract(merged, sources, layer, settings.parameter_prefix)
        for parameter in found:
            if parameter.name not in parameters:
                parameters[parameter.name] = parameter
                findings.extend(_size_findings(parameter, documents[parameter.source]))
        shown = {pointer(p): f.shown for p, f in sorted(sources.items(), key=_path_key)}
        layers[layer] = LayerAttributes(layer, content, shown)
    return AttributesResult(layers, sorted(parameters.values(), key=lambda p: p.name),
                            findings, tuple(f.shown for f in settings.files))


def _path_key(item: tuple[Path_, AttributeFile]) -> tuple[str, ...]:
    return tuple(str(p) for p in item[0])


def _read(item: AttributeFile) -> JsonDocument:
    result = read_json_file(item.path)
    if result.document is None:
        problem = result.problems[0]
        where = ":".join(str(p) for p in (item.shown, problem.line, problem.column) if p)
        raise LocalError(f"{where}: {problem.message}")
    return result.document


def _object(document: JsonDocument, item: AttributeFile) -> dict[str, Any]:
    if not isinstance(document.value, dict):
        raise LocalError(f"{item.shown}: custom JSON must be a JSON object")
    return document.value


def _merge(
    into: dict[str, Any], sources: dict[Path_, AttributeFile], value: Mapping[str, Any],
    item: AttributeFile, at: Path_,
) -> None:
    for key, child in value.items():
        path = (*at, key)
        if isinstance(child, dict) and child and isinstance(into.get(key), dict):
            sources.pop(path, None)  # an empty object it replaces
            _merge(into[key], sources, child, item, path)
            continue
        for stale in [p for p in sources if p[: len(path)] == path]:
            del sources[stale]
        into[key] = copy.deepcopy(child)
        for leaf in _leaves(child, path):
            sources[leaf] = item


def _leaves(value: object, at: Path_) -> Iterator[Path_]:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from _leaves(child, (*at, key))
    else:
        yield at


def _extract(
    merged: dict[str, Any], sources: Mapping[Path_, AttributeFile], layer: str, prefix: str
) -> tuple[dict[str, Any], list[SecretParameter]]:
    """A copy of ``merged`` with each plaintext secret replaced by a reference."""
    content = copy.deepcopy(merged)
    found: list[SecretParameter] = []
    for path, _key in sorted(plaintext_secrets(merged), key=lambda s: [str(p) for p in s[0]]):
        origin = sources[path]
        value = _get(merged, path)
        scope = "" if origin.level == "stack" else f"/{layer}"
        name = prefix.rstrip("/") + scope + "".join("/" + _UNSAFE.sub("_", str(p)) for p in path)
        size = len(value.encode())
        tier = "Standard" if size <= STANDARD_LIMIT else "Advanced"
        parameter = SecretParameter(name, origin.shown, path, size, tier)
        _set(content, path, parameter.reference)
        found.append(parameter)
    return content, found


def _get(document: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        document = document[part]
    return document


def _set(document: Any, path: Sequence[str | int], value: object) -> None:
    _get(document, path[:-1])[path[-1]] = value


def _size_findings(parameter: SecretParameter, document: JsonDocument) -> list[Finding]:
    line, column = document.locate(parameter.path)
    where = (parameter.source, line, column)
    at = pointer(parameter.path)
    if parameter.size > ADVANCED_LIMIT:
        return [error(
            "migrate-parameter-too-large",
            f"this secret is {parameter.size:,} bytes: a Parameter Store value holds at most "
            f"{ADVANCED_LIMIT:,} bytes (Advanced tier); store it in S3 or Secrets Manager and "
            "read it from the recipe", *where, path=at)]
    if parameter.tier == "Advanced":
        return [warning(
            "migrate-parameter-advanced",
            f"this secret is {parameter.size:,} bytes, over the Standard tier's "
            f"{STANDARD_LIMIT:,}: {parameter.name} is created in the Advanced tier (charged "
            "per parameter and month)", *where, path=at)]
    return []
