"""How consumers point at a published archive: OpsWorks ``CustomCookbooksSource``, Systems
Manager ``AWS-ApplyChefRecipes`` parameters and a ``chef-solo --recipe-url`` line."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from cookbook_tool.publish.base import ConsumerInfo
from cookbook_tool.text import MASK, mask_url_credentials

FOLDER_NOTE = (
    "a folder target is for local use and testing: OpsWorks and Systems Manager read archives "
    "from S3 or HTTP(S), publish to s3://BUCKET for them"
)


def without_userinfo(url: str) -> str:
    """``url`` without ``user[:password]@``: consumers (OpsWorks, Systems Manager, chef-solo)
    are given the address, never the credentials an endpoint URL may carry."""
    masked = mask_url_credentials(url)
    return masked.replace(f"://{MASK}@", "://", 1) if masked != url else url


def s3_object_url(bucket: str, key: str, region: str | None, endpoint_url: str | None) -> str:
    """The HTTPS URL of an object: virtual-hosted on AWS, path-style on a custom endpoint and
    for a bucket name with dots (``a.b.s3.…`` does not match the wildcard TLS certificate)."""
    quoted = quote(key, safe="/-_.~+")
    if endpoint_url:
        return f"{without_userinfo(endpoint_url).rstrip('/')}/{bucket}/{quoted}"
    host = f"s3.{region or 'us-east-1'}.amazonaws.com"
    if "." in bucket:
        return f"https://{host}/{bucket}/{quoted}"
    return f"https://{bucket}.{host}/{quoted}"


CHEF_SOLO_NOTE = (
    "no chef-solo line: chef-solo --recipe-url needs a tar.gz whose cookbooks sit in a "
    "cookbooks/ folder, this release is {what}: bundle with layout \"cookbooks\" and format "
    "\"tar.gz\" for chef-solo"
)
FLAT_OPSWORKS_NOTE = (
    "flat layout: OpsWorks Linux stacks want the cookbooks inside a cookbooks/ root folder "
    "(layout \"cookbooks\"); a flat archive suits Windows stacks only"
)


def s3_consumer_info(
    url: str, presigned_url: str | None = None, archive_format: str = "tar.gz",
    layout: str = "cookbooks",
) -> ConsumerInfo:
    extra: dict[str, object] = {"url": url}
    if presigned_url:
        extra["presigned_url"] = presigned_url
    return ConsumerInfo(
        custom_cookbooks_source={"Type": "s3", "Url": url},
        ssm_apply_chef_recipes={"SourceType": "S3", "SourceInfo": json.dumps({"path": url})},
        chef_solo=_chef_solo(presigned_url or url, archive_format, layout, extra),
        extra=extra,
    )


def folder_consumer_info(
    path: Path, archive_format: str = "tar.gz", layout: str = "cookbooks"
) -> ConsumerInfo:
    url = path.as_uri()
    extra: dict[str, object] = {"url": url, "path": str(path), "note": FOLDER_NOTE}
    return ConsumerInfo(
        custom_cookbooks_source={"Type": "archive", "Url": url},
        ssm_apply_chef_recipes={"SourceType": "HTTP", "SourceInfo": json.dumps({"url": url})},
        chef_solo=_chef_solo(str(path), archive_format, layout, extra),
        extra=extra,
    )


def _chef_solo(
    where: str, archive_format: str, layout: str, extra: dict[str, object]
) -> str | None:
    """The chef-solo line, or None with notes in ``extra`` when the archive cannot serve it."""
    if layout == "flat":
        extra["opsworks_note"] = FLAT_OPSWORKS_NOTE
    odd = [f"a {archive_format}" if archive_format != "tar.gz" else "",
           "in flat layout" if layout == "flat" else ""]
    if any(odd):
        extra["chef_solo_note"] = CHEF_SOLO_NOTE.format(what=" ".join(w for w in odd if w))
        return None
    return f"chef-solo --recipe-url {where}"
