"""S3 publishing against a real server: SeaweedFS on 127.0.0.1, started by tests/fixtures_s3.py."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import LocalError, ReleaseConflict, RemoteError
from cookbook_tool.publish.base import PublishResult, TargetOptions
from cookbook_tool.publish.service import prune_releases
from cookbook_tool.publish.store.s3.client import ClientSettings
from cookbook_tool.publish.store.s3.store import S3Publisher
from cookbook_tool.publish.store.s3.transfer import MiB, TransferSettings
from tests.contract.artifacts import make_artifact
from tests.fixtures_s3 import SeaweedServer

pytestmark = pytest.mark.integration
SMALL_PARTS = TransferSettings(multipart_threshold=5 * MiB, part_size=5 * MiB, max_workers=4)
RELEASE = "team/cookbooks/{v}/cookbooks-{v}.tar.gz"
CURRENT = "team/cookbooks/cookbooks.tar.gz"


@pytest.fixture
def make(tmp_path: Path) -> Callable[..., Artifact]:
    return lambda version, **kw: make_artifact(tmp_path / "bundles", version, **kw)


def publisher(server: SeaweedServer, bucket: str, **kwargs: Any) -> S3Publisher:
    options = TargetOptions(endpoint_url=server.endpoint, **kwargs.pop("options", {}))
    return S3Publisher(f"s3://{bucket}/team", options, **kwargs)


def body(server: SeaweedServer, bucket: str, key: str) -> bytes:
    data: bytes = server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    return data


def keys(server: SeaweedServer, bucket: str) -> set[str]:
    listing = server.client().list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def test_first_publish_layout(seaweed: SeaweedServer, s3_bucket: str, make: Any) -> None:
    artifact = make("1.0.0")

    result = publisher(seaweed, s3_bucket).publish(artifact)

    assert result.location == f"s3://{s3_bucket}/{RELEASE.format(v='1.0.0')}"
    assert keys(seaweed, s3_bucket) == {
        RELEASE.format(v="1.0.0"), CURRENT, "team/cookbooks/releases.json"
    }
    head = seaweed.client().head_object(
        Bucket=s3_bucket, Key=RELEASE.format(v="1.0.0"), ChecksumMode="ENABLED"
    )
    assert head["Metadata"]["sha256"] == artifact.sha256
    assert head["ChecksumSHA256"]  # the server verified and kept a SHA-256 checksum
    assert body(seaweed, s3_bucket, CURRENT) == artifact.path.read_bytes()
    history = json.loads(body(seaweed, s3_bucket, "team/cookbooks/releases.json"))
    assert history["current"] == "1.0.0"
    assert history["releases"][0]["archive_sha256"] == artifact.archive_sha256
    assert result.consumer is not None
    assert result.consumer.custom_cookbooks_source == {
        "Type": "s3", "Url": f"{seaweed.endpoint}/{s3_bucket}/{CURRENT}"
    }


def test_republish_sends_zero_bytes(seaweed: SeaweedServer, s3_bucket: str, make: Any) -> None:
    artifact = make("1.0.0")
    publisher(seaweed, s3_bucket).publish(artifact)
    before = seaweed.client().head_object(Bucket=s3_bucket, Key=RELEASE.format(v="1.0.0"))
    sent: list[int] = []

    result = publisher(seaweed, s3_bucket).publish(
        artifact, on_progress=lambda done, total: sent.append(done)
    )

    assert (result.already_published, result.bytes_uploaded, sent) == (True, 0, [])
    after = seaweed.client().head_object(Bucket=s3_bucket, Key=RELEASE.format(v="1.0.0"))
    assert after["LastModified"] == before["LastModified"]


def test_overwrite_refused_nothing_changes(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    original = make("1.0.0")
    publisher(seaweed, s3_bucket).publish(original)

    with pytest.raises(ReleaseConflict) as caught:
        publisher(seaweed, s3_bucket).publish(make("1.0.0", content="other"))

    assert caught.value.exit_code == 4
    assert body(seaweed, s3_bucket, RELEASE.format(v="1.0.0")) == original.path.read_bytes()
    assert body(seaweed, s3_bucket, CURRENT) == original.path.read_bytes()


def _race(targets: list[Callable[[], PublishResult]]) -> list[PublishResult | Exception]:
    results: list[PublishResult | Exception] = [RuntimeError("not run")] * len(targets)

    def run(index: int) -> None:
        try:
            results[index] = targets[index]()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _meet_at(barrier: threading.Barrier, method: Callable[..., Any]) -> Callable[..., Any]:
    """Make both publishers reach ``method`` before either calls it (once)."""
    state = {"first": True}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if state.pop("first", False):
            barrier.wait(30)
        return method(*args, **kwargs)

    return wrapped


def test_concurrent_same_version_exactly_one_wins(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    bundles = [make("1.0.0", content="a"), make("1.0.0", content="b")]
    barrier = threading.Barrier(2)
    publishers = [publisher(seaweed, s3_bucket) for _ in bundles]
    for p in publishers:  # both have seen "absent" before either writes
        p.s3.put_new = _meet_at(barrier, p.s3.put_new)  # type: ignore[method-assign]

    results = _race([lambda i=i: publishers[i].publish(bundles[i]) for i in range(2)])

    winners = [r for r in results if isinstance(r, PublishResult)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], ReleaseConflict)
    winner = bundles[results.index(winners[0])]
    assert body(seaweed, s3_bucket, RELEASE.format(v="1.0.0")) == winner.path.read_bytes()
    [release] = publishers[0].releases("cookbooks")
    assert release.sha256 == winner.sha256 and release.current


def test_concurrent_versions_both_recorded(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    bundles = [make("1.0.0"), make("1.1.0")]
    barrier = threading.Barrier(2)
    publishers = [publisher(seaweed, s3_bucket) for _ in bundles]
    for p in publishers:  # both read the same releases.json ETag before either writes
        p.s3.write_doc = _meet_at(barrier, p.s3.write_doc)  # type: ignore[method-assign]

    results = _race([lambda i=i: publishers[i].publish(bundles[i]) for i in range(2)])

    assert all(isinstance(r, PublishResult) for r in results), results
    releases = publishers[0].releases("cookbooks")
    assert sorted(r.version for r in releases) == ["1.0.0", "1.1.0"]
    assert [r.version for r in releases if r.current] == ["1.1.0"]
    assert body(seaweed, s3_bucket, CURRENT) == bundles[1].path.read_bytes()


def test_rollback_copies_server_side_and_records_it(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    old, new = make("1.0.0"), make("1.1.0")
    target = publisher(seaweed, s3_bucket)
    target.publish(old)
    target.publish(new)
    assert body(seaweed, s3_bucket, CURRENT) == new.path.read_bytes()

    target.rollback("cookbooks", "1.0.0")

    assert body(seaweed, s3_bucket, CURRENT) == old.path.read_bytes()
    history = json.loads(body(seaweed, s3_bucket, "team/cookbooks/releases.json"))
    assert history["current"] == "1.0.0"
    assert history["events"][-1] | {"at": None} == {
        "action": "rollback", "version": "1.0.0", "previous": "1.1.0", "at": None
    }


def test_prune_deletes_objects_and_retention_default(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    target = publisher(seaweed, s3_bucket)
    for minor in range(5):
        target.publish(make(f"1.{minor}.0"))
    options = TargetOptions(endpoint_url=seaweed.endpoint, retention=3)

    dry = prune_releases(f"s3://{s3_bucket}/team", options, "cookbooks", None, dry_run=True)
    assert [r.version for r in dry.deleted] == ["1.1.0", "1.0.0"]
    assert RELEASE.format(v="1.0.0") in keys(seaweed, s3_bucket)
    done = prune_releases(f"s3://{s3_bucket}/team", options, "cookbooks", None, dry_run=False)

    assert done.keep == 3 and [r.version for r in done.deleted] == ["1.1.0", "1.0.0"]
    remaining = keys(seaweed, s3_bucket)
    assert RELEASE.format(v="1.0.0") not in remaining
    assert RELEASE.format(v="1.1.0") not in remaining
    assert {RELEASE.format(v=f"1.{m}.0") for m in (2, 3, 4)} <= remaining


def test_sse_aes256_on_every_object(seaweed: SeaweedServer, s3_bucket: str, make: Any) -> None:
    publisher(seaweed, s3_bucket, options={"sse": "AES256"}).publish(make("1.0.0"))

    for key in (RELEASE.format(v="1.0.0"), CURRENT, "team/cookbooks/releases.json"):
        head = seaweed.client().head_object(Bucket=s3_bucket, Key=key)
        assert head.get("ServerSideEncryption") == "AES256", key


def test_large_multipart_upload(seaweed: SeaweedServer, s3_bucket: str, make: Any) -> None:
    artifact = make("3.0.0", padding=22 * MiB)
    progress: list[tuple[int, int]] = []

    result = publisher(seaweed, s3_bucket, transfer=SMALL_PARTS).publish(
        artifact, on_progress=lambda done, total: progress.append((done, total))
    )

    assert result.bytes_uploaded == artifact.size
    parts = -(-artifact.size // (5 * MiB))
    head = seaweed.client().head_object(
        Bucket=s3_bucket, Key=RELEASE.format(v="3.0.0"), ChecksumMode="ENABLED"
    )
    assert head["ChecksumSHA256"].endswith(f"-{parts}")
    assert len(progress) == parts and progress[-1] == (artifact.size, artifact.size)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    current = hashlib.sha256(body(seaweed, s3_bucket, CURRENT)).hexdigest()
    assert current == artifact.archive_sha256
    assert not seaweed.client().list_multipart_uploads(Bucket=s3_bucket).get("Uploads")


def test_presigned_url_downloads_the_current_archive(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    artifact = make("1.0.0")
    target = publisher(seaweed, s3_bucket, options={"presign_seconds": 300})

    result = target.publish(artifact)

    assert result.consumer is not None
    url = result.consumer.extra["presigned_url"]
    assert result.consumer.chef_solo == f"chef-solo --recipe-url {url}"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == artifact.path.read_bytes()


def test_missing_bucket(seaweed: SeaweedServer, s3_env: dict[str, str], make: Any) -> None:
    with pytest.raises(RemoteError, match="bucket 'no-such-bucket-here' does not exist"):
        publisher(seaweed, "no-such-bucket-here").publish(make("1.0.0"))


def test_write_access_denied_is_not_absent(
    seaweed: SeaweedServer, s3_bucket: str, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fixtures_s3 import READER_KEY

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", READER_KEY)
    with pytest.raises(RemoteError, match="access denied while uploading") as caught:
        publisher(seaweed, s3_bucket).publish(make("1.0.0"))
    assert "cookbooktoolreaderkey" not in caught.value.message
    assert not keys(seaweed, s3_bucket)


def test_endpoint_unreachable(s3_env: dict[str, str], make: Any) -> None:
    from tests.fixtures_s3 import free_port_pair

    port = free_port_pair(set())
    target = S3Publisher(
        "s3://bucket/team", TargetOptions(endpoint_url=f"http://127.0.0.1:{port}"),
        client_settings=ClientSettings(max_attempts=1, connect_timeout=1),
    )
    with pytest.raises(RemoteError, match=f"cannot reach http://127.0.0.1:{port}"):
        target.publish(make("1.0.0"))


def test_no_credentials_is_local(
    seaweed: SeaweedServer, s3_bucket: str, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(LocalError, match="no usable AWS credentials"):
        publisher(seaweed, s3_bucket).publish(make("1.0.0"))


def test_server_killed_mid_upload_then_rerun(
    seaweed_restartable: SeaweedServer, s3_env: dict[str, str], make: Any
) -> None:
    server = seaweed_restartable
    bucket = server.make_bucket()
    first, big = make("1.0.0"), make("2.0.0", padding=20 * MiB)
    fragile = {"transfer": TransferSettings(5 * MiB, 5 * MiB, 2),
               "client_settings": ClientSettings(max_attempts=2, connect_timeout=1)}
    publisher(server, bucket).publish(first)

    def kill_after_first_part(done: int, total: int) -> None:
        server.kill()

    with pytest.raises(RemoteError):
        publisher(server, bucket, **fragile).publish(big, on_progress=kill_after_first_part)
    server.start()
    server.wait_readable(bucket, CURRENT)

    assert RELEASE.format(v="2.0.0") not in keys(server, bucket)
    assert body(server, bucket, CURRENT) == first.path.read_bytes()
    assert [(r.version, r.current) for r in publisher(server, bucket).releases("cookbooks")] == [
        ("1.0.0", True)
    ]
    rerun = publisher(server, bucket, **fragile).publish(big)
    assert not rerun.already_published and rerun.current
    assert hashlib.sha256(body(server, bucket, CURRENT)).hexdigest() == big.archive_sha256


def _signed_headers(request: Any) -> list[str]:
    authorization = request.headers["Authorization"]
    authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
    return authorization.split("SignedHeaders=")[1].split(",")[0].split(";")


def test_bodies_are_not_signed_but_their_checksum_is(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    """Plain HTTP (the test server): each body goes as UNSIGNED-PAYLOAD with its SHA-256 in a
    header that the signature covers, the release parts as the history document."""
    target = publisher(seaweed, s3_bucket, transfer=SMALL_PARTS)
    seen: list[tuple[str, bytes, list[str]]] = []

    def record(request: Any, **_: Any) -> None:
        if request.body:
            content = request.headers["X-Amz-Content-SHA256"]
            seen.append((request.method, content, _signed_headers(request)))

    target.s3.client.meta.events.register("before-send.s3", record)
    target.publish(make("1.0.0", padding=12 * MiB))

    uploads = [s for s in seen if s[0] == "PUT"]
    assert len(uploads) == 3 + 1  # three parts and releases.json
    for _, content, signed in uploads:
        assert content == b"UNSIGNED-PAYLOAD"
        assert "x-amz-checksum-sha256" in signed and "host" in signed


def _altered(request: Any, change: Callable[[bytes], bytes] = lambda d: b"!" + d[1:]) -> bytes:
    """Change the request's body in flight (bodies go as streams); the new body."""
    data = request.body.read() if hasattr(request.body, "read") else request.body
    request.body = change(data)
    return bytes(request.body)


