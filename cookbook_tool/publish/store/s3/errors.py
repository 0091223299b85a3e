"""Translate botocore errors into one-line ``ToolError``s, once, where S3 is called.

Messages say what to do and never carry a credential: the server's own message is left out for
credential errors and access key ids are masked everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cookbook_tool.errors import LocalError, RemoteError, ToolError, UsageError
from cookbook_tool.text import mask_aws_key_ids, mask_url_credentials

_CREDENTIALS = {
    "InvalidAccessKeyId": "the access key id is not known to the server",
    "SignatureDoesNotMatch": "the secret key does not match the access key id",
    "ExpiredToken": "the session credentials have expired",
    "TokenRefreshRequired": "the session credentials have expired",
    "InvalidToken": "the session token is not valid",
    "RequestExpired": "the request expired (check the machine's clock)",
    "InvalidClientTokenId": "the access key id is not valid",
}
_REGION = {
    "PermanentRedirect",
    "AuthorizationHeaderMalformed",
    "IllegalLocationConstraintException",
}
_UNREACHABLE = (
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
    "ProxyConnectionError",
    "SSLError",
)


def error_code(exc: BaseException) -> str:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def http_status(exc: BaseException) -> int:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def translate(exc: BaseException, what: str, bucket: str, endpoint: str | None) -> ToolError:
    """``what``: the action and object, e.g. ``"reading s3://b/k"``."""
    kind = type(exc).__name__
    if kind in ("NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError"):
        return LocalError(
            f"no usable AWS credentials while {what}: set AWS_PROFILE or --profile, or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
        )
    if kind in _UNREACHABLE or kind == "HTTPClientError":
        where = mask_url_credentials(endpoint) if endpoint else "the S3 endpoint"
        return RemoteError(
            f"cannot reach {where} while {what} ({kind}): check --endpoint-url/--region and "
            "the network, then run again"
        )
    if kind == "ParamValidationError":
        report = " ".join(str(getattr(exc, "kwargs", {}).get("report", "")).split())
        return UsageError(
            f"invalid S3 request while {what}: {_safe(report) or kind}: check the "
            "bucket name and prefix in the target URL"
        )
    code, status = error_code(exc), http_status(exc)
    if code in _CREDENTIALS:
        return RemoteError(
            f"credentials rejected while {what}: {_CREDENTIALS[code]} ({code}): check "
            "--profile/AWS_PROFILE or refresh the credentials (e.g. `aws sso login`)"
        )
    if code == "NoSuchBucket":
        return RemoteError(missing_bucket(bucket))
    if code in _REGION or status == 301:
        region = bucket_region(exc)
        hint = f"--region {region}" if region else "the bucket's --region"
        return RemoteError(f"bucket {bucket!r} is in another region while {what}: use {hint}")
    if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
        return RemoteError(
            f"access denied while {what}: the credentials need s3:GetObject, s3:PutObject, "
            "s3:DeleteObject and s3:ListBucket on the bucket (check --profile and the policy)"
        )
    if code in ("SlowDown", "ServiceUnavailable", "InternalError") or status >= 500:
        return RemoteError(f"S3 kept failing while {what} ({code or status}): try again later")
    message = _safe(str(getattr(exc, "response", {}).get("Error", {}).get(
        "Message", "") or kind))
    return RemoteError(f"S3 error while {what}: {code or kind}: {message}")


def _safe(text: str) -> str:
    """A server's or botocore's text without URL credentials (an endpoint URL may hold some)
    and without access key ids."""
    return mask_aws_key_ids(mask_url_credentials(text))


def missing_bucket(bucket: str) -> str:
    return f"bucket {bucket!r} does not exist: check the target URL, the region and the account"


def bucket_region(exc: BaseException) -> str | None:
    """The region S3 names in an error response (a redirect, a 403 on HeadBucket)."""
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    region = headers.get("x-amz-bucket-region") or response.get("Error", {}).get("Region")
    return str(region) if region else None


def is_botocore_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("botocore", "boto3", "urllib3"))


@contextmanager
def s3_errors(what: str, bucket: str, endpoint: str | None) -> Iterator[None]:
    """Translate any botocore error raised inside into a ``ToolError``."""
    try:
        yield
    except ToolError:
        raise
    except Exception as exc:
        if not is_botocore_error(exc):
            raise
        raise translate(exc, what, bucket, endpoint) from exc
