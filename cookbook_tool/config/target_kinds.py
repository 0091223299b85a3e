"""The kinds of publish target (``file``, ``s3``, ``git``): how a URL names one, which options
each takes, and which publisher class serves it. One declaration per kind, ``KINDS``.

Everything that depends on a kind's options is derived from these declarations: the command-line
options of ``publish``/``releases``/``rollback``/``prune`` (``cli.targets``), the check that a
``[targets.NAME]`` table only holds options of its kind (``config.check``), the renaming of
configuration keys to ``TargetOptions`` fields and which of them are paths relative to the
configuration (``publish.configured``), and the choice of publisher (``publish.targets``). A
test keeps the target section of the published schema (``schemas/cookbook-tool-config.json``)
and the fields of ``publish.base.TargetOptions`` (the typed value the publishers read) equal to
what is declared here.

Why plain data in ``config``: the configuration is checked by every command, ``validate`` in a
pre-commit hook included, and the layering forbids ``config`` to import ``publish``. So the
declarations name their publisher as ``"module:Class"`` text, imported only when a target is
used. A new kind is one new publisher module plus one ``TargetKind`` line in ``KINDS`` (and the
fields of its new options in ``TargetOptions``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from cookbook_tool.errors import UsageError
from cookbook_tool.text import mask_url


class TargetOption(NamedTuple):
    """One option of a target: ``field`` of ``TargetOptions``, given as ``--KEY`` on the
    command line and ``KEY = ...`` in a ``[targets.NAME]`` table (``key`` defaults to
    ``field``). A ``Path`` option given in the configuration is relative to its folder.

    Declarations are NamedTuples, not dataclasses: every ``validate`` with a configured target
    imports them, and a dataclass's methods are generated from source text at import (about
    1 ms each)."""

    field: str
    type: type
    help: str  # the command-line help
    schema: Mapping[str, Any]  # the JSON Schema of the configured value, with its description
    key: str = ""
    metavar: str | None = None
    minimum: int | None = None
    configured: bool = True  # False: command line only (set elsewhere in the configuration)

    @property
    def config_key(self) -> str:
        return self.key or self.field

    @property
    def flag(self) -> str:
        return "--" + self.config_key.replace("_", "-")


class TargetKind(NamedTuple):
    """One kind of publish target: its publisher, its options and its URLs' shape."""

    name: str
    publisher: str  # "module:Class", imported when a target of this kind is used
    options: tuple[TargetOption, ...] = ()
    url_shape: re.Pattern[str] | None = None  # what a URL of this kind must look like

    @property
    def config_keys(self) -> frozenset[str]:
        return frozenset(o.config_key for o in self.options if o.configured)


def _text(description: str, **schema: Any) -> dict[str, Any]:
    return {"description": description, "type": "string", **schema}


S3_OPTIONS = (
    TargetOption("profile", str, "AWS profile.", _text("AWS profile to use.")),
    TargetOption("region", str, "AWS region of the bucket.", _text("AWS region of the bucket.")),
    TargetOption(
        "endpoint_url",
        str,
        "S3-compatible endpoint (default: AWS_ENDPOINT_URL).",
        _text("S3-compatible endpoint URL."),
    ),
    TargetOption(
        "sse",
        str,
        "Server-side encryption: AES256 or aws:kms.",
        {"description": "Server-side encryption.", "enum": ["AES256", "aws:kms"]},
    ),
    TargetOption(
        "sse_kms_key_id",
        str,
        "KMS key for --sse aws:kms.",
        _text("KMS key for aws:kms encryption."),
    ),
    TargetOption(
        "presign_seconds",
        int,
        "Add a presigned URL valid this long.",
        {
            "description": "Seconds a presigned URL stays valid (private buckets).",
            "type": "integer",
            "minimum": 1,
        },
        key="presign",
        metavar="SECONDS",
        minimum=1,
    ),
)
GIT_OPTIONS = (
    TargetOption(
        "branch", str, "Git target: branch to push.", _text("Git release branch.", minLength=1)
    ),
    TargetOption(
        "ssh_key", Path, "Git target: SSH key file.", _text("Deploy key file for SSH Git targets.")
    ),
    TargetOption(
        "known_hosts",
        Path,
        "Git target: known_hosts file.",
        _text("known_hosts file for SSH Git targets."),
    ),
    TargetOption(
        "tag_pattern",
        str,
        "Git target: release tag pattern [default: {name}-{version}].",
        _text("Git tag name pattern, with {name} and {version}.", minLength=1),
    ),
    TargetOption(
        "token_env",
        str,
        "Git target: environment variable holding an HTTPS token.",
        _text("Environment variable holding an HTTPS token."),
    ),
)
# Options every kind takes. The author is configured in [publish], not per target.
COMMON_OPTIONS = (
    TargetOption("author_name", str, "Git commit author.", {}, configured=False),
    TargetOption("author_email", str, "Git author email.", {}, configured=False),
    TargetOption(
        "retention",
        int,
        "Releases to keep [default: the configuration's, or 5].",
        {"description": "Releases to keep on this target.", "type": "integer", "minimum": 1},
        minimum=1,
    ),
)

