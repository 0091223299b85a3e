"""The migration plan: one State Manager association running ``AWS-ApplyChefRecipes`` per layer
x lifecycle event that has recipes, pinned to one release, targeting the layer's instances by a
tag. The renderers (CloudFormation, Terraform, CLI documents, JSON) all read this one value.

How OpsWorks' events map (an association without a schedule runs when it is created and on
every new instance that matches its targets; ``aws ssm start-associations-once`` runs it
again):

- setup: an association; it runs on each new instance, as Setup did after boot.
- configure, deploy: associations too (they also run on a new instance, as OpsWorks ran Deploy
  after Setup); run them again on demand with ``start-associations-once``.
- undeploy: no association (it would undeploy on every new instance): an on-demand
  ``aws ssm send-command`` with the same parameters.
- shutdown: no Systems Manager event runs before termination; a note on an Auto Scaling
  lifecycle hook (``autoscaling:EC2_INSTANCE_TERMINATING``) that runs the same command.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.layers import run_list, ssm_run_list
from cookbook_tool.cookbook.opsworks import LIFECYCLE_EVENTS
from cookbook_tool.errors import UsageError
from cookbook_tool.findings import Finding
from cookbook_tool.migrate.attributes import AttributesResult
from cookbook_tool.migrate.document import DOCUMENT_NAME, chef_version_note, document_parameters
from cookbook_tool.migrate.source import ReleaseSource

DEFAULT_TAG_KEY = "opsworks-layer"
ASSOCIATION_EVENTS = ("setup", "configure", "deploy")
_TAG_KEY = re.compile(r"^[\w.:/=+\-@ ]{1,128}$")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass(frozen=True)
class TagTarget:
    key: str
    value: str

    def targets(self) -> list[dict[str, Any]]:
        return [{"Key": f"tag:{self.key}", "Values": [self.value]}]

    @property
    def cli(self) -> str:
        return f"Key=tag:{self.key},Values={self.value}"


@dataclass(frozen=True)
class Association:
    layer: str
    event: str
    name: str  # AssociationName
    target: TagTarget
    parameters: Mapping[str, str]
    recipes: tuple[str, ...]

    @property
    def base_id(self) -> str:
        """Letters and digits of the layer and event: ``JavaAppSetup``."""
        words = re.split(r"[^A-Za-z0-9]+", f"{self.layer} {self.event}")
        return "".join(w[:1].upper() + w[1:] for w in words if w)

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "event": self.event, "AssociationName": self.name,
                "Name": DOCUMENT_NAME, "Targets": self.target.targets(),
                "Parameters": dict(self.parameters), "recipes": list(self.recipes)}


@dataclass(frozen=True)
class OnDemand:
    """An event that is not an association: run by hand (``send-command``) or by a hook."""

    layer: str
    event: str
    target: TagTarget
    parameters: Mapping[str, str]
    recipes: tuple[str, ...]
    note: str

    def command(self) -> str:
        parameters = json.dumps({k: [v] for k, v in self.parameters.items()},
                                separators=(",", ":"))
        return (f"aws ssm send-command --document-name {DOCUMENT_NAME} --targets "
                f"{shlex.quote(self.target.cli)} --parameters {shlex.quote(parameters)}")

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "event": self.event, "Targets": self.target.targets(),
                "Parameters": dict(self.parameters), "recipes": list(self.recipes),
                "note": self.note, "command": self.command()}


@dataclass(frozen=True)
class ExportSettings:
    tag_key: str = DEFAULT_TAG_KEY
    layer_tags: Mapping[str, TagTarget] = field(default_factory=dict)  # per layer
    parameters: Mapping[str, str] = field(default_factory=dict)  # --parameter NAME=VALUE


@dataclass(frozen=True)
class Plan:
    source: ReleaseSource
    associations: tuple[Association, ...]
    on_demand: tuple[OnDemand, ...]
    notes: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    secret_parameters: tuple[str, ...] = ()  # every {{ssm-secure:NAME}} the plan refers to

    def logical_ids(self) -> dict[str, str]:
        """AssociationName -> a unique letters-and-digits id (CloudFormation, Terraform)."""
        ids: dict[str, str] = {}
        used: set[str] = set()
        for association in self.associations:
            candidate, number = association.base_id, 2
            while candidate in used:
                candidate, number = f"{association.base_id}{number}", number + 1
            used.add(candidate)
            ids[association.name] = candidate
        return ids

    def to_json(self) -> dict[str, Any]:
        return {"document": DOCUMENT_NAME, "source": self.source.to_json(),
                "associations": [a.to_json() for a in self.associations],
                "on_demand": [o.to_json() for o in self.on_demand],
                "secret_parameters": list(self.secret_parameters),
                "notes": list(self.notes)}


def build_plan(
    config: Config, source: ReleaseSource, settings: ExportSettings,
    attributes: AttributesResult | None = None,
) -> Plan:
    """Every layer x event with recipes, in the configuration's order."""
    _check_tag_key(settings.tag_key)
    unknown = [layer for layer in settings.layer_tags if layer not in config.layers]
    if unknown:
        raise UsageError(f"--tag names unknown layer {unknown[0]!r} "
                         f"(layers: {', '.join(config.layers)})")
    common = document_parameters(settings.parameters)
    associations: list[Association] = []
    on_demand: list[OnDemand] = []
    for layer in config.layers:
        target = settings.layer_tags.get(layer) or TagTarget(settings.tag_key, layer)
        _check_tag_key(target.key)
        for event in LIFECYCLE_EVENTS:
            recipes = tuple(run_list(config, [layer], event))
            if not recipes:
                continue
            parameters = _parameters(source, recipes, common, attributes, layer)
            if event in ASSOCIATION_EVENTS:
                name = _association_name(config.bundle_name, layer, event)
                associations.append(Association(layer, event, name, target, parameters,
                                                recipes))
            else:
                on_demand.append(OnDemand(layer, event, target, parameters, recipes,
                                          _ON_DEMAND_NOTES[event]))
    _unique_names(associations)
    secrets = {*source.secret_parameters, *(p.name for p in (attributes.parameters
                                                               if attributes else ()))}
    notes = [n for n in (chef_version_note(common), _reference_note(attributes)) if n]
    return Plan(source, tuple(associations), tuple(on_demand), tuple(notes),
                tuple(attributes.findings) if attributes else (), tuple(sorted(secrets)))


