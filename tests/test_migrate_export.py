"""``migrate export``: associations for every layer x event of the sample stack, in each
format, checked by golden files and by AWS's own models (cfn-lint, botocore) and python-hcl2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.migrate_helpers import (
    COMMIT,
    GOLDEN,
    SAMPLE,
    SAMPLE_SECRETS,
    botocore_report,
    cfn_errors,
    export,
    git_args,
    hcl,
    sample_with_targets,
)
from tests.samples import copy_sample

FORMATS = {
    "cloudformation": "cloudformation.yaml",
    "cloudformation-json": "cloudformation.json",
    "terraform": "main.tf",
    "cli": "cli.json",
    "json": "plan.json",
}
S3_URL = ("https://acme-cookbooks.s3.us-west-2.amazonaws.com/opsworks/cookbooks/1.4.0/"
          "cookbooks-1.4.0.tar.gz")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_with_targets(tmp_path_factory.mktemp("migrate") / "stack")


def _stdout(root: Path, *args: str) -> str:
    result = export(root, *args)
    assert result.code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(stack: Path, fmt: str) -> None:
    text = _stdout(stack, "--target", "prod", "--format", fmt)
    golden = GOLDEN / FORMATS[fmt]
    if os.environ.get("MIGRATE_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["cloudformation", "cloudformation-json"])
@pytest.mark.parametrize("source", ["s3", "git"])
def test_cfn_lint_finds_no_error(stack: Path, fmt: str, source: str) -> None:
    args = ("--target", "prod") if source == "s3" else git_args()
    text = _stdout(stack, *args, "--format", fmt)
    assert cfn_errors(text) == []


def test_cfn_lint_does_see_a_broken_association(stack: Path) -> None:
    """The validator is real: a Parameters value that is not a list of strings is an error."""
    document = json.loads(_stdout(stack, "--target", "prod", "--format", "cloudformation-json"))
    properties = document["Resources"]["JavaAppSetup"]["Properties"]
    properties["Parameters"]["RunList"] = {"not": "a list"}
    del properties["Name"]
    assert cfn_errors(json.dumps(document))


@pytest.mark.parametrize("source", ["s3", "git"])
def test_every_cli_document_is_a_valid_create_association_request(
    stack: Path, source: str
) -> None:
    args = ("--target", "prod") if source == "s3" else git_args()
    documents = json.loads(_stdout(stack, *args, "--format", "cli"))
    assert [d["file"] for d in documents] == [
        "cookbooks-java-app-setup.json", "cookbooks-java-app-deploy.json",
        "cookbooks-node-app-setup.json", "cookbooks-node-app-deploy.json"]
    for item in documents:
        assert botocore_report(item["document"]) == ""
        assert item["command"] == f"aws ssm create-association --cli-input-json file://{item['file']}"
    broken = dict(documents[0]["document"], Parameters={"RunList": "recipe[x]"}, Bogus=1)
    assert "Bogus" in botocore_report(broken)


def test_terraform_parses_with_the_plan_s_arguments(stack: Path) -> None:
    plan = json.loads(_stdout(stack, "--target", "prod", "--format", "json"))
    parsed = hcl(_stdout(stack, "--target", "prod", "--format", "terraform"))
    resources = {name: body for block in parsed["resource"]
                 for kind, named in block.items() if kind == "aws_ssm_association"
                 for name, body in named.items()}
    assert list(resources) == ["java_app_setup", "java_app_deploy", "node_app_setup",
                               "node_app_deploy"]
    for association, body in zip(plan["associations"], resources.values(), strict=True):
        assert body["name"] == "AWS-ApplyChefRecipes"
        assert body["association_name"] == association["AssociationName"]
        assert body["parameters"] == association["Parameters"]
        assert body["targets"] == [{"key": t["Key"], "values": t["Values"]}
                                   for t in association["Targets"]]
    outputs = {name for block in parsed["output"] for name in block}
    assert "java_app_setup_run_again" in outputs


def test_hcl_strings_never_interpolate(tmp_path: Path) -> None:
    root = sample_with_targets(tmp_path / "stack")
    (root / "stack" / "custom.json").write_text(
        json.dumps({"app": {"greeting": "${var.x} and %{ if true }"}}), encoding="utf-8")
    parsed = hcl(_stdout(root, "--target", "prod", "--format", "terraform"))
    body = parsed["resource"][0]["aws_ssm_association"]["java_app_setup"]
    content = json.loads(body["parameters"]["JsonAttributesContent"].replace("$${", "${")
                         .replace("%%{", "%{"))
    assert content == {"app": {"greeting": "${var.x} and %{ if true }"}}


def test_s3_release_is_the_versioned_object_never_current(stack: Path) -> None:
    plan = json.loads(_stdout(stack, "--target", "prod", "--format", "json"))
    assert plan["source"]["pinned_to"] == S3_URL
    for association in plan["associations"]:
        assert json.loads(association["Parameters"]["SourceInfo"]) == {"path": S3_URL}
        assert association["Parameters"]["SourceType"] == "S3"
    other = json.loads(_stdout(stack, "--target", "prod", "--version", "1.3.9", "--format",
                               "json"))
    assert other["source"]["SourceInfo"]["path"].endswith("/1.3.9/cookbooks-1.3.9.tar.gz")


def test_git_release_is_pinned_by_commit_with_a_key_reference(stack: Path) -> None:
    plan = json.loads(_stdout(stack, *git_args(), "--ssh-key-parameter", "/acme/deploy-key",
                              "--format", "json"))
    info = json.loads(plan["associations"][0]["Parameters"]["SourceInfo"])
    assert info == {"repository": "ssh://git@git.example.com/acme/cookbooks.git",
                    "privateSSHKey": "{{ssm-secure:/acme/deploy-key}}",
                    "getOptions": f"commitID:{COMMIT}"}
    assert plan["source"]["pinned_to"] == f"cookbooks-1.4.0 ({COMMIT})"
    assert "/acme/deploy-key" in plan["secret_parameters"]


@pytest.mark.parametrize(("args", "expected"), [
    (("--target", "git", "--offline"), "pass --commit SHA, the commit of tag 'cookbooks-1.4.0'"),
    (("--target", "git", "--commit", "HEAD"), "'HEAD' is not a full 40-hex commit id"),
    (("--target", "prod", "--version", "../x"), "cannot be used in a release path"),
    (("--target", "prod", "--version", "current", "--offline"), "give the version instead"),
    ((), "several S3/Git targets (prod, git): choose one with --target"),
    (("--target", "prd"), "no target 'prd' in the configuration (did you mean 'prod'?)"),
    (("--target", "prod", "--parameter", "WhyRunn=True"), "(did you mean 'WhyRun'?)"),
    (("--target", "prod", "--parameter", "RunList=recipe[x]"), "derived from the release"),
    (("--target", "prod", "--parameter", "ChefClientVersion=19"), "use 11 to 18, or None"),
    (("--target", "prod", "--tag", "nope=Role=x"), "unknown layer 'nope'"),
    (("--target", "prod", "--tag", "java-app"), "use LAYER=KEY=VALUE"),
    (("--target", "prod", "--tag-key", "aws:layer"), "not starting with aws:"),
])
def test_refused_with_one_clear_line(stack: Path, args: tuple[str, ...], expected: str) -> None:
    result = export(stack, *args)
    assert result.code == 2, result.stderr
    assert expected in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_a_folder_target_is_refused(tmp_path: Path) -> None:
    root = copy_sample(SAMPLE, tmp_path / "stack")
    result = export(root)
    assert result.code == 2
    assert "no S3 or Git target in the configuration" in result.stderr
    named = export(root, "--target", "local")
    assert "is a folder: Systems Manager reads cookbooks from S3, HTTP or Git" in named.stderr


def test_defaults_chef_client_version_none_and_the_layer_tag(stack: Path) -> None:
    plan = json.loads(_stdout(stack, "--target", "prod", "--format", "json"))
    for association in plan["associations"]:
        assert association["Parameters"]["ChefClientVersion"] == "None"
        assert association["Targets"] == [{"Key": "tag:opsworks-layer",
                                           "Values": [association["layer"]]}]
    assert len(plan["notes"]) == 1
    assert "try one association on a test instance" in plan["notes"][0]
    bare = json.loads(_stdout(stack, "--target", "prod", "--no-attributes", "--format", "json"))
    assert bare["notes"] == []


def test_a_chef_version_is_allowed_with_a_warning(stack: Path) -> None:
    result = export(stack, "--target", "prod", "--parameter", "ChefClientVersion=18",
                    "--format", "json")
    assert result.code == 0
    plan = json.loads(result.stdout)
    assert plan["associations"][0]["Parameters"]["ChefClientVersion"] == "18"
    assert "omnitruck" in plan["notes"][0]
    assert "Cinc" in plan["notes"][0]
    assert "stopped serving unlicensed downloads" in result.stderr


def test_tags_per_layer_and_tag_key(stack: Path) -> None:
    plan = json.loads(_stdout(stack, "--target", "prod", "--tag-key", "Layer", "--tag",
                              "node-app=Role=node", "--format", "json"))
    targets = {a["layer"]: a["Targets"] for a in plan["associations"]}
    assert targets == {"java-app": [{"Key": "tag:Layer", "Values": ["java-app"]}],
                       "node-app": [{"Key": "tag:Role", "Values": ["node"]}]}


def test_events_map_to_associations_and_on_demand_commands(tmp_path: Path) -> None:
    root = sample_with_targets(tmp_path / "stack")
    config = root / "cookbook-tool.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[layers.node-app]\nsetup = ["nodejs_demo"]',
        '[layers.node-app]\nsetup = ["nodejs_demo", "db_connect", "nodejs_demo::default"]\n'
        'configure = ["db_connect"]\nundeploy = ["nodejs_demo"]\nshutdown = ["db_connect"]'),
        encoding="utf-8")
    result = export(root, "--target", "prod", "--format", "json")
    assert result.code == 0, result.stderr
    plan = json.loads(result.stdout)
    events = [(a["layer"], a["event"]) for a in plan["associations"]]
    assert events == [("java-app", "setup"), ("java-app", "deploy"), ("node-app", "setup"),
                      ("node-app", "configure"), ("node-app", "deploy")]
    setup = plan["associations"][2]["Parameters"]["RunList"]
    assert setup == "recipe[nodejs_demo],recipe[db_connect]"
    on_demand = {o["event"]: o for o in plan["on_demand"]}
    assert list(on_demand) == ["undeploy", "shutdown"]
    assert on_demand["undeploy"]["command"].startswith(
        "aws ssm send-command --document-name AWS-ApplyChefRecipes --targets "
        "Key=tag:opsworks-layer,Values=node-app --parameters ")
    assert "lifecycle hook" in on_demand["shutdown"]["note"]
    assert "send-command" in result.stderr
    template = _stdout(root, "--target", "prod", "--format", "cloudformation")
    assert cfn_errors(template) == []
    assert "NodeAppUndeployCommand1" in template


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_value_in_any_output(stack: Path, fmt: str) -> None:
    for args in (("--target", "prod"), git_args()):
        result = export(stack, *args, "--format", fmt)
        assert result.code == 0
        for secret in SAMPLE_SECRETS:
            assert secret not in result.stdout + result.stderr
        assert "ssm-secure:/cookbooks/deploy/javaapp/database/password}}" in result.stdout


def test_output_file_and_no_attributes(stack: Path) -> None:
    target = stack / "out" / "ssm.yaml"
    result = export(stack, "--target", "prod", "--no-attributes", "--output", str(target))
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert "JsonAttributesContent" not in text
    assert cfn_errors(text) == []
    assert list(target.parent.iterdir()) == [target]


def test_the_cli_does_not_import_migrate_until_it_runs() -> None:
    result = run_cli("migrate", "--help")
    assert result.code == 0
    assert "export" in result.stdout and "attributes" in result.stdout
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import sys, cookbook_tool.cli.app; "
         "print(sorted(m for m in sys.modules if m.startswith('cookbook_tool.migrate')))"],
        capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent)
    assert probe.stdout.strip() == "[]"


def test_yaml_and_json_templates_are_the_same_document(stack: Path) -> None:
    import yaml  # cfn-lint's own dependency

    for args in (("--target", "prod"), git_args()):
        as_yaml = yaml.safe_load(_stdout(stack, *args, "--format", "cloudformation"))
        as_json = json.loads(_stdout(stack, *args, "--format", "cloudformation-json"))
        assert as_yaml == as_json


def test_yaml_writer_quotes_every_string() -> None:
    import yaml

    from cookbook_tool.migrate.yaml_text import dump_yaml

    value = {"a": ["yes", "1", "null", "# x", "key: v", "- y", "{{ssm:x}}", "é\n\"q\""],
             "odd key: x": {"n": 3, "t": True, "e": [], "o": {}}, "l": [{"k": "v", "w": 1}]}
    assert yaml.safe_load(dump_yaml(value, "a comment\n\nmore")) == value
