"""Git targets for the shared publisher contract tests: a bare repository over ``git+file://``
and one served by ``git daemon`` (fixture ``git_daemon`` in tests/fixtures_git.py). Each factory
returns a fresh publisher on an empty repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cookbook_tool.publish.base import Publisher, TargetOptions
from cookbook_tool.publish.targets import open_publisher
from tests.fixtures_git import make_remote


def _git_file(request: pytest.FixtureRequest, tmp_path: Path) -> Publisher:
    repository = make_remote(tmp_path / "remote.git")
    return open_publisher(f"git+file://{repository}", TargetOptions())


def _git_daemon(request: pytest.FixtureRequest, tmp_path: Path) -> Publisher:
    server = request.getfixturevalue("git_daemon")
    return open_publisher(f"git+{server.url(server.new_repo())}", TargetOptions())


MARKS = {"git-daemon": (pytest.mark.integration,)}

BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Publisher]] = {
    "git-file": _git_file,
    "git-daemon": _git_daemon,
}
