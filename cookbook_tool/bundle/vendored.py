"""Locked community cookbooks in a bundle: their archive members, their manifest entries, and
where each came from (recorded in the manifest as ``source``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from cookbook_tool.archive.manifest import ManifestCookbook
from cookbook_tool.archive.tar import Member
from cookbook_tool.dependencies.vendor import VendoredCookbook


def vendored_members(vendored: Iterable[VendoredCookbook], prefix: tuple[str, ...]) -> list[Member]:
    """A folder member for every folder and a member holding the bytes of every file."""
    members: list[Member] = []
    for cookbook in vendored:
        base = "/".join((*prefix, cookbook.name))
        folders = {base}
        for relative, data in sorted(cookbook.files.items()):
            parts = relative.split("/")
            folders.update("/".join([base, *parts[:i]]) for i in range(1, len(parts)))
            members.append(Member(f"{base}/{relative}", "file", len(data), data=data,
                                  note=f"vendored from {cookbook.entry.origin}"))
        members.extend(Member(folder, "dir") for folder in sorted(folders))
    return members


def vendored_manifest(vendored: Iterable[VendoredCookbook], base: str) -> list[ManifestCookbook]:
    return [
        ManifestCookbook(c.name, c.entry.version, base + c.name, dict(c.entry.dependencies))
        for c in vendored
    ]


def with_sources(rendered: bytes, vendored: Sequence[VendoredCookbook]) -> bytes:
    """The rendered manifest with ``source`` on each vendored cookbook (the same formatting as
    ``archive.manifest.render_manifest``; unchanged when nothing is vendored)."""
    if not vendored:
        return rendered
    origins = {c.name: c.entry.origin for c in vendored}
    document = json.loads(rendered)
    for cookbook in document["cookbooks"]:
        if cookbook["name"] in origins:
            cookbook["source"] = origins[cookbook["name"]]
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
