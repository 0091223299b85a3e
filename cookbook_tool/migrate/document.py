"""The ``AWS-ApplyChefRecipes`` document's parameters: their names, the values AWS accepts, and
the defaults cookbook-tool chooses (Systems Manager User Guide, "Creating associations that run
Chef recipes").

``ChefClientVersion`` defaults to ``None``: with a version (11..18) the document installs Chef
through Chef's omnitruck installer, which stopped serving unlicensed downloads during 2026, so
the association fails before any recipe runs. Bake Cinc (or a licensed Chef) into the image and
let the document use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cookbook_tool.errors import UsageError
from cookbook_tool.text import did_you_mean

DOCUMENT_NAME = "AWS-ApplyChefRecipes"

# Set by the plan itself (from the release and the layers), never by hand.
DERIVED = ("SourceType", "SourceInfo", "RunList", "JsonAttributesContent")
# What a user may set with --parameter NAME=VALUE.
SETTABLE = (
    "JsonAttributesSources", "ChefClientVersion", "ChefClientArguments", "WhyRun",
    "ComplianceSeverity", "ComplianceType", "ComplianceReportBucket", "ChefExecutionTimeout",
)
PARAMETER_NAMES = (*DERIVED, *SETTABLE)

DEFAULTS: Mapping[str, str] = {
    "ChefClientVersion": "None",
    "WhyRun": "False",
    "ComplianceSeverity": "None",
    "ComplianceType": "Custom:Chef",
}
CHEF_CLIENT_VERSIONS = (*(str(v) for v in range(11, 19)), "None")
COMPLIANCE_SEVERITIES = (
    "Critical", "High", "Medium", "Low", "Informational", "Unspecified", "None",
)
SOURCE_TYPES = ("Git", "GitHub", "HTTP", "S3")
_COMPLIANCE_TYPE = re.compile(r"^(Association|Custom:[A-Za-z0-9_\-]+)$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


def document_parameters(overrides: Mapping[str, str]) -> dict[str, str]:
    """The defaults with ``overrides`` applied; an unknown, misspelled or derived name, or a
    value the document refuses, is a ``UsageError`` naming it."""
    parameters = dict(DEFAULTS)
    for name, value in overrides.items():
        if name in DERIVED:
            raise UsageError(
                f"parameter {name!r} is derived from the release and the layers; it cannot be "
                "set with --parameter"
            )
        if name not in SETTABLE:
            hint = did_you_mean(name, list(PARAMETER_NAMES))
            raise UsageError(
                f"{DOCUMENT_NAME} has no parameter {name!r}{hint}; settable: {', '.join(SETTABLE)}"
            )
        _check_value(name, value)
        parameters[name] = value
    return parameters


def _check_value(name: str, value: str) -> None:
    problem = _problem(name, value)
    if problem:
        raise UsageError(f"parameter {name}={value!r}: {problem}")


def _problem(name: str, value: str) -> str | None:
    if name == "ChefClientVersion" and value not in CHEF_CLIENT_VERSIONS:
        return "use 11 to 18, or None (Chef already on the instance; the default)"
    if name == "WhyRun" and value not in ("True", "False"):
        return "use True or False"
    if name == "ComplianceSeverity" and value not in COMPLIANCE_SEVERITIES:
        return f"use one of {', '.join(COMPLIANCE_SEVERITIES)}"
    if name == "ComplianceType" and not _COMPLIANCE_TYPE.match(value):
        return "use Association or Custom:NAME (default Custom:Chef)"
    if name == "ComplianceReportBucket" and not _BUCKET.match(value):
        return "give an S3 bucket name (not a URL)"
    if name == "ChefExecutionTimeout" and not (value.isdigit() and int(value) > 0):
        return "give a number of seconds"
    return None


def chef_version_note(parameters: Mapping[str, str]) -> str | None:
    """A warning when the document is asked to install Chef itself."""
    version = parameters.get("ChefClientVersion", "None")
    if version == "None":
        return None
    return (
        f"ChefClientVersion {version}: the document installs Chef {version} through Chef's "
        "omnitruck installer, which stopped serving unlicensed downloads during 2026; the run "
        "is likely to fail before any recipe runs. Bake Cinc or a licensed Chef into the image "
        "and use ChefClientVersion None"
    )
