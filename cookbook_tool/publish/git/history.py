"""Release history read from a Git remote's tags: order, the current release, what prune
would remove. Pure functions over the tag records fetched by ``git_repo``."""

from __future__ import annotations

from cookbook_tool.cookbook.constraints import Version, is_valid_version
from cookbook_tool.publish.base import Release
from cookbook_tool.publish.git.messages import TagPattern, iso_utc, parse_fields
from cookbook_tool.publish.git.repo import TagRecord


def serial_of(message: str) -> int:
    """The release serial recorded in a commit or tag message (0 when absent)."""
    serial = parse_fields(message).get("serial", "")
    return int(serial) if serial.isdigit() else 0


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
    mine = []
    for record in records:
        fields = parse_fields(record.message)
        if fields.get("name", name) == name and pattern.version_of(name, record.name):
            mine.append(record)
    ordered = newest_first(mine)
    current = next((r for r in ordered if r.commit == tip), None)
    current = current or next((r for r in ordered if r.tree == tip_tree), None)
    return [to_release(name, pattern, r, r is current) for r in ordered]


def to_release(name: str, pattern: TagPattern, record: TagRecord, current: bool) -> Release:
    fields = parse_fields(record.message)
    version = fields.get("version") or pattern.version_of(name, record.name) or "?"
    source = fields.get("source-commit")
    return Release(
        name=name,
        version=version,
        sha256=fields.get("sha256", ""),
        size=int(fields["size"]) if fields.get("size", "").isdigit() else 0,
        published_at=iso_utc(record.tagger_epoch),
        source_commit=None if source in (None, "unknown") else source,
        current=current,
    )


def prune_plan(releases: list[Release], keep: int) -> list[Release]:
    """Releases beyond the newest ``keep``, never the current one, newest first."""
    return [r for r in releases[keep:] if not r.current]
