"""Consumer URLs and presigned URLs use the bucket's own region (moto, buckets in two regions),
and a bucket name with dots gets path-style URLs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from cookbook_tool.publish.base import PublishResult, TargetOptions
from cookbook_tool.publish.targets import open_publisher
from tests.contract.artifacts import make_artifact


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import boto3
    from moto import mock_aws

    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREGIONTEST000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "region-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        for bucket, region in (("home", "us-east-1"), ("euro", "eu-west-1"),
                               ("my.dotted.bucket", "ap-southeast-2")):
            client = boto3.client("s3", region_name=region)
            if region == "us-east-1":
                client.create_bucket(Bucket=bucket)
            else:
                client.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
                )
        yield


def publish(tmp_path: Path, url: str, **options: object) -> PublishResult:
    artifact = make_artifact(tmp_path / "dist", "1.0.0")
    return open_publisher(url, TargetOptions(**options)).publish(artifact)  # type: ignore[arg-type]


@pytest.mark.parametrize(("bucket", "url"), [
    ("home", "https://home.s3.us-east-1.amazonaws.com/stack/cookbooks/cookbooks.tar.gz"),
    ("euro", "https://euro.s3.eu-west-1.amazonaws.com/stack/cookbooks/cookbooks.tar.gz"),
    ("my.dotted.bucket",
     "https://s3.ap-southeast-2.amazonaws.com/my.dotted.bucket/stack/cookbooks/cookbooks.tar.gz"),
])
def test_consumer_urls_use_the_bucket_region(aws: None, tmp_path: Path, bucket: str,
                                             url: str) -> None:
    result = publish(tmp_path, f"s3://{bucket}/stack")  # no --region: the client is us-east-1

    assert result.consumer is not None
    assert result.consumer.custom_cookbooks_source == {"Type": "s3", "Url": url}
    assert json.loads(result.consumer.ssm_apply_chef_recipes["SourceInfo"]) == {"path": url}
    assert result.consumer.chef_solo == f"chef-solo --recipe-url {url}"


@pytest.mark.parametrize(("bucket", "host", "path", "region"), [
    ("euro", "euro.s3", "/stack/cookbooks/cookbooks.tar.gz", "eu-west-1"),
    ("my.dotted.bucket", "s3.ap-southeast-2.amazonaws.com",
     "/my.dotted.bucket/stack/cookbooks/cookbooks.tar.gz", "ap-southeast-2"),
])
def test_presigned_urls_are_signed_for_the_bucket_region(
    aws: None, tmp_path: Path, bucket: str, host: str, path: str, region: str
) -> None:
    result = publish(tmp_path, f"s3://{bucket}/stack", presign_seconds=300, region="us-east-1")

    assert result.consumer is not None
    presigned = urlparse(result.consumer.extra["presigned_url"])
    assert presigned.netloc.startswith(host) and presigned.path == path
    credential = parse_qs(presigned.query)["X-Amz-Credential"][0]
    assert credential.split("/")[2] == region
    assert result.consumer.chef_solo == f"chef-solo --recipe-url {presigned.geturl()}"


def test_region_is_looked_up_once(aws: None, tmp_path: Path) -> None:
    publisher = open_publisher("s3://euro/stack", TargetOptions())
    calls: list[str] = []
    publisher.s3.client.meta.events.register(  # type: ignore[attr-defined]
        "before-call.s3.HeadBucket", lambda **_: calls.append("head")
    )
    publisher.publish(make_artifact(tmp_path / "dist", "1.0.0"))
    publisher.consumer_info("cookbooks")
    publisher.consumer_info("cookbooks", "1.0.0")

    assert calls == ["head"]
