"""Upload one file to S3 as a create-only object, with SHA-256 checksums the server verifies.

Small files: one ``PutObject``. Large files: a multipart upload whose parts go up in parallel
(a thread pool; each part carries its own SHA-256) and whose completion carries
``If-None-Match: *``, so the object appears whole or not at all, and only if the key is still
free. Any failure aborts the upload (best effort: an unfinished multipart upload is invisible
and S3's ``AbortIncompleteMultipartUpload`` lifecycle rule reclaims it).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cookbook_tool.publish.base import ProgressCallback

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

MiB = 1 << 20
MAX_PARTS = 10_000


@dataclass(frozen=True)
class TransferSettings:
    multipart_threshold: int = 16 * MiB
    part_size: int = 8 * MiB
    max_workers: int = 8


@dataclass(frozen=True)
class Uploaded:
    size: int
    checksum_sha256: str  # what S3 reports: base64, "-N" suffixed for multipart


def b64_sha256(data: bytes) -> tuple[str, bytes]:
    raw = hashlib.sha256(data).digest()
    return base64.b64encode(raw).decode(), raw


class _Progress:
    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total, self.done, self.callback = total, 0, callback
        self.lock = threading.Lock()

    def add(self, amount: int) -> None:
        with self.lock:
            self.done += amount
            if self.callback:
                self.callback(self.done, self.total)


def upload_new(
    client: S3Client,
    *,
    bucket: str,
    key: str,
    path: Path,
    extra: dict[str, Any],
    settings: TransferSettings,
    on_progress: ProgressCallback | None = None,
) -> Uploaded:
    """Create ``key``; botocore raises 412 PreconditionFailed when it already exists."""
    size = path.stat().st_size
    progress = _Progress(size, on_progress)
    if size <= settings.multipart_threshold:
        data = path.read_bytes()
        checksum, _ = b64_sha256(data)
        client.put_object(
            Bucket=bucket, Key=key, Body=data, ChecksumSHA256=checksum, IfNoneMatch="*", **extra
        )
        progress.add(size)
        return Uploaded(size, checksum)
    return _multipart(
        client, bucket=bucket, key=key, path=path, size=size, extra=extra, settings=settings,
        progress=progress,
    )


def _multipart(
    client: S3Client,
    *,
    bucket: str,
    key: str,
    path: Path,
    size: int,
    extra: dict[str, Any],
    settings: TransferSettings,
    progress: _Progress,
) -> Uploaded:
    part_size = max(settings.part_size, 5 * MiB, -(-size // MAX_PARTS))
    offsets = range(0, size, part_size)
    upload_id = client.create_multipart_upload(
        Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256", **extra
    )["UploadId"]
    try:
        with ThreadPoolExecutor(settings.max_workers, thread_name_prefix="s3-part") as pool:
            futures: list[Future[tuple[CompletedPartTypeDef, bytes]]] = [
                pool.submit(
                    _upload_part,
                    client,
                    bucket=bucket,
                    key=key,
                    upload_id=upload_id,
                    path=path,
                    number=number,
                    offset=offset,
                    length=min(part_size, size - offset),
                    progress=progress,
                )
                for number, offset in enumerate(offsets, start=1)
            ]
            try:
                results = [future.result() for future in futures]
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [part for part, _ in results]},
            IfNoneMatch="*",
        )
    except BaseException:
        with suppress(Exception):
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
    composite = hashlib.sha256(b"".join(raw for _, raw in results)).digest()
    return Uploaded(size, f"{base64.b64encode(composite).decode()}-{len(results)}")


def _upload_part(
    client: S3Client,
    *,
    bucket: str,
    key: str,
    upload_id: str,
    path: Path,
    number: int,
    offset: int,
    length: int,
    progress: _Progress,
) -> tuple[CompletedPartTypeDef, bytes]:
    with path.open("rb") as stream:
        stream.seek(offset)
        data = stream.read(length)
    checksum, raw = b64_sha256(data)
    response = client.upload_part(
        Bucket=bucket,
        Key=key,
        UploadId=upload_id,
        PartNumber=number,
        Body=data,
        ChecksumSHA256=checksum,
    )
    progress.add(length)
    return {"PartNumber": number, "ETag": response["ETag"], "ChecksumSHA256": checksum}, raw
