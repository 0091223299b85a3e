"""A Supermarket ``/universe`` document, read as untrusted input.

``{name: {version: {"download_url": URL, "dependencies": {name: constraint}, ...}}}``: the
index of every cookbook version a source serves (public Supermarket, a private one,
Artifactory, or a static mirror). A version or constraint Chef would refuse is left out (a
mirror may hold a few); anything else not of that shape makes the whole document malformed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from cookbook_tool.cookbook.constraints import Constraint, ConstraintError, Version

MAX_UNIVERSE_BYTES = 512 << 20


class MalformedUniverse(ValueError):
    """The document is not a universe: the message says where."""


@dataclass(frozen=True)
class UniverseVersion:
    name: str
    version: Version
    download_url: str
    dependencies: tuple[tuple[str, Constraint], ...]


Universe = Mapping[str, Mapping[str, UniverseVersion]]  # name -> version text -> entry


def universe_url(source: str) -> str:
    return source.rstrip("/") + "/universe"


def parse_universe(data: bytes, source: str) -> Universe:
    """The universe served by ``source``; ``MalformedUniverse`` naming the first bad place."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedUniverse(f"not JSON ({str(exc)[:80]})") from None
    if not isinstance(document, dict):
        raise MalformedUniverse("not a JSON object of cookbook names")
    return {
        name: _versions(name, versions, source) for name, versions in sorted(document.items())
    }


def _versions(name: str, versions: object, source: str) -> dict[str, UniverseVersion]:
    if not isinstance(versions, dict):
        raise MalformedUniverse(f"{name!r}: not an object of versions")
    entries: dict[str, UniverseVersion] = {}
    for text, entry in versions.items():
        if not isinstance(entry, dict):
            raise MalformedUniverse(f"{name} {text}: not an object")
        try:
            version = Version.parse(str(text))
        except ConstraintError:
            continue
        url = entry.get("download_url")
        if not isinstance(url, str) or urlsplit(urljoin(source, url)).scheme not in (
            "http", "https",
        ):
            raise MalformedUniverse(f"{name} {text}: no http(s) download_url")
        entries[str(version)] = UniverseVersion(
            name, version, urljoin(source.rstrip("/") + "/", url),
            _dependencies(name, text, entry.get("dependencies", {})),
        )
    return entries


def _dependencies(name: str, version: str, value: object) -> tuple[tuple[str, Constraint], ...]:
    if isinstance(value, list) and not value:
        return ()  # Chef's old empty form
    if not isinstance(value, dict):
        raise MalformedUniverse(f"{name} {version}: dependencies is not an object")
    parsed = []
    for dependency, text in sorted(value.items()):
        if not isinstance(text, str | list):
            raise MalformedUniverse(f"{name} {version}: dependency {dependency!r} is not a string")
        try:
            constraint = Constraint.parse(text) if isinstance(text, str) else Constraint.any()
        except ConstraintError as exc:
            raise MalformedUniverse(f"{name} {version}: {exc}") from None
        parsed.append((str(dependency), constraint))
    return tuple(parsed)
