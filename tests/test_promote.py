"""``promote VERSION --from A --to B`` against real targets: folders, SeaweedFS (two buckets,
two prefixes of one bucket) and a ``git daemon``; every direction between folder, S3 and Git;
server-side copy between buckets; idempotence, conflicts, bad sources and a race."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cookbook_tool.errors import LocalError, ReleaseConflict, RemoteError, UsageError
from cookbook_tool.publish.base import Publisher, TargetOptions
from cookbook_tool.publish.promote import promote
from cookbook_tool.publish.targets import open_publisher
from tests.cli import run_cli
from tests.contract.artifacts import make_artifact, make_bundle
from tests.fixtures_git import GitServer
from tests.fixtures_s3 import SeaweedServer
from tests.s3_traffic import count_client_bytes

Make = Callable[[str], Publisher]


@pytest.fixture
def targets(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], Publisher]:
    """``targets(kind)``: a fresh, empty target of that kind (folder, s3, s3-prefix, git)."""
    made: dict[str, Any] = {}

    def make(kind: str) -> Publisher:
        index = len(made)
        made[f"{kind}{index}"] = True
        if kind == "folder":
            return open_publisher(str(tmp_path / f"folder{index}"), TargetOptions())
        if kind == "git":
            server: GitServer = request.getfixturevalue("git_daemon")
            return open_publisher(f"git+{server.url(server.new_repo())}", TargetOptions())
        seaweed: SeaweedServer = request.getfixturevalue("seaweed")
        request.getfixturevalue("s3_env")
        if kind == "s3-prefix":  # one bucket for every s3-prefix target of the test
            bucket = made.setdefault("bucket", seaweed.make_bucket())
            url = f"s3://{bucket}/stack{index}"
        else:
            url = f"s3://{seaweed.make_bucket()}/team"
        return open_publisher(url, TargetOptions(endpoint_url=seaweed.endpoint))

    return make


def _bytes(publisher: Publisher, version: str, tmp_path: Path) -> bytes:
    folder = tmp_path / f"read-{id(publisher)}-{version}"
    folder.mkdir(exist_ok=True)
    return publisher.download("cookbooks", version, folder).read_bytes()


def _tree(data: bytes) -> dict[str, bytes]:
    """The files of a .tar.gz, without the cookbooks/ prefix (a Git tree's view of it)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {m.name.removeprefix("cookbooks/"): archive.extractfile(m).read()  # type: ignore[union-attr]
                for m in archive if m.isfile()}


