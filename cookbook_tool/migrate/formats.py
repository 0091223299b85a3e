"""The output formats of ``migrate export``: a table of renderers over one ``Plan``.

- ``cloudformation`` (YAML; ``cloudformation-json`` for JSON), ``terraform``;
- ``cli``: one ``aws ssm create-association --cli-input-json`` document per association (a JSON
  list of ``{"file", "command", "document"}``), each a valid ``CreateAssociation`` request;
- ``json``: the neutral plan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cookbook_tool.migrate.cloudformation import render_json, render_yaml
from cookbook_tool.migrate.document import DOCUMENT_NAME
from cookbook_tool.migrate.plan import Plan
from cookbook_tool.migrate.terraform import render_terraform


def create_association_input(plan: Plan) -> list[dict[str, Any]]:
    """Per association: a ``CreateAssociation`` request and the command that sends it."""
    documents = []
    for association in plan.associations:
        request = {
            "Name": DOCUMENT_NAME,
            "AssociationName": association.name,
            "Targets": association.target.targets(),
            "Parameters": {k: [v] for k, v in association.parameters.items()},
        }
        file = f"{association.name}.json"
        documents.append({"file": file, "document": request,
                          "command": f"aws ssm create-association --cli-input-json file://{file}"})
    return documents


def render_cli(plan: Plan) -> str:
    return json.dumps(create_association_input(plan), indent=2, ensure_ascii=False) + "\n"


def render_plan(plan: Plan) -> str:
    return json.dumps({"version": 1, "command": "migrate export", **plan.to_json()},
                      indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "cloudformation": render_yaml,
    "cloudformation-json": render_json,
    "terraform": render_terraform,
    "cli": render_cli,
    "json": render_plan,
}
