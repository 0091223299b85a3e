"""Publish to S3 (or an S3-compatible server): ``s3://BUCKET[/PREFIX]``.

Layout under the prefix: ``<name>/<version>/<name>-<version>.tar.gz`` (immutable, created with
``If-None-Match: *``, identity in ``x-amz-meta-sha256``, SHA-256 checksum verified by the
server and re-checked after upload), ``<name>/<name>.tar.gz`` (current: a server-side copy),
``<name>/releases.json`` (history, written with ``If-Match`` on its ETag).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import RemoteError, ToolError, UsageError
from cookbook_tool.publish.base import (
    ConsumerInfo,
    Origin,
    ProgressCallback,
    PublishResult,
    TargetOptions,
)
from cookbook_tool.publish.consumers import s3_consumer_info, s3_object_url, without_userinfo
from cookbook_tool.publish.store.base import ObjectExists, StoredObject, current_key, release_key
from cookbook_tool.publish.store.lifecycle import StorePublisher
from cookbook_tool.publish.store.s3.client import ClientSettings, endpoint_url, s3_client
from cookbook_tool.publish.store.s3.errors import (
    bucket_region,
    error_code,
    http_status,
    missing_bucket,
    s3_errors,
)
from cookbook_tool.publish.store.s3.transfer import TransferSettings, b64_sha256, upload_new

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_LOST_RACE = {"PreconditionFailed", "ConditionalRequestConflict"}
_SSE = ("AES256", "aws:kms", "aws:kms:dsse")
MAX_PRESIGN = 604_800  # seconds: the longest a SigV4 presigned URL is valid


def parse_s3_url(url: str) -> tuple[str, str]:
    if _has_userinfo(url):
        raise UsageError(
            "an S3 target URL must not hold credentials (s3://KEY:SECRET@BUCKET): give "
            "s3://BUCKET[/PREFIX] and put the credentials in the AWS credential chain "
            "(AWS_PROFILE/--profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, `aws sso login`)"
        )
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise UsageError(f"{url}: an S3 target is s3://BUCKET[/PREFIX]")
    return parsed.netloc, parsed.path.strip("/")


def _has_userinfo(url: str) -> bool:
    """True for ``s3://user[:secret]@bucket``, also when the secret holds ``/`` (a bucket
    name never holds ``@`` or ``:``)."""
    first = url.partition("://")[2].split("/", 1)[0]
    return "@" in first or ":" in first


class S3Store:
    history_error: type[ToolError] = RemoteError

    def __init__(
        self,
        url: str,
        options: TargetOptions,
        client: S3Client,
        transfer: TransferSettings,
        regional: Callable[[str], S3Client] | None = None,
    ) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.url = url
        self.client = client
        self.regional = regional  # a client for another region (presigning), when we can build one
        self._region: str | None = None
        self._checked = False
        self._bucket_region: str | None = None
        self.transfer = transfer
        self.endpoint = endpoint_url(options)
        self.profile = options.profile
        where = without_userinfo(self.endpoint).rstrip("/") if self.endpoint else "aws"
        self.place = f"{where} s3://{self.bucket}/{self.prefix}".rstrip("/")
        if options.presign_seconds is not None and options.presign_seconds > MAX_PRESIGN:
            raise UsageError(
                f"--presign {options.presign_seconds}: S3 presigned URLs last at most "
                f"{MAX_PRESIGN} seconds (7 days, SigV4): give {MAX_PRESIGN} or less"
            )
        self.extra: dict[str, Any] = {}
        if options.sse:
            if options.sse not in _SSE:
                raise UsageError(f"--sse {options.sse}: use one of {', '.join(_SSE)}")
            self.extra["ServerSideEncryption"] = options.sse
        if options.sse_kms_key_id:
            self.extra["SSEKMSKeyId"] = options.sse_kms_key_id

    def key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.key(key)}"

    def _errors(self, action: str, key: str) -> Any:
        return s3_errors(f"{action} {self.location(key)}", self.bucket, self.endpoint)

    def stat(self, key: str) -> StoredObject | None:
        with self._errors("reading", key):
            try:
                head = self.client.head_object(Bucket=self.bucket, Key=self.key(key))
            except Exception as exc:
                if http_status(exc) == 404:
                    return None
                raise
        return StoredObject(size=head["ContentLength"], sha256=head["Metadata"].get("sha256"))

    def put_new(self, key: str, artifact: Artifact, on_progress: ProgressCallback | None) -> int:
        extra = {
            **self.extra,
            "Metadata": {"sha256": artifact.sha256, "archive-sha256": artifact.archive_sha256},
            "ContentType": "application/zip"
            if artifact.archive_format == "zip"
            else "application/gzip",
        }
        with self._errors("uploading", key):
            try:
                uploaded = upload_new(
                    self.client,
                    bucket=self.bucket,
                    key=self.key(key),
                    path=artifact.path,
                    extra=extra,
                    settings=self.transfer,
                    on_progress=on_progress,
                )
            except Exception as exc:
                if error_code(exc) in _LOST_RACE or http_status(exc) == 412:
                    raise ObjectExists(key) from exc
                raise
            self._verify(key, uploaded.size, uploaded.checksum_sha256)
        return uploaded.size

    def _verify(self, key: str, size: int, checksum: str) -> None:
        head = self.client.head_object(
            Bucket=self.bucket, Key=self.key(key), ChecksumMode="ENABLED"
        )
        stored = head.get("ChecksumSHA256")
        if head["ContentLength"] != size or (stored and stored != checksum):
            raise RemoteError(
                f"{self.location(key)}: the stored object does not match the uploaded file "
                f"(size {head['ContentLength']} vs {size}, sha256 {stored} vs {checksum}): "
                "delete it and publish again"
            )

    def copy(self, source: str, destination: str) -> None:
        with self._errors("copying to", destination):
            self.client.copy_object(
                Bucket=self.bucket,
                Key=self.key(destination),
                CopySource={"Bucket": self.bucket, "Key": self.key(source)},
                MetadataDirective="COPY",
                **self.extra,
            )

    def download(self, key: str, path: Path) -> int:
        with self._errors("downloading", key):
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self.key(key))
            except Exception as exc:
                if error_code(exc) == "NoSuchKey":
                    raise RemoteError(f"{self.location(key)}: the release archive is missing") \
                        from exc
                raise
            done = 0
            with path.open("wb") as out:
                for chunk in response["Body"].iter_chunks(1 << 20):
                    out.write(chunk)
                    done += len(chunk)
        return done

    def can_copy_from(self, source: S3Store) -> bool:
        """Whether objects of ``source`` can be copied here server-side (CopyObject): the same
        endpoint and credentials, so one client reaches both buckets."""
        return self.endpoint == source.endpoint and self.profile == source.profile

    def copy_in(self, source: S3Store, source_key: str, key: str, sha256: str) -> None:
        """Create ``key`` as a server-side copy of ``source_key`` in ``source`` (no byte goes
        through this machine), only if absent (``ObjectExists``); then check the copy: the
        release identity and the SHA-256 checksum the server computed must match the source's."""
        origin = source.head(source_key)
        if origin.get("Metadata", {}).get("sha256") != sha256:
            raise RemoteError(
                f"{source.location(source_key)}: the archive does not carry the identity its "
                "history records: nothing promoted"
            )
        with self._errors("copying to", key):
            try:
                self.client.copy_object(
                    Bucket=self.bucket, Key=self.key(key),
                    CopySource={"Bucket": source.bucket, "Key": source.key(source_key)},
                    CopySourceIfMatch=origin["ETag"], IfNoneMatch="*",
                    MetadataDirective="COPY", ChecksumAlgorithm="SHA256", **self.extra,
                )
            except Exception as exc:
                if error_code(exc) in _LOST_RACE or http_status(exc) == 412:
                    raise ObjectExists(key) from exc
                raise
        copied = self.head(key)
        checksums = (origin.get("ChecksumSHA256"), copied.get("ChecksumSHA256"))
        if (copied["ContentLength"] != origin["ContentLength"]
                or copied.get("Metadata", {}).get("sha256") != sha256
                or (all(checksums) and checksums[0] != checksums[1])):
            raise RemoteError(
                f"{self.location(key)}: the server-side copy does not match its source "
                f"{source.location(source_key)}: delete it and promote again"
            )

    def head(self, key: str) -> Any:
        with self._errors("reading", key):
            return self.client.head_object(
                Bucket=self.bucket, Key=self.key(key), ChecksumMode="ENABLED"
            )

    def delete(self, key: str) -> None:
        with self._errors("deleting", key):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(key))

    def read_doc(self, key: str) -> tuple[bytes | None, str | None]:
        with self._errors("reading", key):
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self.key(key))
            except Exception as exc:
                if error_code(exc) == "NoSuchKey":
                    return None, None
                raise
            return response["Body"].read(), response["ETag"]

    def write_doc(self, key: str, data: bytes, token: str | None) -> bool:
        condition: dict[str, Any] = {"IfMatch": token} if token else {"IfNoneMatch": "*"}
        with self._errors("writing", key):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key(key),
                    Body=data,
                    ChecksumSHA256=b64_sha256(data)[0],  # the body is not signed (client.py)
                    ContentType="application/json",
                    CacheControl="no-cache",
                    **condition,
                    **self.extra,
                )
            except Exception as exc:
                if error_code(exc) in _LOST_RACE or http_status(exc) in (409, 412):
                    return False
                raise
        return True

    def check(self) -> None:
        """HeadBucket, once: a missing bucket fails here, before anything is read or written
        (HeadObject answers 404 for a missing bucket as for a missing object)."""
        if not self._checked:
            self._bucket_region = self._head_bucket()
            self._checked = True

    def region(self) -> str:
        """The bucket's own region (HeadBucket's ``x-amz-bucket-region``), found once; the
        client's region on a custom endpoint."""
        if self._region is None:
            if not self.endpoint:
                self.check()
            found = None if self.endpoint else self._bucket_region
            self._region = found or self.client.meta.region_name or "us-east-1"
        return self._region

    def _head_bucket(self) -> str | None:
        with s3_errors(f"checking bucket {self.bucket!r}", self.bucket, self.endpoint):
            try:
                response: Any = self.client.head_bucket(Bucket=self.bucket)
            except Exception as exc:
                if http_status(exc) == 404 or error_code(exc) in ("404", "NoSuchBucket"):
                    raise RemoteError(missing_bucket(self.bucket)) from exc
                found = bucket_region(exc)  # a redirect or 403 still names the region
                if found or http_status(exc) == 403:
                    return found  # a 403 has no body: the next request tells what is wrong
                raise
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        found = headers.get("x-amz-bucket-region") or response.get("BucketRegion")
        return str(found) if found else None

    def object_url(self, key: str) -> str:
        return s3_object_url(self.bucket, self.key(key), self.region(), self.endpoint)

    def presign(self, key: str, seconds: int) -> str:
        client = self.client
        region = self.region()
        if self.regional is not None and not self.endpoint and (
            region != client.meta.region_name or "." in self.bucket
        ):
            client = self.regional(region)
        with self._errors("presigning", key):
            return client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": self.key(key)},
                ExpiresIn=seconds,
            )