# kind -> its declaration; a new target is one new module and one line here.
KINDS: dict[str, TargetKind] = {
    kind.name: kind
    for kind in (
        TargetKind("file", "cookbook_tool.publish.store.folder:FolderPublisher"),
        TargetKind(
            "s3",
            "cookbook_tool.publish.store.s3.store:S3Publisher",
            S3_OPTIONS,
            re.compile(r"^s3://[^/]+"),
        ),
        TargetKind(
            "git",
            "cookbook_tool.publish.git.publisher:GitPublisher",
            GIT_OPTIONS,
            re.compile(r"^(git\+\w+://|git://)?.+"),
        ),
    )
}


# The target a release is promoted from (``promote VERSION --to NAME``): pipeline data read by
# ``promote``, not an option of the publisher.
PROMOTE_FROM = "promote_from"
PROMOTE_FROM_SCHEMA = {
    "description": "The configured target `cookbook-tool promote VERSION --to THIS` copies "
    "releases from (blue/green: green).",
    "type": "string",
    "minLength": 1,
}


def shared_keys() -> frozenset[str]:
    """Keys every ``[targets.NAME]`` table may hold, whatever its kind: ``url``, the common
    options set per target (``retention``) and ``promote_from``."""
    common = {o.config_key for o in COMMON_OPTIONS if o.configured}
    return frozenset({"url", PROMOTE_FROM}) | common


def all_options() -> tuple[TargetOption, ...]:
    """Every option of every kind, then the common ones: the command line's order."""
    return (*(o for kind in KINDS.values() for o in kind.options), *COMMON_OPTIONS)


def renamed_keys() -> dict[str, str]:
    """Configuration keys that name a ``TargetOptions`` field differently (``presign``)."""
    return {o.config_key: o.field for o in all_options() if o.config_key != o.field}


def path_keys() -> frozenset[str]:
    """Configuration keys whose value is a path relative to the configuration's folder."""
    return frozenset(o.config_key for o in all_options() if o.type is Path)


def target_schema_properties() -> dict[str, Any]:
    """The ``properties`` of a ``[targets.NAME]`` table in the configuration schema."""
    url = {
        "description": "s3://bucket[/prefix], file://DIR or a folder, or a Git URL.",
        "type": "string",
        "minLength": 1,
    }
    configured = (o for o in all_options() if o.configured)
    options = {o.config_key: dict(o.schema) for o in configured}
    return {"url": url, **options, PROMOTE_FROM: dict(PROMOTE_FROM_SCHEMA)}


_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)")


def target_kind(url: str) -> str:
    """``file``, ``s3`` or ``git`` for a target URL; a plain path is a folder target."""
    if url.startswith(("git+", "git://")) or _SCP_LIKE.match(url):
        return "git"
    scheme, sep, rest = url.partition("://")
    if not sep or scheme == "file":
        _refuse_userinfo(rest if sep else url, url)
        return "file"
    if scheme in KINDS:
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
