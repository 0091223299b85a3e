"""Shared fixtures. Server fixtures (S3, Git) live in their own plugin modules, loaded when
present, so that each can be started once per test session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.samples import copy_sample

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_cookbooks"

pytest_plugins = [
    name
    for name in ("tests.fixtures_s3", "tests.fixtures_git")
    if importlib.util.find_spec(name) is not None
]


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A private copy of the good sample repository."""
    target = tmp_path / "repo"
    copy_sample(SAMPLES / "opsworks-stack", target)
    return target
