"""Publisher contract tests: one suite, every publisher implementation.

Each ``tests/contract/backend_*.py`` module defines::

    BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Publisher]]
    MARKS: dict[str, tuple[pytest.MarkDecorator, ...]]  # optional, e.g. pytest.mark.integration

A factory returns a fresh publisher on an empty target. It gets the requesting test's
``request`` (to use other fixtures, e.g. ``request.getfixturevalue("seaweed")`` for a session
server, or ``request.addfinalizer`` to clean up) and a private temporary directory. The
``publisher`` fixture is parametrised over every factory of every module; ``artifacts`` builds
small bundles (``artifacts("1.2.0", content="x")``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cookbook_tool.artifact import Artifact
from cookbook_tool.publish.base import Publisher
from tests.contract.artifacts import make_artifact

Factory = Callable[[pytest.FixtureRequest, Path], Publisher]


def _load_backends() -> tuple[dict[str, Factory], dict[str, tuple[Any, ...]]]:
    backends: dict[str, Factory] = {}
    marks: dict[str, tuple[Any, ...]] = {}
    for path in sorted(Path(__file__).parent.glob("backend_*.py")):
        module = importlib.import_module(f"tests.contract.{path.stem}")
        backends.update(module.BACKENDS)
        marks.update(getattr(module, "MARKS", {}))
    return backends, marks


BACKENDS, MARKS = _load_backends()


@pytest.fixture(
    params=[pytest.param(name, marks=MARKS.get(name, ())) for name in sorted(BACKENDS)]
)
def publisher(request: pytest.FixtureRequest, tmp_path: Path) -> Publisher:
    target = tmp_path / "target"
    target.mkdir()
    return BACKENDS[request.param](request, target)


@pytest.fixture
def artifacts(tmp_path: Path) -> Callable[..., Artifact]:
    def make(version: str, **kwargs: Any) -> Artifact:
        return make_artifact(tmp_path / "bundles", version, **kwargs)

    return make
