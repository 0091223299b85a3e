"""What the migrate tests share: the sample stack with release targets, and the three offline
validators (cfn-lint, python-hcl2, botocore's ssm model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli import ROOT, Result, run_cli
from tests.samples import copy_sample

SAMPLE = ROOT / "sample_cookbooks" / "opsworks-stack"
GOLDEN = Path(__file__).parent / "data" / "migrate" / "golden"
LEGACY = Path(__file__).parent / "data" / "migrate" / "legacy-stack"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
SAMPLE_SECRETS = ("correct-horse-battery-staple", "tr0ub4dor&3")
TARGETS = """
[targets.prod]
url = "s3://acme-cookbooks/opsworks"
region = "us-west-2"

[targets.git]
url = "git+ssh://git@git.example.com/acme/cookbooks.git"
"""


def sample_with_targets(folder: Path) -> Path:
    """The sample stack plus an S3 and a Git release target."""
    root = copy_sample(SAMPLE, folder)
    with (root / "cookbook-tool.toml").open("a", encoding="utf-8") as out:
        out.write(TARGETS)
    return root


def export(root: Path, *args: str) -> Result:
    return run_cli("migrate", "export", *args, cwd=root)


def git_args() -> tuple[str, ...]:
    return ("--target", "git", "--commit", COMMIT)


def cfn_errors(text: str) -> list[str]:
    """cfn-lint's errors (E rules) for a template, against AWS's resource specification."""
    from cfnlint.api import ManualArgs, lint

    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    return [str(m) for m in matches if m.rule.id.startswith("E")]


def association_shape() -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ssm")
    return model.operation_model("CreateAssociation").input_shape


def botocore_report(document: dict[str, Any]) -> str:
    """botocore's parameter validation of a CreateAssociation request ('' when valid)."""
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(document, association_shape())
    return report.generate_report() if report.has_errors() else ""


def hcl(text: str) -> dict[str, Any]:
    """python-hcl2's parse, with its quoted strings decoded (8.x keeps the quotes)."""
    import hcl2

    return _unquote(hcl2.loads(text))


def _unquote(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        decoded: Any = json.loads(value)
        return decoded
    return value
