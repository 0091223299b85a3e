"""How consumers point at a published archive: OpsWorks ``CustomCookbooksSource``, Systems
Manager ``AWS-ApplyChefRecipes`` parameters and a ``chef-solo --recipe-url`` line."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from cookbook_tool.publish.base import ConsumerInfo

FOLDER_NOTE = (
    "a folder target is for local use and testing: OpsWorks and Systems Manager read archives "
    "from S3 or HTTP(S), publish to s3://BUCKET for them"
)


def s3_object_url(bucket: str, key: str, region: str | None, endpoint_url: str | None) -> str:
    """The HTTPS URL of an object: virtual-hosted on AWS, path-style on a custom endpoint and
    for a bucket name with dots (``a.b.s3.…`` does not match the wildcard TLS certificate)."""
    quoted = quote(key, safe="/-_.~+")
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{bucket}/{quoted}"
    host = f"s3.{region or 'us-east-1'}.amazonaws.com"
    if "." in bucket:
        return f"https://{host}/{bucket}/{quoted}"
    return f"https://{bucket}.{host}/{quoted}"


def s3_consumer_info(url: str, presigned_url: str | None = None) -> ConsumerInfo:
    extra: dict[str, object] = {"url": url}
    if presigned_url:
        extra["presigned_url"] = presigned_url
    return ConsumerInfo(
        custom_cookbooks_source={"Type": "s3", "Url": url},
        ssm_apply_chef_recipes={"SourceType": "S3", "SourceInfo": json.dumps({"path": url})},
        chef_solo=f"chef-solo --recipe-url {presigned_url or url}",
        extra=extra,
    )


def folder_consumer_info(path: Path) -> ConsumerInfo:
    url = path.as_uri()
    return ConsumerInfo(
        custom_cookbooks_source={"Type": "archive", "Url": url},
        ssm_apply_chef_recipes={"SourceType": "HTTP", "SourceInfo": json.dumps({"url": url})},
        chef_solo=f"chef-solo --recipe-url {path}",
        extra={"url": url, "path": str(path), "note": FOLDER_NOTE},
    )
