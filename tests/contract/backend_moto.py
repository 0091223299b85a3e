"""S3 in-process, mocked by moto (fast; no conditional-write races, no real checksums)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from cookbook_tool.publish.base import Publisher, TargetOptions
from cookbook_tool.publish.targets import open_publisher


def moto(request: pytest.FixtureRequest, directory: Path) -> Publisher:
    import boto3
    from moto import mock_aws

    monkeypatch = request.getfixturevalue("monkeypatch")
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    mock = mock_aws()
    mock.start()
    request.addfinalizer(mock.stop)
    bucket = f"moto-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=bucket)
    return open_publisher(f"s3://{bucket}/releases", TargetOptions(region="us-east-1"))


BACKENDS = {"moto": moto}