def _failing_publish_leaves_nothing(
    server: SeaweedServer, bucket: str, target: S3Publisher, artifact: Artifact, previous: bytes,
    refused: str,
) -> None:
    with pytest.raises(RemoteError, match=refused):
        target.publish(artifact)
    assert RELEASE.format(v=artifact.version) not in keys(server, bucket)
    assert body(server, bucket, CURRENT) == previous
    assert [r.version for r in target.releases("cookbooks")] == ["1.0.0"]
    assert not server.client().list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_a_part_altered_on_the_way_is_refused(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    """What payload signing guarded against, the signed checksum guards against: a part whose
    bytes change after signing is refused by the server, and the upload is aborted."""
    first = make("1.0.0")
    publisher(seaweed, s3_bucket).publish(first)
    target = publisher(seaweed, s3_bucket, transfer=SMALL_PARTS)

    def alter(request: Any, **_: Any) -> None:
        if "partNumber=2" in request.url:
            _altered(request)

    target.s3.client.meta.events.register("before-send.s3.UploadPart", alter)
    _failing_publish_leaves_nothing(
        seaweed, s3_bucket, target, make("2.0.0", padding=12 * MiB), first.path.read_bytes(),
        "BadDigest",
    )


def test_a_part_and_its_checksum_altered_on_the_way_are_refused(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    """Changing the checksum header with the bytes breaks the signature instead."""
    first = make("1.0.0")
    publisher(seaweed, s3_bucket).publish(first)
    target = publisher(seaweed, s3_bucket, transfer=SMALL_PARTS)

    def alter(request: Any, **_: Any) -> None:
        if "partNumber=2" in request.url:
            digest = hashlib.sha256(_altered(request)).digest()
            request.headers["x-amz-checksum-sha256"] = base64.b64encode(digest).decode()

    target.s3.client.meta.events.register("before-send.s3.UploadPart", alter)
    _failing_publish_leaves_nothing(
        seaweed, s3_bucket, target, make("2.0.0", padding=12 * MiB), first.path.read_bytes(),
        "SignatureDoesNotMatch",
    )


def test_an_altered_history_write_is_refused(
    seaweed: SeaweedServer, s3_bucket: str, make: Any
) -> None:
    first = make("1.0.0")
    publisher(seaweed, s3_bucket).publish(first)
    before = body(seaweed, s3_bucket, "team/cookbooks/releases.json")
    target = publisher(seaweed, s3_bucket)

    def alter(request: Any, **_: Any) -> None:
        if request.url.endswith("releases.json"):
            _altered(request, lambda data: data.replace(b'"2.0.0"', b'"6.6.6"'))

    target.s3.client.meta.events.register("before-send.s3.PutObject", alter)
    with pytest.raises(RemoteError, match="releases.json: BadDigest"):
        target.publish(make("2.0.0"))
    assert body(seaweed, s3_bucket, "team/cookbooks/releases.json") == before
    assert body(seaweed, s3_bucket, CURRENT) == first.path.read_bytes()
