"""The publisher contract, run here against the Git backends of tests/contract/backend_git.py
(the shared contract suite runs the same factories once it is merged)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.errors import ReleaseConflict
from cookbook_tool.publish.base import Publisher, ReleaseState
from tests.contract.backend_git import BACKENDS
from tests.git_bundles import make_bundle

pytestmark = pytest.mark.integration


@pytest.fixture(params=sorted(BACKENDS))
def publisher(request: pytest.FixtureRequest, tmp_path: Path) -> Publisher:
    return BACKENDS[request.param](request, tmp_path)


def test_empty_target_has_nothing(publisher: Publisher, tmp_path: Path) -> None:
    artifact = make_bundle(tmp_path / "a", "1.0.0")
    assert publisher.state(artifact) is ReleaseState.ABSENT
    assert publisher.releases("cookbooks") == []


def test_publish_then_same_then_conflict(publisher: Publisher, tmp_path: Path) -> None:
    artifact = make_bundle(tmp_path / "a", "1.0.0")
    first = publisher.publish(artifact)
    assert (first.already_published, first.current, first.version) == (False, True, "1.0.0")
    assert publisher.state(artifact) is ReleaseState.SAME
    again = publisher.publish(artifact)
    assert again.already_published and again.bytes_uploaded == 0 and again.current
    changed = make_bundle(tmp_path / "b", "1.0.0", extra=" changed")
    assert changed.sha256 != artifact.sha256
    assert publisher.state(changed) is ReleaseState.DIFFERENT
    with pytest.raises(ReleaseConflict) as caught:
        publisher.publish(changed)
    assert caught.value.exit_code == 4


def test_history_newest_first_and_rollback(publisher: Publisher, tmp_path: Path) -> None:
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        publisher.publish(make_bundle(tmp_path / version, version))
    history = publisher.releases("cookbooks")
    assert [r.version for r in history] == ["1.2.0", "1.1.0", "1.0.0"]
    assert [r.current for r in history] == [True, False, False]
    assert all(len(r.sha256) == 64 for r in history)
    back = publisher.rollback("cookbooks", "1.0.0")
    assert (back.version, back.current) == ("1.0.0", True)
    current = [r.version for r in publisher.releases("cookbooks") if r.current]
    assert current == ["1.0.0"]


def test_consumer_info_names_the_release(publisher: Publisher, tmp_path: Path) -> None:
    publisher.publish(make_bundle(tmp_path / "a", "2.0.0"))
    info = publisher.consumer_info("cookbooks", "2.0.0")
    assert info.custom_cookbooks_source["Type"] == "git"
    assert info.custom_cookbooks_source["Revision"] == "cookbooks-2.0.0"
    assert info.ssm_apply_chef_recipes["SourceType"] == "Git"
    moving = publisher.consumer_info("cookbooks")
    assert moving.extra["moving"]["custom_cookbooks_source"]["Revision"] == "cookbooks"
    assert moving.extra["tag"] == "cookbooks-2.0.0"
