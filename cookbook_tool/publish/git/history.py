"""Release history read from a Git remote's tags: order, the current release, what prune
would remove. Pure functions over the tag records fetched by ``git_repo``."""

from __future__ import annotations

import re

from cookbook_tool.cookbook.constraints import Version, is_valid_version
from cookbook_tool.publish.base import Release
from cookbook_tool.publish.git.messages import TagPattern, iso_utc, parse_fields
from cookbook_tool.publish.git.repo import TagRecord
from cookbook_tool.publish.history import is_path_part

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def serial_of(message: str) -> int:
    """The release serial recorded in a commit or tag message (0 when absent)."""
    serial = parse_fields(message).get("serial", "")
    return int(serial) if serial.isdigit() else 0


_OWN_SUBJECTS = ("Release ", "Roll back to ")
FOREIGN_BASE = "foreign-base"  # on a release commit made on a foreign parent, when allowed


def is_own_commit(message: str) -> bool:
    """Whether a commit message is one cookbook-tool writes (a release or a rollback)."""
    fields = parse_fields(message)
    return (
        message.startswith(_OWN_SUBJECTS)
        and {"name", "version", "serial"} <= fields.keys()
        and fields["serial"].isdigit()
    )


def has_foreign_history(message: str, has_parent: bool) -> bool:
    """Whether a branch whose tip has ``message`` holds commits not made by cookbook-tool
    (without the consent recorded by ``--allow-foreign-branch``): a foreign tip, or our first
    release (serial 1) on a parent that is not ours. Serial ``n > 1`` is one more than its
    parent's, so that parent is ours too, and so on down to serial 1."""
    if not is_own_commit(message):
        return True
    fields = parse_fields(message)
    return fields["serial"] == "1" and has_parent and FOREIGN_BASE not in fields


def version_key(version: str | None) -> tuple[int, int, int] | None:
    return Version.parse(version).key if version and is_valid_version(version) else None


def newest_first(records: list[TagRecord]) -> list[TagRecord]:
    """Publication order, newest first: the serial each release commit carries (one more than
    its parent's), then the tag date, then the version."""

    def key(record: TagRecord) -> tuple[int, int, tuple[int, int, int], str]:
        version = parse_fields(record.message).get("version")
        return (
            serial_of(record.message),
            record.tagger_epoch,
            version_key(version) or (0, 0, 0),
            record.name,
        )

    return sorted(records, key=key, reverse=True)


def releases_of(
    name: str, pattern: TagPattern, records: list[TagRecord], tip: str | None, tip_tree: str | None
) -> list[Release]:
    """The releases of ``name``, newest first; current: the tag at the branch tip, else the
    newest whose tree is the tip's tree (after a rollback)."""
    mine = [record for record in records if is_release_tag(name, pattern, record)]
    ordered = newest_first(mine)
    current = next((r for r in ordered if r.commit == tip), None)
    current = current or next((r for r in ordered if r.tree == tip_tree), None)
    return [to_release(name, pattern, r, r is current) for r in ordered]


def is_release_tag(name: str, pattern: TagPattern, record: TagRecord) -> bool:
    """Whether a fetched tag is a release of ``name``, read like user input: its version (from
    the tag's name) is a safe path part and the message, when it names one, agrees with it;
    another tag (a hand-made one, an edited message) is no release and is never pruned."""
    version = pattern.version_of(name, record.name)
    if version is None or not is_path_part(version):
        return False
    fields = parse_fields(record.message)
    if fields.get("name", name) != name or fields.get("version", version) != version:
        return False
    digest = fields.get("sha256")
    return digest is None or bool(_DIGEST.match(digest))


def to_release(name: str, pattern: TagPattern, record: TagRecord, current: bool) -> Release:
    fields = parse_fields(record.message)
    version = pattern.version_of(name, record.name) or fields.get("version") or "?"
    source = fields.get("source-commit")
    return Release(
        name=name,
        version=version,
        sha256=fields.get("sha256", ""),
        size=int(fields["size"]) if fields.get("size", "").isdigit() else 0,
        published_at=iso_utc(record.tagger_epoch),
        source_commit=None if source in (None, "unknown") else source,
        current=current,
        origin=fields.get("promoted-from"),
        origin_published_at=fields.get("origin-published-at"),
    )


def prune_plan(releases: list[Release], keep: int) -> list[Release]:
    """Releases beyond the newest ``keep``, never the current one, newest first."""
    return [r for r in releases[keep:] if not r.current]
