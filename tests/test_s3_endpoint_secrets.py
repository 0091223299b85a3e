"""Credentials in an S3 endpoint URL (``--endpoint-url``, ``AWS_ENDPOINT_URL``, the
configuration) never reach the output: errors, consumer snippets, ``--format json`` (issue 12
item 2); ``--presign`` above S3's 7 days is a usage error (item 14)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError

from cookbook_tool.errors import RemoteError
from cookbook_tool.publish.configured import TargetRequest, resolve_target
from cookbook_tool.publish.consumers import s3_object_url, without_userinfo
from cookbook_tool.publish.store.s3.client import ClientSettings
from cookbook_tool.publish.store.s3.errors import translate
from cookbook_tool.publish.store.s3.store import S3Publisher
from tests.cli import run_cli
from tests.contract.artifacts import make_artifact, make_bundle
from tests.fixtures_git import free_port
from tests.fixtures_s3 import SeaweedServer, clean_aws_env

SECRET = "s3cr3t-Pa55word"
KEY_ID = "AKIAABCDEFGHIJKLMNOP"


def test_unreachable_endpoint_errors_mask_its_credentials() -> None:
    endpoint = f"http://{KEY_ID}:{SECRET}@127.0.0.1:9"
    error = EndpointConnectionError(endpoint_url=f"{endpoint}/bucket")
    message = translate(error, "reading s3://b/k", "b", endpoint).message
    assert "cannot reach http://***@127.0.0.1:9" in message
    assert SECRET not in message and KEY_ID not in message


@pytest.mark.parametrize("endpoint", [
    f"http://user:{SECRET}@host:8333", f"http://{SECRET}@host:8333/",
    f"https://u:{SECRET[:4]}/{SECRET[4:]}@host:8333",
])
def test_consumer_urls_carry_no_endpoint_credentials(endpoint: str) -> None:
    url = s3_object_url("bucket", "c/c.tar.gz", None, endpoint)
    assert url == "http://host:8333/bucket/c/c.tar.gz".replace(
        "http:", "https:" if endpoint.startswith("https") else "http:")
    assert without_userinfo("http://host/x") == "http://host/x"


@pytest.mark.parametrize("how", ["option", "environment", "configuration"])
def test_every_way_of_giving_the_endpoint_is_masked(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = f"http://{KEY_ID}:{SECRET}@127.0.0.1:{free_port()}"
    env = clean_aws_env({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    values: dict[str, object] = {"endpoint_url": endpoint if how == "option" else None}
    if how == "environment":
        env["AWS_ENDPOINT_URL"] = endpoint
    to = "s3://bucket/p"
    if how == "configuration":
        (tmp_path / "cookbook-tool.toml").write_text(
            f'[targets.s3]\nurl = "{to}"\nendpoint_url = "{endpoint}"\n')
        to = "s3"
    url, options = resolve_target(TargetRequest(to, values, tmp_path, env))
    publisher = S3Publisher(url, options, client_settings=ClientSettings(max_attempts=1))
    with pytest.raises(RemoteError) as caught:
        publisher.publish(make_artifact(tmp_path / "b", "1.0.0"))
    assert "cannot reach http://***@127.0.0.1:" in caught.value.message
    assert SECRET not in caught.value.message and KEY_ID not in caught.value.message


def test_published_snippets_carry_no_endpoint_credentials(
    seaweed: SeaweedServer, s3_bucket: str, s3_env: dict[str, str], tmp_path: Path
) -> None:
    host = seaweed.endpoint.split("://", 1)[1]
    endpoint = f"http://user:{SECRET}@{host}"
    bundle = make_bundle(tmp_path / "b", "1.0.0")
    result = run_cli("publish", str(bundle), "--to", f"s3://{s3_bucket}/p", "--endpoint-url",
                     endpoint, "--format", "json", base_env=s3_env)
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["result"]["consumer"]["custom_cookbooks_source"]["Url"].startswith(
        f"{seaweed.endpoint}/{s3_bucket}/p/")
    assert SECRET not in result.stdout + result.stderr
    text = run_cli("publish", str(bundle), "--to", f"s3://{s3_bucket}/p", "--endpoint-url",
                   endpoint, base_env=s3_env)
    assert text.code == 0 and SECRET not in text.stdout + text.stderr


@pytest.mark.parametrize("seconds", ["604801", "99999999"])
def test_presign_beyond_seven_days_is_a_usage_error(tmp_path: Path, seconds: str) -> None:
    bundle = make_bundle(tmp_path / "b", "1.0.0")
    env = clean_aws_env({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
    result = run_cli("publish", str(bundle), "--to", "s3://bucket/p", "--presign", seconds,
                     "--endpoint-url", f"http://127.0.0.1:{free_port()}", base_env=env)
    assert result.code == 2, result.stderr
    assert "at most 604800 seconds" in result.stderr
