"""What changes between two releases, from their manifests (``archive.manifest``): cookbooks
added, removed and changed (with their versions), files added, removed and changed per
cookbook (by sha256), dependency changes; and unified text diffs of changed text files when
their bytes are given. Pure functions: no file, no network."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cookbook_tool.archive.manifest import Manifest, ManifestCookbook

MAX_PATCH_BYTES = 1 << 20  # a file larger than this is reported changed, without a patch


@dataclass(frozen=True)
class FileChanges:
    added: tuple[str, ...] = ()  # paths inside the cookbook
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class CookbookDiff:
    name: str
    status: str  # "added" | "removed" | "changed"
    version_a: str | None
    version_b: str | None
    files: FileChanges = field(default_factory=FileChanges)
    dependencies: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReleaseDiff:
    a: str  # how each side was named (a version, a file, ".")
    b: str
    version_a: str
    version_b: str
    cookbooks: tuple[CookbookDiff, ...]
    other_files: FileChanges = field(default_factory=FileChanges)  # outside any cookbook

    @property
    def equal(self) -> bool:
        return not self.cookbooks and self.other_files.empty

    def changed_paths(self) -> list[str]:
        """Archive paths of the files whose bytes differ (both sides have them)."""
        paths = [f"{c.name}/{p}" for c in self.cookbooks for p in c.files.changed]
        return [*paths, *self.other_files.changed]


def compare_manifests(a: Manifest, b: Manifest, *, names: tuple[str, str] = ("a", "b")
                      ) -> ReleaseDiff:
    files_a, files_b = _files_by_cookbook(a), _files_by_cookbook(b)
    books_a = {c.name: c for c in a.cookbooks}
    books_b = {c.name: c for c in b.cookbooks}
    diffs = []
    for name in sorted(books_a.keys() | books_b.keys()):
        diff = _cookbook_diff(name, books_a.get(name), books_b.get(name),
                              files_a.get(name, {}), files_b.get(name, {}))
        if diff is not None:
            diffs.append(diff)
    other = _file_changes(files_a.get("", {}), files_b.get("", {}))
    return ReleaseDiff(names[0], names[1], a.version, b.version, tuple(diffs), other)


def _cookbook_diff(
    name: str,
    a: ManifestCookbook | None,
    b: ManifestCookbook | None,
    files_a: Mapping[str, str],
    files_b: Mapping[str, str],
) -> CookbookDiff | None:
    status = "added" if a is None else "removed" if b is None else "changed"
    files = _file_changes(files_a, files_b)
    deps_a, deps_b = (a.dependencies if a else {}), (b.dependencies if b else {})
    dependencies = {
        dep: (deps_a.get(dep), deps_b.get(dep))
        for dep in sorted(deps_a.keys() | deps_b.keys())
        if deps_a.get(dep) != deps_b.get(dep)
    }
    version_a, version_b = (a.version if a else None), (b.version if b else None)
    if status == "changed" and files.empty and not dependencies and version_a == version_b:
        return None
    return CookbookDiff(name, status, version_a, version_b, files, dependencies)


def _files_by_cookbook(manifest: Manifest) -> dict[str, dict[str, str]]:
    """cookbook name ("" outside any) -> path inside it -> sha256."""
    roots = sorted(((c.path.rstrip("/") + "/", c.name) for c in manifest.cookbooks),
                   key=lambda item: -len(item[0]))
    grouped: dict[str, dict[str, str]] = {}
    for entry in manifest.files:
        owner = next(((root, name) for root, name in roots if entry.path.startswith(root)),
                     ("", ""))
        grouped.setdefault(owner[1], {})[entry.path[len(owner[0]):]] = entry.sha256
    return grouped


def _file_changes(a: Mapping[str, str], b: Mapping[str, str]) -> FileChanges:
    return FileChanges(
        added=tuple(sorted(b.keys() - a.keys())),
        removed=tuple(sorted(a.keys() - b.keys())),
        changed=tuple(sorted(p for p in a.keys() & b.keys() if a[p] != b[p])),
    )


def archive_path(manifest: Manifest, cookbook: str, path: str) -> str:
    """Where ``path`` of ``cookbook`` (or, with ``cookbook`` "", a path outside any) sits in
    the archive of ``manifest``."""
    root = next((c.path.rstrip("/") + "/" for c in manifest.cookbooks if c.name == cookbook), "")
    return root + path


def unified_patch(path: str, a: bytes | None, b: bytes | None) -> str | None:
    """The unified diff of a changed text file; None for a binary or too large one."""
    if a is None or b is None or max(len(a), len(b)) > MAX_PATCH_BYTES:
        return None
    try:
        text_a, text_b = a.decode("utf-8"), b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text_a or "\x00" in text_b:
        return None
    lines = difflib.unified_diff(
        text_a.splitlines(keepends=True), text_b.splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


Reader = Callable[[str], bytes | None]  # archive path -> bytes (None: not there)
