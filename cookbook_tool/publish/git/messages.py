"""The text of release commits and tags, and who and when they are made.

Commits and tags are written object by object (no ``git commit``/``git tag``), so no user
configuration (signing, hooks, templates) changes them: with ``SOURCE_DATE_EPOCH`` set, the same
release on the same parent makes byte-identical objects, hence the same ids.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from cookbook_tool.artifact import Artifact
from cookbook_tool.config.source_date import source_date_epoch
from cookbook_tool.errors import UsageError
from cookbook_tool.publish.base import Origin, TargetOptions

DEFAULT_AUTHOR = ("cookbook-tool", "cookbook-tool@localhost")
_FIELD = re.compile(r"^(?P<key>[a-z0-9-]+): (?P<value>\S.*)$", re.MULTILINE)
_UNSAFE = re.compile(r"[<>\n\x00]")


@dataclass(frozen=True)
class Signature:
    author: str  # "Name <email>"
    committer: str
    epoch: int

    def line(self, who: str) -> str:
        return f"{who} {self.epoch} +0000"


def signature(options: TargetOptions, environ: dict[str, str]) -> Signature:
    """Author from the options, else ``GIT_AUTHOR_*``, else cookbook-tool; date from
    ``SOURCE_DATE_EPOCH`` when set, else now."""
    author_name = options.author_name or environ.get("GIT_AUTHOR_NAME") or DEFAULT_AUTHOR[0]
    author_email = options.author_email or environ.get("GIT_AUTHOR_EMAIL") or DEFAULT_AUTHOR[1]
    committer_name = environ.get("GIT_COMMITTER_NAME") or author_name
    committer_email = environ.get("GIT_COMMITTER_EMAIL") or author_email
    for value in (author_name, author_email, committer_name, committer_email):
        if _UNSAFE.search(value):
            raise UsageError(f"author/committer {value!r} may not contain '<', '>' or newlines")
    fixed = source_date_epoch(environ.get("SOURCE_DATE_EPOCH"))
    epoch = int(time.time()) if fixed is None else fixed
    return Signature(
        f"{author_name} <{author_email}>", f"{committer_name} <{committer_email}>", epoch
    )


def release_fields(artifact: Artifact, origin: Origin | None = None) -> dict[str, str]:
    fields = {
        "name": artifact.name,
        "version": artifact.version,
        "sha256": artifact.sha256,
        "size": str(artifact.size),
        "source-commit": artifact.source_commit or "unknown",
    }
    if origin is not None:
        fields["promoted-from"] = " ".join(origin.target.split())
        fields["origin-published-at"] = origin.published_at
    return fields


def format_fields(fields: dict[str, str]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


def parse_fields(message: str) -> dict[str, str]:
    """``key: value`` lines of a release commit or tag message."""
    return {match["key"]: match["value"].strip() for match in _FIELD.finditer(message)}


def commit_object(
    tree: str, parent: str | None, who: Signature, subject: str, fields: dict[str, str]
) -> bytes:
    lines = [f"tree {tree}"]
    if parent:
        lines.append(f"parent {parent}")
    lines += [f"author {who.line(who.author)}", f"committer {who.line(who.committer)}"]
    return ("\n".join(lines) + f"\n\n{subject}\n\n{format_fields(fields)}").encode()


def tag_object(commit: str, tag: str, who: Signature, fields: dict[str, str]) -> bytes:
    header = f"object {commit}\ntype commit\ntag {tag}\ntagger {who.line(who.committer)}\n"
    subject = f"{fields['name']} {fields['version']}"
    return (header + f"\n{subject}\n\n{format_fields(fields)}").encode()


def iso_utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TagPattern:
    """Tag names from ``tag_pattern`` (``{name}-{version}``) and back."""

    def __init__(self, pattern: str) -> None:
        if pattern.count("{version}") != 1:
            raise UsageError(f"tag pattern {pattern!r} must contain {{version}} exactly once")
        leftover = pattern.replace("{version}", "").replace("{name}", "")
        if "{" in leftover or "}" in leftover:
            raise UsageError(f"tag pattern {pattern!r}: only {{name}} and {{version}} are allowed")
        self.pattern = pattern

    def tag(self, name: str, version: str) -> str:
        return self.pattern.replace("{name}", name).replace("{version}", version)

    def glob(self, name: str) -> str:
        """A git ref glob matching every version of ``name``."""
        return self.tag(name, "*")

    def version_of(self, name: str, tag: str) -> str | None:
        before, _, after = self.pattern.replace("{name}", name).partition("{version}")
        match = re.fullmatch(re.escape(before) + "(?P<version>.+)" + re.escape(after), tag)
        return match["version"] if match else None
