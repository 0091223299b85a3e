"""The one place that builds boto3 clients (imported lazily: only publishing pays for boto3).

Credentials come from boto3's default chain (environment, shared files, SSO, instance role),
narrowed by ``--profile``; ``--region`` and ``--endpoint-url`` (or ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL``) pick the server. Retries use botocore's standard mode (exponential
backoff with jitter for throttling, 5xx and dropped connections).

Request bodies are not hashed into the signature (``payload_signing_enabled: False``, which
botocore otherwise forces on plain-HTTP endpoints): every body we send carries its own
``x-amz-checksum-sha256``, which SigV4 signs like every ``x-amz-*`` header and the server checks
against the bytes (``BadDigest``), so a body altered on the way is refused over HTTP as over
HTTPS, and the client hashes each byte once instead of twice (the checksum and the signature).
A multipart completion's part list is checked afterwards against the composite checksum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cookbook_tool.errors import LocalError
from cookbook_tool.publish.base import TargetOptions

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class ClientSettings:
    max_attempts: int = 5
    retry_mode: str = "standard"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_pool_connections: int = 16
    path_style: bool = False  # for bucket names with dots (virtual-hosted fails TLS)
    payload_signing: bool = False  # bodies carry a signed, server-checked SHA-256 instead


def endpoint_url(options: TargetOptions) -> str | None:
    env = options.environ
    return options.endpoint_url or env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")


def _check_region(region: str, known: list[str]) -> None:
    """A typo in ``--region`` would otherwise surface as an unreachable endpoint. Only for AWS
    itself: S3-compatible servers (``--endpoint-url``) name their regions as they like."""
    if known and region not in known:
        from cookbook_tool.errors import UsageError
        from cookbook_tool.text import did_you_mean

        raise UsageError(
            f"unknown AWS region {region!r}{did_you_mean(region, known, 0.8)}: check --region "
            "or the target's region in cookbook-tool.toml"
        )


def s3_client(options: TargetOptions, settings: ClientSettings | None = None) -> S3Client:
    import boto3  # lazy: only publishing pays for boto3
    import botocore.exceptions
    from botocore.config import Config

    settings = settings or ClientSettings()
    endpoint = endpoint_url(options)
    config = Config(
        retries={"max_attempts": settings.max_attempts, "mode": settings.retry_mode},  # type: ignore[arg-type]
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_pool_connections=settings.max_pool_connections,
        s3={
            "addressing_style": "path" if endpoint or settings.path_style else "auto",
            "payload_signing_enabled": settings.payload_signing,
        },
        signature_version="s3v4",  # presigned URLs too: SigV2 fails in newer regions
        request_checksum_calculation="when_required",
        user_agent_extra="cookbook-tool",
    )
    try:
        session = boto3.session.Session(profile_name=options.profile, region_name=options.region)
        if options.region and endpoint is None:
            _check_region(options.region, session.get_available_regions("s3", "aws")
                          + session.get_available_regions("s3", "aws-cn")
                          + session.get_available_regions("s3", "aws-us-gov"))
        return session.client("s3", endpoint_url=endpoint, config=config)
    except botocore.exceptions.ProfileNotFound as exc:
        raise LocalError(
            f"AWS profile {options.profile!r} not found: check --profile / AWS_PROFILE and "
            "~/.aws/config"
        ) from exc
    except ValueError as exc:  # e.g. an endpoint URL that is not a URL
        from cookbook_tool.text import mask_url_credentials

        shown = mask_url_credentials(str(exc))
        raise LocalError(f"cannot configure the S3 client: {shown}") from exc
