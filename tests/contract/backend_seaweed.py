"""S3 for real: the SeaweedFS server of tests/fixtures_s3.py, one fresh bucket per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.publish.base import Publisher, TargetOptions
from cookbook_tool.publish.targets import open_publisher


def seaweed(request: pytest.FixtureRequest, directory: Path) -> Publisher:
    server = request.getfixturevalue("seaweed")
    bucket = request.getfixturevalue("s3_bucket")
    return open_publisher(f"s3://{bucket}/team/app", TargetOptions(endpoint_url=server.endpoint))


BACKENDS = {"seaweed": seaweed}
MARKS = {"seaweed": (pytest.mark.integration,)}
