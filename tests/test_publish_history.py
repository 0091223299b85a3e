"""The release history document (pure functions) and the folder target's own guarantees."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from pathlib import Path

import pytest

from cookbook_tool.errors import LocalError, RemoteError, UsageError
from cookbook_tool.publish import history as hist
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.store.folder import FolderPublisher, folder_path
from cookbook_tool.publish.targets import open_publisher
from tests.contract.artifacts import make_artifact


def entry(version: str, at: str = "2026-01-01T00:00:00Z") -> hist.Entry:
    digest = hashlib.sha256(version.encode()).hexdigest()
    return hist.Entry(version, digest, digest[::-1], 10, "tar.gz", at)


def test_round_trip_and_current() -> None:
    history = hist.History(name="cookbooks")
    for version in ("1.0.0", "1.1.0"):
        history = hist.add_release(history, entry(version), make_current=True)
    history = hist.set_current(history, "1.0.0", action="rollback", at="2026-01-02T00:00:00Z")

    parsed = hist.parse(hist.dump(history), "cookbooks", "releases.json")

    assert parsed == history
    assert [e.action for e in parsed.events] == ["publish", "publish", "rollback"]
    assert parsed.events[-1].previous == "1.1.0"
    assert [(r.version, r.current) for r in hist.to_releases(parsed)] == [
        ("1.1.0", False), ("1.0.0", True)
    ]


def test_add_release_is_idempotent() -> None:
    once = hist.add_release(hist.History(name="c"), entry("1.0.0"), make_current=True)
    assert hist.add_release(once, entry("1.0.0", at="later"), make_current=True) == once


def test_prune_plan_never_current() -> None:
    history = hist.History(name="c")
    for minor in range(4):
        history = hist.add_release(history, entry(f"1.{minor}.0"), make_current=True)
    history = hist.set_current(history, "1.0.0", action="rollback", at="t")

    assert [e.version for e in hist.prune_plan(history, 1)] == ["1.2.0", "1.1.0"]
    assert hist.prune_plan(history, 10) == []
    pruned = hist.remove(history, {"1.1.0"}, "t")
    assert [e.version for e in pruned.entries] == ["1.0.0", "1.2.0", "1.3.0"]
    assert pruned.events[-1].action == "prune"


def test_events_are_bounded() -> None:
    history = hist.add_release(hist.History(name="c"), entry("1.0.0"), make_current=True)
    history = hist.add_release(history, entry("1.1.0"), make_current=True)
    for step in range(hist.MAX_EVENTS + 10):
        version = "1.0.0" if step % 2 else "1.1.0"
        history = hist.set_current(history, version, action="rollback", at=str(step))
    assert len(json.loads(hist.dump(history))["events"]) == hist.MAX_EVENTS


@pytest.mark.parametrize(("data", "message"), [
    (b"{not json", "not a valid release history"),
    (b'{"format": "other"}', "not a valid release history"),
    (b'{"format": "cookbook-tool/releases", "format_version": 9, "releases": []}', "newer"),
    (b'{"format": "cookbook-tool/releases", "format_version": 1, "releases": [{}]}', "valid"),
])
def test_bad_documents_are_remote_errors(data: bytes, message: str) -> None:
    with pytest.raises(RemoteError, match=message):
        hist.parse(data, "c", "s3://b/c/releases.json")


@pytest.mark.parametrize(("data", "problem"), [
    (b"[1, 2]", "not a cookbook-tool release history"),
    (b'{"format": "cookbook-tool/releases", "format_version": true, "releases": []}',
     "format_version is not a number"),
    (b'{"format": "cookbook-tool/releases", "format_version": 1, "releases": {}}',
     "releases is not a list"),
    (b'{"format": "cookbook-tool/releases", "format_version": 1, "releases": [1]}',
     "releases[0] is not an object"),
    (b'{"format": "cookbook-tool/releases", "format_version": 1, "releases": [], '
     b'"events": [{"action": "publish"}]}', "events[0] has no 'version'"),
    (b'{"format": "cookbook-tool/releases", "format_version": 1, "current": 3, "releases": []}',
     "current is not a string"),
    (b'{"format": "cookbook-tool/releases", "format_version": 1, "releases": [{"version": "1",'
     b' "sha256": "a", "archive_sha256": "a", "size": "9", "archive_format": "tar.gz",'
     b' "published_at": "t"}]}', "releases[0] 'size' has the wrong type"),
])
def test_document_shape_is_checked(data: bytes, problem: str) -> None:
    with pytest.raises(LocalError) as caught:
        hist.parse(data, "c", "/srv/out/c/releases.json", LocalError)

    assert caught.value.message.startswith("/srv/out/c/releases.json: not a valid release history")
    assert problem in caught.value.message and "attribute" not in caught.value.message


def test_folder_urls(tmp_path: Path) -> None:
    assert folder_path(tmp_path.as_uri()) == tmp_path
    assert folder_path(str(tmp_path)) == tmp_path
    assert folder_path("file://rel/dir") == Path("rel/dir").absolute()
    assert folder_path("file://localhost/srv/x") == Path("/srv/x")
    with pytest.raises(UsageError, match="folder target"):
        folder_path("file:///srv/x?version=2")
    assert isinstance(open_publisher(str(tmp_path), TargetOptions()), FolderPublisher)


def test_unsafe_names_are_refused(tmp_path: Path) -> None:
    artifact = make_artifact(tmp_path / "b", "1.0.0", name="..evil")
    with pytest.raises(LocalError, match="cannot be used in a release path"):
        FolderPublisher(str(tmp_path / "out"), TargetOptions()).publish(artifact)
    assert not (tmp_path / "out").exists()


def _publish(args: tuple[str, str]) -> str:
    target, bundle = args
    from cookbook_tool.artifact import open_artifact
    from cookbook_tool.errors import ReleaseConflict

    try:
        FolderPublisher(target, TargetOptions()).publish(open_artifact(Path(bundle)))
    except ReleaseConflict:
        return "conflict"
    return "ok"


def test_folder_concurrent_processes_lose_nothing(tmp_path: Path) -> None:
    versions = [f"1.{minor}.0" for minor in range(8)]
    same = [make_artifact(tmp_path / "same", "9.0.0", content=str(i)) for i in range(4)]
    jobs = [(str(tmp_path / "out"), str(make_artifact(tmp_path / "b", v).path)) for v in versions]
    jobs += [(str(tmp_path / "out"), str(a.path)) for a in same]

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        outcomes = pool.map(_publish, jobs)

    assert outcomes[: len(versions)] == ["ok"] * len(versions)
    assert sorted(outcomes[len(versions) :]) == ["conflict"] * 3 + ["ok"]
    releases = FolderPublisher(str(tmp_path / "out"), TargetOptions()).releases("cookbooks")
    assert sorted(r.version for r in releases) == sorted([*versions, "9.0.0"])
    assert [r.version for r in releases if r.current] == ["9.0.0"]
    assert not list((tmp_path / "out").rglob("*.tmp"))
