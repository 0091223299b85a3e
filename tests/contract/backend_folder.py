"""The folder target, as ``file://DIR``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.publish.base import Publisher, TargetOptions
from cookbook_tool.publish.targets import open_publisher


def folder(request: pytest.FixtureRequest, directory: Path) -> Publisher:
    return open_publisher(directory.as_uri(), TargetOptions())


BACKENDS = {"folder": folder}
