"""botocore errors become one-line ToolErrors; consumer URLs for AWS and custom endpoints."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from cookbook_tool.errors import LocalError, RemoteError, UsageError
from cookbook_tool.publish.consumers import s3_consumer_info, s3_object_url
from cookbook_tool.publish.store.s3.errors import translate
from cookbook_tool.publish.store.s3.store import parse_s3_url
from cookbook_tool.text import mask_url


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


def test_param_validation_error_is_one_clean_line() -> None:
    from botocore.exceptions import ParamValidationError

    error = ParamValidationError(report='Invalid bucket name "AKIAABCDEFGHIJKLMNOP:x": Bucket '
                                 'name must match the regex\n"^[a-zA-Z0-9.]+$"')
    translated = translate(error, "reading s3://b/k", "b", None)

    assert isinstance(translated, UsageError) and translated.exit_code == 2
    assert "\n" not in translated.message and "Invalid bucket name" in translated.message
    assert "ParamValidationError: ParamValidationError" not in translated.message
    assert "AKIAABCDEFGHIJKLMNOP" not in translated.message


@pytest.mark.parametrize("url", [
    "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG@bucket/x",
    "s3://AKIAIOSFODNN7EXAMPLE:secret@bucket",
    "s3://user@bucket/prefix",
])
def test_s3_urls_with_credentials_are_refused_without_echo(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_s3_url(url)

    assert "credential chain" in caught.value.message
    for part in ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "K7MDENG", "secret", "user@"):
        assert part not in caught.value.message


@pytest.mark.parametrize(("url", "shown"), [
    ("git+http://bob:pa/55@127.0.0.1:18777/x.git", "git+http://bob:***@127.0.0.1:18777/x.git"),
    ("https://u:p@s@w@host/x", "https://u:***@host/x"),
    ("https://token@host/x.git", "https://***@host/x.git"),
    ("s3://AKIAIOSFODNN7EXAMPLE:se/cret@b", "s3://***:***@b"),
    ("fatal: unable to access 'http://bob:pa/5@5@h:1/x.git/': no",
     "fatal: unable to access 'http://bob:***@h:1/x.git/': no"),
    ("git+ssh://git@host/x.git and https://a:b@c/", "git+ssh://***@host/x.git and https://a:***@c/"),
    ("https://host/no-credentials", "https://host/no-credentials"),
])
def test_mask_url_hides_everything_up_to_the_last_at(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_dotted_bucket_urls_are_path_style() -> None:
    assert s3_object_url("my.dotted.bucket", "k/a.tar.gz", "eu-west-1", None) == (
        "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k/a.tar.gz"
    )
