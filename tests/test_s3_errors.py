"""botocore errors become one-line ToolErrors; consumer URLs for AWS and custom endpoints."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from cookbook_tool.errors import LocalError, RemoteError
from cookbook_tool.publish.consumers import s3_consumer_info, s3_object_url
from cookbook_tool.publish.s3_errors import translate


def client_error(code: str, status: int, message: str = "", **headers: str) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers},
    }
    return ClientError(response, "PutObject")  # type: ignore[arg-type]


@pytest.mark.parametrize(("error", "expected"), [
    (client_error("NoSuchBucket", 404), "bucket 'bkt' does not exist"),
    (client_error("AccessDenied", 403), "access denied while writing"),
    (client_error("403", 403), "access denied"),
    (client_error("PermanentRedirect", 301, **{"x-amz-bucket-region": "eu-west-1"}),
     "--region eu-west-1"),
    (client_error("AuthorizationHeaderMalformed", 400), "another region"),
    (client_error("ExpiredToken", 400, "token AKIAABCDEFGHIJKLMNOP expired"), "have expired"),
    (client_error("InvalidAccessKeyId", 403), "credentials rejected"),
    (client_error("SlowDown", 503), "try again later"),
    (client_error("Weird", 400, "key AKIAABCDEFGHIJKLMNOP"), "Weird: key ***"),
    (EndpointConnectionError(endpoint_url="http://x"), "cannot reach http://127.0.0.1:1"),
])
def test_translation(error: Exception, expected: str) -> None:
    translated = translate(error, "writing s3://bkt/k", "bkt", "http://127.0.0.1:1")
    assert isinstance(translated, RemoteError)
    assert expected in translated.message
    assert "AKIAABCDEFGHIJKLMNOP" not in translated.message
    assert "\n" not in translated.message


def test_missing_credentials_are_local() -> None:
    translated = translate(NoCredentialsError(), "reading s3://b/k", "b", None)
    assert isinstance(translated, LocalError) and translated.exit_code == 3


def test_object_urls() -> None:
    assert s3_object_url("bkt", "p/cookbooks.tar.gz", None, None) == (
        "https://bkt.s3.us-east-1.amazonaws.com/p/cookbooks.tar.gz"
    )
    assert s3_object_url("bkt", "a b.tar.gz", "eu-west-1", None) == (
        "https://bkt.s3.eu-west-1.amazonaws.com/a%20b.tar.gz"
    )
    assert s3_object_url("bkt", "k", "x", "http://127.0.0.1:9000/") == "http://127.0.0.1:9000/bkt/k"
    info = s3_consumer_info("https://u/k")
    assert info.custom_cookbooks_source == {"Type": "s3", "Url": "https://u/k"}
    assert info.ssm_apply_chef_recipes["SourceType"] == "S3"
    assert json.loads(info.ssm_apply_chef_recipes["SourceInfo"]) == {"path": "https://u/k"}
    assert info.chef_solo == "chef-solo --recipe-url https://u/k"