PAIRS = [
    ("folder", "s3"), ("s3", "folder"), ("folder", "git"), ("git", "folder"), ("s3", "git"),
    ("git", "s3"), ("s3", "s3"), ("s3-prefix", "s3-prefix"), ("folder", "folder"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("source_kind", "destination_kind"), PAIRS)
def test_promote_between_every_kind(
    targets: Make, tmp_path: Path, source_kind: str, destination_kind: str
) -> None:
    source, destination = targets(source_kind), targets(destination_kind)
    artifact = make_artifact(tmp_path / "b", "1.0.0")
    source.publish(artifact)
    newer = make_artifact(tmp_path / "b", "1.1.0")
    destination.publish(newer)  # blue runs a newer release: promote makes 1.0.0 current anyway

    result = promote(source, destination, "cookbooks", "1.0.0")
    again = promote(source, destination, "cookbooks", "1.0.0")

    releases = {r.version: r for r in destination.releases("cookbooks")}
    assert releases["1.0.0"].current and releases["1.0.0"].origin == source.url
    assert releases["1.0.0"].origin_published_at == source.releases("cookbooks")[0].published_at
    assert not result.already_there and again.already_there
    assert again.bytes_uploaded == 0
    # Git gives its tree back as an archive, and builds its tree from one: both read it
    assert again.bytes_downloaded == 0 or "git" in (source_kind, destination_kind)
    promoted = _bytes(destination, "1.0.0", tmp_path)
    if "git" in (source_kind, destination_kind):
        assert _tree(promoted) == _tree(artifact.path.read_bytes())
    else:
        assert promoted == artifact.path.read_bytes()  # the exact bytes, not a rebuild
    assert result.server_side_copy == (source_kind.startswith("s3")
                                       and destination_kind.startswith("s3"))


@pytest.mark.integration
def test_s3_to_s3_moves_no_archive_byte_through_the_client(
    targets: Make, tmp_path: Path
) -> None:
    source, destination = targets("s3"), targets("s3")
    artifact = make_artifact(tmp_path / "b", "1.0.0", padding=8 << 20)
    source.publish(artifact)
    counted = count_client_bytes(source, destination)

    result = promote(source, destination, "cookbooks", "1.0.0")

    assert result.server_side_copy and result.bytes_downloaded == 0
    assert "CopyObject" in counted.calls and "UploadPart" not in counted.calls
    assert not [key for key in counted.read_keys if key.endswith(".tar.gz")]
    assert counted.total < 64 << 10, counted.total  # the 8 MiB archive never went through
    assert _bytes(destination, "1.0.0", tmp_path) == artifact.path.read_bytes()


@pytest.mark.integration
@pytest.mark.parametrize("destination_kind", ["folder", "s3", "git"])
def test_other_bytes_under_the_version_are_refused(
    targets: Make, tmp_path: Path, destination_kind: str
) -> None:
    source, destination = targets("folder"), targets(destination_kind)
    source.publish(make_artifact(tmp_path / "b", "1.0.0"))
    destination.publish(make_artifact(tmp_path / "other", "1.0.0", content="other"))
    before = destination.releases("cookbooks")

    with pytest.raises(ReleaseConflict):
        promote(source, destination, "cookbooks", "1.0.0")

    assert destination.releases("cookbooks") == before


def _folder(tmp_path: Path, name: str) -> Publisher:
    return open_publisher(str(tmp_path / name), TargetOptions())


def test_unknown_version_and_same_place_change_nothing(tmp_path: Path) -> None:
    source, destination = _folder(tmp_path, "green"), _folder(tmp_path, "blue")
    source.publish(make_artifact(tmp_path / "b", "1.0.0"))

    with pytest.raises(RemoteError, match=r"no release cookbooks 9.9.9 to promote \(kept: 1.0.0\)"):
        promote(source, destination, "cookbooks", "9.9.9")
    with pytest.raises(UsageError, match="same place"):
        promote(source, open_publisher((tmp_path / "green").as_uri() + "/", TargetOptions()),
                "cookbooks", "1.0.0")

    assert not (tmp_path / "blue").exists()


def _replace_archive(folder: Path, data: bytes) -> None:
    (folder / "cookbooks/1.0.0/cookbooks-1.0.0.tar.gz").write_bytes(data)


def test_a_source_archive_that_fails_verify_is_not_promoted(tmp_path: Path) -> None:
    source, destination = _folder(tmp_path, "green"), _folder(tmp_path, "blue")
    source.publish(make_artifact(tmp_path / "b", "1.0.0"))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("../../escape.rb")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    _replace_archive(tmp_path / "green", raw.getvalue())

    with pytest.raises(LocalError, match="fails verify") as caught:
        promote(source, destination, "cookbooks", "1.0.0")

    assert "destination is unchanged" in caught.value.message
    assert not (tmp_path / "blue").exists()


def test_a_source_archive_other_than_its_history_is_not_promoted(tmp_path: Path) -> None:
    source, destination = _folder(tmp_path, "green"), _folder(tmp_path, "blue")
    source.publish(make_artifact(tmp_path / "b", "1.0.0"))
    _replace_archive(tmp_path / "green",
                     make_bundle(tmp_path / "o", "1.0.0", content="x").read_bytes())

    with pytest.raises(LocalError, match="is not the one its history records"):
        promote(source, destination, "cookbooks", "1.0.0")
    assert not (tmp_path / "blue").exists()


def test_an_unreachable_source_is_a_remote_error(tmp_path: Path) -> None:
    source = open_publisher(f"git+file://{tmp_path}/missing.git", TargetOptions())
    with pytest.raises(RemoteError):
        promote(source, _folder(tmp_path, "blue"), "cookbooks", "1.0.0")
    assert not (tmp_path / "blue").exists()


@pytest.mark.integration
@pytest.mark.parametrize("destination_kind", ["folder", "s3"])
def test_two_promotes_of_different_versions_keep_the_history_whole(
    targets: Make, tmp_path: Path, destination_kind: str
) -> None:
    source = targets("folder")
    versions = [f"1.{minor}.0" for minor in range(4)]
    for version in versions:
        source.publish(make_artifact(tmp_path / "b", version))
    made = targets(destination_kind)
    url, options = made.url, made.options  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def run(version: str) -> None:
        try:
            promote(open_publisher(source.url, TargetOptions()), open_publisher(url, options),
                    "cookbooks", version)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    destination = open_publisher(url, options)
    assert sorted(r.version for r in destination.releases("cookbooks")) == versions
    document = destination.store.read_doc("cookbooks/releases.json")[0]  # type: ignore[attr-defined]
    events = json.loads(document)["events"]
    assert sorted(e["version"] for e in events if e["action"] == "promote") == versions


def test_promote_from_in_the_configuration_and_releases_show_the_origin(tmp_path: Path) -> None:
    (tmp_path / "cookbook-tool.toml").write_text(
        '[targets.green]\nurl = "out/green"\n\n'
        '[targets.blue]\nurl = "out/blue"\npromote_from = "green"\n')
    bundle = make_bundle(tmp_path / "dist", "1.0.0")
    assert run_cli("publish", str(bundle), "--to", "green", cwd=tmp_path).code == 0

    dry = run_cli("promote", "1.0.0", "--to", "blue", "--dry-run", cwd=tmp_path)
    assert dry.code == 0 and "would be copied" in dry.stdout
    assert not (tmp_path / "out/blue").exists()
    done = run_cli("promote", "1.0.0", "--to", "blue", "--format", "json", cwd=tmp_path)
    assert done.code == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["command"] == "promote" and document["current"] is True
    assert document["source"] == (tmp_path / "out/green").as_uri()

    shown = run_cli("releases", "--to", "blue", cwd=tmp_path)
    assert f"from {(tmp_path / 'out/green').as_uri()}" in shown.stdout
    events = json.loads((tmp_path / "out/blue/cookbooks/releases.json").read_text())["events"]
    assert events[-1]["action"] == "promote"
    assert events[-1]["source"] == (tmp_path / "out/green").as_uri()


def test_promote_without_a_source_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "cookbook-tool.toml").write_text(
        '[targets.blue]\nurl = "out/blue"\npromote_from = "gren"\n\n'
        '[targets.green]\nurl = "out/green"\n')
    unknown = run_cli("promote", "1.0.0", "--to", "blue", cwd=tmp_path)
    missing = run_cli("promote", "1.0.0", "--to", "green", cwd=tmp_path)
    assert unknown.code == 2 and "did you mean 'green'" in unknown.stderr
    assert missing.code == 2 and "give --from TARGET or set promote_from" in missing.stderr
