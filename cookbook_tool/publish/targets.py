"""Pick the publisher for a target URL. Publisher modules are imported lazily, so that commands
that never publish never import boto3 or git."""

from __future__ import annotations

import importlib
import re

from cookbook_tool.errors import UsageError
from cookbook_tool.publish.base import Publisher, TargetOptions
from cookbook_tool.text import mask_url_credentials

# scheme -> "module:Class"; a new target is one new module and one line here.
_PUBLISHERS = {
    "file": "cookbook_tool.publish.store.folder:FolderPublisher",
    "s3": "cookbook_tool.publish.store.s3:S3Publisher",
    "git": "cookbook_tool.publish.git.publisher:GitPublisher",
}

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")


def target_kind(url: str) -> str:
    """``file``, ``s3`` or ``git`` for a target URL; a plain path is a folder target."""
    if url.startswith(("git+", "git://")) or _SCP_LIKE.match(url):
        return "git"
    scheme, sep, rest = url.partition("://")
    if not sep or scheme == "file":
        _refuse_userinfo(rest if sep else url, url)
        return "file"
    if scheme in _PUBLISHERS:
        return scheme
    raise UsageError(
        f"unknown target {mask_url(url)!r}: use s3://BUCKET[/PREFIX], file://DIR, a directory, "
        "or a Git URL (git+ssh://, git+https://, git+file://, git://, user@host:path.git)"
    )


def _refuse_userinfo(path: str, url: str) -> None:
    """A folder target never holds ``user[:password]@``: such a text is a mistyped URL (e.g. a
    scp-like Git URL with a password), never a folder to create. The secret is not echoed."""
    at = path.rfind("@")
    if at < 0 or (":" not in path[:at] and ":" not in path[at:]):
        return
    raise UsageError(
        f"target {mask_target(url)!r} looks like a URL with credentials, not a folder: give a "
        "Git URL (git+ssh://, git+https://, user@host:path.git) without a password (use an SSH "
        "key or a credential helper), or a folder path without '@'"
    )


def mask_target(text: str) -> str:
    """``mask_url`` for URLs; for anything else, hide what follows the first ``:`` before the
    last ``@`` (``user:secret@host:x.git`` -> ``user:***@host:x.git``)."""
    if "://" in text:
        return mask_url(text)
    at = text.rfind("@")
    colon = text.find(":", 0, at)
    return text if at < 0 or colon < 0 else f"{text[: colon + 1]}***{text[at:]}"


def open_publisher(url: str, options: TargetOptions | None = None) -> Publisher:
    module_name, _, class_name = _PUBLISHERS[target_kind(url)].partition(":")
    publisher_class = getattr(importlib.import_module(module_name), class_name)
    publisher: Publisher = publisher_class(url, options or TargetOptions())
    return publisher


def mask_url(url: str) -> str:
    """Hide credentials in a URL (or in git's error text holding URLs):
    ``https://user:secret@host`` -> ``https://user:***@host``."""
    return mask_url_credentials(url, keep_user=True)