def _reference_note(attributes: AttributesResult | None) -> str | None:
    if attributes is None or not attributes.parameters:
        return None
    return ("JsonAttributesContent refers to SecureString parameters ({{ssm-secure:...}}): "
            "create them first (migrate attributes prints the commands), and try one "
            "association on a test instance: AWS documents such references in SourceInfo, "
            "not inside JsonAttributesContent")


_ON_DEMAND_NOTES = {
    "undeploy": "not an association: an association also runs on every new instance, which "
                "would undeploy there; run this command when an app is removed",
    "shutdown": "Systems Manager has no event before termination: run this command from an "
                "Auto Scaling lifecycle hook (autoscaling:EC2_INSTANCE_TERMINATING), e.g. an "
                "EventBridge rule starting it, then complete the lifecycle action",
}


def _parameters(
    source: ReleaseSource, recipes: tuple[str, ...], common: Mapping[str, str],
    attributes: AttributesResult | None, layer: str,
) -> dict[str, str]:
    parameters = {"SourceType": source.source_type, "SourceInfo": source.source_info_json,
                  "RunList": ssm_run_list([r.strip() for r in recipes])}
    if attributes is not None and attributes.layers[layer].content:
        parameters["JsonAttributesContent"] = attributes.layers[layer].json
    parameters.update(common)
    return parameters


def _association_name(bundle: str, layer: str, event: str) -> str:
    """``^[a-zA-Z0-9_\\-.]{3,128}$`` (CreateAssociation's AssociationName)."""
    return _NAME_UNSAFE.sub("-", f"{bundle}-{layer}-{event}")[:128]


def _unique_names(associations: list[Association]) -> None:
    seen: dict[str, Association] = {}
    for association in associations:
        other = seen.get(association.name)
        if other is not None:
            raise UsageError(
                f"layers {other.layer!r} and {association.layer!r} give the same association "
                f"name {association.name!r}: rename one layer"
            )
        seen[association.name] = association


def _check_tag_key(key: str) -> None:
    if not _TAG_KEY.match(key) or key.lower().startswith("aws:"):
        raise UsageError(f"tag key {key!r}: 1 to 128 letters, digits, spaces or _.:/=+-@, "
                         "not starting with aws:")


def parse_layer_tag(text: str) -> tuple[str, TagTarget]:
    """``LAYER=KEY=VALUE`` (``--tag``) -> the layer and its tag."""
    layer, sep, rest = text.partition("=")
    key, sep2, value = rest.partition("=")
    if not (sep and sep2 and layer and key and value):
        raise UsageError(f"--tag {text!r}: use LAYER=KEY=VALUE, e.g. java-app=Role=java")
    return layer, TagTarget(key, value)
