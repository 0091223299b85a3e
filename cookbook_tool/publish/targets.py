"""Pick the publisher for a target URL. Publisher modules are imported lazily, so that commands
that never publish never import boto3 or git."""

from __future__ import annotations

import importlib
import re

from cookbook_tool.errors import UsageError
from cookbook_tool.publish.base import Publisher, TargetOptions

# scheme -> "module:Class"; a new target is one new module and one line here.
_PUBLISHERS = {
    "file": "cookbook_tool.publish.folder:FolderPublisher",
    "s3": "cookbook_tool.publish.s3:S3Publisher",
    "git": "cookbook_tool.publish.git:GitPublisher",
}

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")


def target_kind(url: str) -> str:
    """``file``, ``s3`` or ``git`` for a target URL; a plain path is a folder target."""
    if url.startswith(("git+", "git://")) or _SCP_LIKE.match(url):
        return "git"
    scheme, sep, _ = url.partition("://")
    if not sep:
        return "file"
    if scheme in _PUBLISHERS:
        return scheme
    raise UsageError(
        f"unknown target {mask_url(url)!r}: use s3://BUCKET[/PREFIX], file://DIR, a directory, "
        "or a Git URL (git+ssh://, git+https://, git+file://, git://, user@host:path.git)"
    )


def open_publisher(url: str, options: TargetOptions | None = None) -> Publisher:
    module_name, _, class_name = _PUBLISHERS[target_kind(url)].partition(":")
    publisher_class = getattr(importlib.import_module(module_name), class_name)
    publisher: Publisher = publisher_class(url, options or TargetOptions())
    return publisher


# The user information runs to the LAST "@" of the URL (a password may hold "/", ":" or "@");
# a URL ends at whitespace or a quote (mask_url also cleans git's error text).
_USERINFO = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<userinfo>[^\s'\"<>]*)@(?=[^\s'\"<>@]*(?:[\s'\"<>]|$))",
    re.IGNORECASE,
)
_KEY_ID = re.compile(r"(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{8,}", re.IGNORECASE)


def mask_url(url: str) -> str:
    """Hide credentials in a URL: ``https://user:secret@host`` -> ``https://user:***@host``."""

    def _mask(match: re.Match[str]) -> str:
        userinfo = match.group("userinfo")
        if ":" not in userinfo:
            return f"{match.group('scheme')}***@"
        user = userinfo.split(":", 1)[0]
        shown = user if user and "/" not in user and not _KEY_ID.match(user) else "***"
        return f"{match.group('scheme')}{shown}:***@"

    return _USERINFO.sub(_mask, url)
