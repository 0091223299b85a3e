"""The release history of one bundle name at a target: the ``releases.json`` document.

Pure functions only: parse/dump the document and compute new versions of it (add a release,
make one current, drop pruned ones). The publishers read it, apply one of these functions and
write it back with a compare-and-swap, so concurrent publishers never lose an entry.

Document (``format_version`` 1)::

    {"format": "cookbook-tool/releases", "format_version": 1, "name": "cookbooks",
     "current": "1.4.0",
     "releases": [{"version": "1.3.0", "sha256": "...", "archive_sha256": "...", "size": 123,
                   "archive_format": "tar.gz", "published_at": "2026-01-02T03:04:05Z",
                   "source_commit": null, "layout": "cookbooks"}, ...],          # oldest first
     "events": [{"action": "publish" | "rollback" | "force-current" | "prune",
                 "version": "1.4.0", "previous": "1.3.0", "at": "..."}, ...]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cookbook_tool.artifact import Artifact
from cookbook_tool.errors import RemoteError, ToolError
from cookbook_tool.publish.base import Origin, Release

# What a history may hold, checked like user input: versions and names become path parts and
# Git ref names, the format a file suffix (an edited document must never reach outside).
PATH_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
ARCHIVE_FORMATS = ("tar.gz", "zip")
LAYOUTS = ("cookbooks", "flat")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")

FORMAT = "cookbook-tool/releases"
FORMAT_VERSION = 1
MAX_EVENTS = 200


@dataclass(frozen=True)
class Entry:
    version: str
    sha256: str
    archive_sha256: str
    size: int
    archive_format: str
    published_at: str
    source_commit: str | None = None
    layout: str = "cookbooks"  # or "flat"; older documents have none
    origin: str | None = None  # promoted: the source target (credentials masked)
    origin_published_at: str | None = None  # promoted: when the source published it

    @classmethod
    def of(cls, artifact: Artifact, published_at: str, origin: Origin | None = None) -> Entry:
        return cls(
            version=artifact.version,
            sha256=artifact.sha256,
            archive_sha256=artifact.archive_sha256,
            size=artifact.size,
            archive_format=artifact.archive_format,
            published_at=published_at,
            source_commit=artifact.source_commit,
            layout=artifact.layout,
            origin=origin.target if origin else None,
            origin_published_at=origin.published_at if origin else None,
        )


@dataclass(frozen=True)
class Event:
    action: str
    version: str
    previous: str | None
    at: str
    source: str | None = None  # promote: the source target (credentials masked)


@dataclass(frozen=True)
class History:
    name: str
    current: str | None = None
    entries: tuple[Entry, ...] = ()  # oldest first
    events: tuple[Event, ...] = field(default=())

    def find(self, version: str) -> Entry | None:
        return next((e for e in self.entries if e.version == version), None)

    @property
    def current_entry(self) -> Entry | None:
        return self.find(self.current) if self.current else None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(
    data: bytes | None, name: str, where: str, error: type[ToolError] = RemoteError
) -> History:
    """Read a ``releases.json`` document; ``None`` (no document yet) is an empty history.
    A damaged document raises ``error`` (``LocalError`` for a folder target) naming ``where``."""
    if data is None:
        return History(name=name)
    try:
        doc = json.loads(data)
    except RecursionError as exc:
        raise _invalid(error, where, "nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid(error, where, f"not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _invalid(error, where, "not a cookbook-tool release history")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _invalid(error, where, "format_version is not a number")
    if version > FORMAT_VERSION:
        raise error(
            f"{where}: written by a newer cookbook-tool (format_version {version}): "
            "upgrade cookbook-tool"
        )
    problem = _shape_problem(doc) or _value_problem(doc)
    if problem:
        raise _invalid(error, where, problem)
    entries = tuple(Entry(**_fields(item, Entry)) for item in doc["releases"])
    events = tuple(Event(**_fields(item, Event)) for item in doc.get("events", []))
    return History(name=doc.get("name", name), current=doc.get("current"), entries=entries,
                   events=events)


def _invalid(error: type[ToolError], where: str, problem: str) -> ToolError:
    return error(
        f"{where}: not a valid release history ({problem}): restore it from a backup or "
        "remove it to start a new history"
    )


_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "version": (str,), "sha256": (str,), "archive_sha256": (str,), "size": (int,),
    "archive_format": (str,), "published_at": (str,), "source_commit": (str, type(None)),
    "layout": (str,), "origin": (str, type(None)), "origin_published_at": (str, type(None)),
}
_EVENT_TYPES: dict[str, tuple[type, ...]] = {
    "action": (str,), "version": (str,), "previous": (str, type(None)), "at": (str,),
    "source": (str, type(None)),
}
_OPTIONAL = {"source_commit", "layout", "origin", "origin_published_at", "source"}


def _shape_problem(doc: dict[str, Any]) -> str | None:
    """The first way ``doc`` differs from the documented shape, or None."""
    if not isinstance(doc.get("name", ""), str):
        return "name is not a string"
    if not isinstance(doc.get("current"), str | None):
        return "current is not a string"
    for key, types, required in (("releases", _ENTRY_TYPES, True),
                                 ("events", _EVENT_TYPES, False)):
        items = doc.get(key, None if required else [])
        if not isinstance(items, list):
            return f"{key} is not a list"
        for index, item in enumerate(items):
            problem = _item_problem(item, types)
            if problem:
                return f"{key}[{index}] {problem}"
    return None


def is_path_part(value: str) -> bool:
    """A name or version that can be one path segment and one Git ref component."""
    return bool(PATH_PART.match(value)) and ".." not in value and len(value) <= 128


def _value_problem(doc: dict[str, Any]) -> str | None:
    """The first value of a well-shaped document that could not come from cookbook-tool."""
    name = doc.get("name")
    if name is not None and not is_path_part(name):
        return f"name {name!r} is not a bundle name"
    seen: set[str] = set()
    for index, item in enumerate(doc["releases"]):
        problem = _entry_problem(item, seen)
        if problem:
            return f"releases[{index}] {problem}"
        seen.add(item["version"])
    current = doc.get("current")
    if current is not None and current not in seen:
        return f"current {current!r} is not one of its releases"
    for index, item in enumerate(doc.get("events", [])):
        for key in ("version", "previous"):
            value = item.get(key)
            if value is not None and not is_path_part(value):
                return f"events[{index}] {key!r} {value!r} is not a version"
    return None


def _entry_problem(item: dict[str, Any], seen: set[str]) -> str | None:
    version = item["version"]
    if not is_path_part(version):
        return f"'version' {version!r} is not a version"
    if version in seen:
        return f"'version' {version!r} appears twice"
    if item["archive_format"] not in ARCHIVE_FORMATS:
        return f"'archive_format' {item['archive_format']!r} is not tar.gz or zip"
    if item.get("layout", "cookbooks") not in LAYOUTS:
        return f"'layout' {item['layout']!r} is not cookbooks or flat"
    for key in ("sha256", "archive_sha256"):
        if not _DIGEST.match(item[key]):
            return f"{key!r} is not a sha256 digest"
    if item["size"] < 0:
        return "'size' is negative"
    return None


def _item_problem(item: object, types: dict[str, tuple[type, ...]]) -> str | None:
    if not isinstance(item, dict):
        return "is not an object"
    for field_name, allowed in types.items():
        if field_name not in item:
            if field_name in _OPTIONAL:
                continue
            return f"has no {field_name!r}"
        value = item[field_name]
        if not isinstance(value, allowed) or isinstance(value, bool):
            return f"{field_name!r} has the wrong type"
    return None


def _fields(item: dict[str, Any], cls: type[Entry] | type[Event]) -> dict[str, Any]:
    known = cls.__dataclass_fields__
    return {k: v for k, v in item.items() if k in known}


def dump(history: History) -> bytes:
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": history.name,
        "current": history.current,
        "releases": [_compact(asdict(e)) for e in history.entries],
        "events": [_compact(asdict(e)) for e in history.events[-MAX_EVENTS:]],
    }
    return (json.dumps(doc, indent=2) + "\n").encode()


_PROMOTE_KEYS = ("origin", "origin_published_at", "source")


def _compact(item: dict[str, Any]) -> dict[str, Any]:
    """An entry or event without the promote keys it does not use (documents stay as older
    versions wrote them)."""
    return {k: v for k, v in item.items() if not (k in _PROMOTE_KEYS and v is None)}


def _event(
    history: History, action: str, version: str, at: str, source: str | None = None
) -> tuple[Event, ...]:
    return (*history.events, Event(action, version, history.current, at, source))[-MAX_EVENTS:]


def add_release(history: History, entry: Entry, *, make_current: bool) -> History:
    """Record a release (no-op if the version is already recorded); optionally make it current.
    A promoted entry (``origin``) is recorded as a ``promote`` event naming its source."""
    if history.find(entry.version) is None:
        action = "promote" if entry.origin else "publish"
        history = replace(
            history,
            entries=(*history.entries, entry),
            events=_event(history, action, entry.version, entry.published_at, entry.origin),
        )
    if make_current and history.current != entry.version:
        history = replace(history, current=entry.version)
    return history


def set_current(
    history: History, version: str, *, action: str, at: str, source: str | None = None
) -> History:
    """Make a recorded release current (``action``: ``rollback`` or ``force-current``)."""
    if history.find(version) is None:
        kept = ", ".join(e.version for e in reversed(history.entries)) or "none"
        raise RemoteError(
            f"{history.name} {version} is not a kept release (kept: {kept}): "
            "list them with `cookbook-tool releases`"
        )
    if history.current == version:
        return history
    return replace(history, current=version, events=_event(history, action, version, at, source))


def newest_first(history: History) -> list[Entry]:
    return list(reversed(history.entries))


def prune_plan(history: History, keep: int) -> list[Entry]:
    """The releases beyond the newest ``keep``, never the current one; newest first."""
    return [e for e in newest_first(history)[max(keep, 0) :] if e.version != history.current]


def check_plan(now: list[str], planned: Sequence[str] | None, where: str) -> None:
    """Refuse when the prune plan (``now``) differs from the one shown to the user."""
    if planned is None:
        return
    if sorted(now) != sorted(planned):
        raise RemoteError(
            f"{where}: the release history changed since the plan was shown (planned: "
            f"{', '.join(planned) or 'none'}; now: {', '.join(now) or 'none'}): nothing "
            "deleted, run prune again"
        )


def remove(history: History, versions: set[str], at: str) -> History:
    if not versions:
        return history
    events = history.events
    for version in sorted(versions):
        events = (*events, Event("prune", version, history.current, at))
    return replace(
        history,
        entries=tuple(e for e in history.entries if e.version not in versions),
        events=events[-MAX_EVENTS:],
    )


def to_releases(history: History) -> list[Release]:
    return [
        Release(
            name=history.name,
            version=e.version,
            sha256=e.sha256,
            size=e.size,
            published_at=e.published_at,
            source_commit=e.source_commit,
            current=e.version == history.current,
            origin=e.origin,
            origin_published_at=e.origin_published_at,
            archive_format=e.archive_format,
            archive_sha256=e.archive_sha256,
            layout=e.layout,
        )
        for e in newest_first(history)
    ]