class S3Publisher(StorePublisher):
    """``s3://BUCKET[/PREFIX]``. ``client``/``transfer``/``client_settings`` are for embedding
    and tests; by default the client comes from ``aws.s3_client`` (default credential chain)."""

    def __init__(
        self,
        url: str,
        options: TargetOptions,
        *,
        client: S3Client | None = None,
        transfer: TransferSettings | None = None,
        client_settings: ClientSettings | None = None,
    ) -> None:
        transfer = transfer or TransferSettings()
        settings = client_settings or ClientSettings()
        settings = replace(
            settings, max_pool_connections=max(settings.max_pool_connections, transfer.max_workers)
        )
        bucket, _ = parse_s3_url(url)

        def regional(region: str) -> S3Client:
            chosen = replace(options, region=region)
            return s3_client(chosen, replace(settings, path_style="." in bucket))

        self.s3 = S3Store(url, options, client or s3_client(options, settings), transfer,
                          None if client else regional)
        super().__init__(self.s3, options)

    def publish_with(
        self,
        artifact: Artifact,
        create: Callable[[str], int],
        *,
        force_current: bool = False,
        origin: Origin | None = None,
    ) -> PublishResult:
        self.s3.region()  # before the first byte: the consumer URLs need the bucket's region
        return super().publish_with(artifact, create, force_current=force_current, origin=origin)

    def promote_copy(
        self, source: S3Publisher, artifact: Artifact, origin: Origin
    ) -> PublishResult | None:
        """Promote ``artifact`` (a release of ``source``) by server-side copy, or None when the
        two buckets cannot be reached by one client (then the caller streams it)."""
        if not self.s3.can_copy_from(source.s3):
            return None
        source_key = release_key(artifact.name, artifact.version, artifact.archive_format)

        def copy(key: str) -> int:
            self.s3.copy_in(source.s3, source_key, key, artifact.sha256)
            return 0

        return self.publish_with(artifact, copy, force_current=True, origin=origin)

    def consumer_info(self, name: str, version: str | None = None) -> ConsumerInfo:
        history = self.load(name)
        entry = history.find(version) if version else history.current_entry
        fmt = entry.archive_format if entry else "tar.gz"
        key = release_key(name, version, fmt) if version else current_key(name, fmt)
        seconds = self.options.presign_seconds
        presigned = self.s3.presign(key, seconds) if seconds else None
        layout = entry.layout if entry else "cookbooks"
        return s3_consumer_info(self.s3.object_url(key), presigned, fmt, layout)
