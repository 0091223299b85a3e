"""What every publisher promises (folder, S3 under moto, S3 on SeaweedFS, Git, ...)."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import ReleaseConflict, RemoteError, ToolError
from cookbook_tool.publish.base import Origin, Publisher, ReleaseState

Make = Callable[..., Artifact]


def versions(publisher: Publisher) -> list[str]:
    return [r.version for r in publisher.releases("cookbooks")]


def current(publisher: Publisher) -> str | None:
    return next((r.version for r in publisher.releases("cookbooks") if r.current), None)


def test_first_publish(publisher: Publisher, artifacts: Make) -> None:
    artifact = artifacts("1.0.0")
    assert publisher.releases("cookbooks") == []
    assert publisher.state(artifact) is ReleaseState.ABSENT

    result = publisher.publish(artifact)

    assert (result.name, result.version, result.sha256) == ("cookbooks", "1.0.0", artifact.sha256)
    assert not result.already_published
    assert result.bytes_uploaded > 0
    assert result.current
    assert "1.0.0" in result.location
    assert result.consumer is not None
    assert publisher.state(artifact) is ReleaseState.SAME
    [release] = publisher.releases("cookbooks")
    assert (release.version, release.sha256, release.current) == ("1.0.0", artifact.sha256, True)
    assert release.size == artifact.size
    assert release.published_at.endswith("Z")


def test_republish_same_bytes_uploads_nothing(publisher: Publisher, artifacts: Make) -> None:
    artifact = artifacts("1.0.0")
    publisher.publish(artifact)
    before = publisher.releases("cookbooks")

    again = publisher.publish(artifact)

    assert again.already_published
    assert again.bytes_uploaded == 0
    assert again.current
    assert publisher.releases("cookbooks") == before


def test_same_version_with_other_bytes_is_refused(publisher: Publisher, artifacts: Make) -> None:
    original, other = artifacts("1.0.0"), artifacts("1.0.0", content="changed")
    assert original.sha256 != other.sha256
    publisher.publish(original)
    before = publisher.releases("cookbooks")
    consumer_before = publisher.consumer_info("cookbooks")

    with pytest.raises(ReleaseConflict, match="already published") as refused:
        publisher.publish(other)
    assert refused.value.exit_code == 4
    with pytest.raises(ReleaseConflict):
        publisher.publish(other, force_current=True)  # force never rewrites a release

    assert publisher.state(other) is ReleaseState.DIFFERENT
    assert publisher.state(original) is ReleaseState.SAME
    assert publisher.releases("cookbooks") == before
    assert publisher.consumer_info("cookbooks") == consumer_before


def test_releases_newest_first_with_current_marked(publisher: Publisher, artifacts: Make) -> None:
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        publisher.publish(artifacts(version))

    releases = publisher.releases("cookbooks")

    assert [r.version for r in releases] == ["1.2.0", "1.1.0", "1.0.0"]
    assert [r.current for r in releases] == [True, False, False]
    assert publisher.releases("another-name") == []


def test_rollback_and_force_current(publisher: Publisher, artifacts: Make) -> None:
    old, new = artifacts("1.0.0"), artifacts("1.1.0")
    publisher.publish(old)
    publisher.publish(new)

    release = publisher.rollback("cookbooks", "1.0.0")

    assert (release.version, release.current) == ("1.0.0", True)
    assert current(publisher) == "1.0.0"
    assert versions(publisher) == ["1.1.0", "1.0.0"]  # rollback keeps the history
    # re-publishing a kept version changes nothing, unless forced
    assert publisher.publish(new).current is False
    assert current(publisher) == "1.0.0"
    forced = publisher.publish(new, force_current=True)
    assert forced.already_published and forced.current and forced.bytes_uploaded == 0
    assert current(publisher) == "1.1.0"
    with pytest.raises(RemoteError, match=r"9\.9\.9"):
        publisher.rollback("cookbooks", "9.9.9")
    assert current(publisher) == "1.1.0"


def test_older_version_published_later_is_not_current(
    publisher: Publisher, artifacts: Make
) -> None:
    publisher.publish(artifacts("2.0.0"))

    hotfix = publisher.publish(artifacts("1.9.1"))

    assert not hotfix.current
    assert current(publisher) == "2.0.0"
    assert versions(publisher) == ["1.9.1", "2.0.0"]


def test_prune_keeps_newest_and_never_current(publisher: Publisher, artifacts: Make) -> None:
    published = [f"1.{minor}.0" for minor in range(6)]
    bundles = {v: artifacts(v) for v in published}
    for version in published:
        publisher.publish(bundles[version])
    publisher.rollback("cookbooks", "1.0.0")

    planned = publisher.prune("cookbooks", 3, dry_run=True)
    assert [r.version for r in planned] == ["1.2.0", "1.1.0"]
    assert len(versions(publisher)) == 6  # a dry run deletes nothing

    deleted = publisher.prune("cookbooks", 3)

    assert [r.version for r in deleted] == ["1.2.0", "1.1.0"]
    assert versions(publisher) == ["1.5.0", "1.4.0", "1.3.0", "1.0.0"]
    assert current(publisher) == "1.0.0"
    assert publisher.state(bundles["1.1.0"]) is ReleaseState.ABSENT
    assert publisher.state(bundles["1.0.0"]) is ReleaseState.SAME
    assert publisher.prune("cookbooks", 3) == []


def test_prune_deletes_exactly_the_planned_releases(
    publisher: Publisher, artifacts: Make
) -> None:
    for minor in range(4):
        publisher.publish(artifacts(f"3.{minor}.0"))
    planned = [r.version for r in publisher.prune("cookbooks", 2, dry_run=True)]
    assert planned == ["3.1.0", "3.0.0"]
    publisher.publish(artifacts("3.4.0"))  # meanwhile: the plan would now also take 3.2.0

    with pytest.raises(RemoteError, match="changed since the plan was shown"):
        publisher.prune("cookbooks", 2, planned=planned)

    assert versions(publisher) == ["3.4.0", "3.3.0", "3.2.0", "3.1.0", "3.0.0"]
    deleted = publisher.prune("cookbooks", 3, planned=["3.1.0", "3.0.0"])
    assert [r.version for r in deleted] == ["3.1.0", "3.0.0"]
    assert versions(publisher) == ["3.4.0", "3.3.0", "3.2.0"]
    with pytest.raises(RemoteError, match="changed since the plan"):
        publisher.prune("cookbooks", 3, planned=["3.1.0"])  # already gone: nothing to delete


def test_retention_window_of_five(publisher: Publisher, artifacts: Make) -> None:
    for minor in range(7):
        publisher.publish(artifacts(f"2.{minor}.0"))

    deleted = publisher.prune("cookbooks", 5)

    assert [r.version for r in deleted] == ["2.1.0", "2.0.0"]
    assert versions(publisher) == [f"2.{m}.0" for m in range(6, 1, -1)]
    # the four older kept releases can still be rolled back to
    publisher.rollback("cookbooks", "2.2.0")
    assert current(publisher) == "2.2.0"


def test_consumer_info_shape(publisher: Publisher, artifacts: Make) -> None:
    publisher.publish(artifacts("1.0.0"))

    info = publisher.consumer_info("cookbooks")
    pinned = publisher.consumer_info("cookbooks", "1.0.0")

    source = info.custom_cookbooks_source
    assert source["Type"] in {"s3", "archive", "git"}
    assert isinstance(source["Url"], str) and source["Url"]
    ssm = info.ssm_apply_chef_recipes
    assert ssm["SourceType"] in {"S3", "HTTP", "Git", "GitHub"}
    assert isinstance(json.loads(ssm["SourceInfo"]), dict)
    assert info.chef_solo is None or info.chef_solo.startswith("chef-solo ")
    assert "1.0.0" in json.dumps(pinned.custom_cookbooks_source)
    text = json.dumps([info.custom_cookbooks_source, info.ssm_apply_chef_recipes, info.extra])
    assert "secret" not in text.lower()


def test_download_gives_the_release_back(
    publisher: Publisher, artifacts: Make, tmp_path: Path
) -> None:
    """What ``promote`` and ``diff`` read: the archive of a kept release, the same bytes (a Git
    target: the same files, rebuilt from the tag's tree), and an error for an unknown one."""
    artifact = artifacts("1.0.0")
    publisher.publish(artifact)
    folder = tmp_path / "downloaded"
    folder.mkdir()

    path = publisher.download("cookbooks", "1.0.0", folder)

    if getattr(publisher, "rebuilds_archives", False):
        assert _files(path) == _files(artifact.path)
    else:
        assert path.read_bytes() == artifact.path.read_bytes()
    with pytest.raises(ToolError, match="no release cookbooks 9.0.0"):
        publisher.download("cookbooks", "9.0.0", folder)


def test_promoted_releases_carry_their_origin(publisher: Publisher, artifacts: Make) -> None:
    origin = Origin("s3://green/stack", "1.0.0", "2026-01-02T03:04:05Z")
    publisher.publish(artifacts("1.1.0"))

    publisher.publish(artifacts("1.0.0"), force_current=True, origin=origin)

    promoted = next(r for r in publisher.releases("cookbooks") if r.version == "1.0.0")
    assert promoted.current
    assert (promoted.origin, promoted.origin_published_at) == (origin.target, origin.published_at)


def _files(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read()  # type: ignore[union-attr]
                for m in archive if m.isfile()}
