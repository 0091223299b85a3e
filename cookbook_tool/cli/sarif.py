"""SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cookbook_tool import __version__
from cookbook_tool.findings import Finding, Severity, sort_findings

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_failure(message: str) -> dict[str, Any]:
    """The document of a run that could not check anything (a bad path, an unreadable schema):
    no results, and the error as a tool execution notification, so that a code-scanning upload
    step still has a file and shows why."""
    document = sarif_document([])
    document["runs"][0]["invocations"] = [{
        "executionSuccessful": False,
        "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
    }]
    return document


# SARIF 2.1.0 result levels: "note" is its word for information.
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}


def sarif_document(findings: Iterable[Finding]) -> dict[str, Any]:
    ordered = sort_findings(findings)
    rules = sorted({f.rule for f in ordered})
    results = []
    for finding in ordered:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": _message(finding)},
        }
        if finding.file:
            region: dict[str, int] = {}
            if finding.line is not None:
                region["startLine"] = finding.line
                if finding.column is not None:
                    region["startColumn"] = finding.column
            location: dict[str, Any] = {"artifactLocation": {"uri": finding.file}}
            if region:
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cookbook-tool",
                        "version": __version__,
                        "informationUri": "https://github.com/cookbook-tool/cookbook-tool",
                        "rules": [{"id": rule} for rule in rules],
                    }
                },
                "results": results,
            }
        ],
    }


def _message(finding: Finding) -> str:
    return f"{finding.path}: {finding.message}" if finding.path else finding.message
