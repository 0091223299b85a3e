"""``cookbook-tool diff A B``: each side is a local archive (a file), a local repository (a
folder such as ``.``: bundled into a temporary folder, never into the repository) or a version
released at a target (``--to``). Both sides become archives; their manifests are compared
(``cookbook_tool.compare``), and with ``patch`` the changed files' bytes are read, only then,
for unified diffs. Temporary files are removed before returning."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.archive.manifest import Manifest, ManifestError, find_manifest, parse_manifest
from cookbook_tool.archive.read import Limits, require_archive_file, scan_archive
from cookbook_tool.compare import ReleaseDiff, archive_path, compare_manifests, unified_patch
from cookbook_tool.errors import LocalError, UsageError
from cookbook_tool.publish.base import Publisher


@dataclass(frozen=True)
class DiffReport:
    diff: ReleaseDiff
    patches: dict[str, str | None] = field(default_factory=dict)  # path -> patch (None: binary)


@dataclass(frozen=True)
class DiffSide:
    given: str  # as the user wrote it
    path: Path  # the archive


def diff_sides(
    a: str,
    b: str,
    *,
    cwd: Path,
    publisher: Callable[[], Publisher] | None,
    name: str = "cookbooks",
    patch: bool = False,
    source_date_epoch: str | None = None,
) -> DiffReport:
    """Compare side ``a`` with side ``b``. ``publisher`` opens the ``--to`` target (None: no
    target given, so a version names nothing)."""
    with tempfile.TemporaryDirectory(prefix="cookbook-tool-diff-") as folder:
        work = Path(folder)
        opened: list[Publisher] = []

        def target() -> Publisher:
            if publisher is None:
                raise UsageError(
                    "a version needs --to TARGET (or give an archive file or a repository "
                    "folder such as .)"
                )
            if not opened:
                opened.append(publisher())
            return opened[0]

        sides = [_side(given, index, cwd, work, target, name, source_date_epoch)
                 for index, given in enumerate((a, b))]
        manifests = [_manifest(side) for side in sides]
        diff = compare_manifests(*manifests, names=(a, b))
        patches = _patches(diff, sides, manifests) if patch else {}
    return DiffReport(diff, patches)


def _side(
    given: str,
    index: int,
    cwd: Path,
    work: Path,
    target: Callable[[], Publisher],
    name: str,
    source_date_epoch: str | None,
) -> DiffSide:
    local = cwd / given
    if local.is_file():
        return DiffSide(given, local)
    if local.is_dir():
        return DiffSide(given, _bundle(local, cwd, work / f"repo{index}", source_date_epoch))
    folder = work / f"side{index}"
    folder.mkdir()
    return DiffSide(given, target().download(name, given, folder))


def _bundle(repository: Path, cwd: Path, out: Path, source_date_epoch: str | None) -> Path:
    """The repository bundled as ``bundle`` would (its configuration's name and version)."""
    from cookbook_tool.bundle.settings import BundleRequest, prepare_bundle

    source = prepare_bundle(BundleRequest(repository, cwd, output=out,
                                          source_date_epoch=source_date_epoch))
    result = source.build(source.validation)
    if result.path is None:
        errors = [f for f in result.findings if f.is_error]
        first = f" (first: {errors[0].rule}: {errors[0].message})" if errors else ""
        raise LocalError(
            f"{repository}: does not bundle, {len(errors)} error finding(s){first}: run "
            "`cookbook-tool validate` to see them all"
        )
    return result.path


def _manifest(side: DiffSide) -> Manifest:
    require_archive_file(side.path)
    scan = scan_archive(side.path, lambda entry, size: entry.endswith(".manifest.json"), Limits())
    found = find_manifest(scan.entries)
    if found is None or found not in scan.kept:
        raise LocalError(
            f"{side.given}: the archive has no bundle manifest (.manifest.json): diff compares "
            "bundles made by cookbook-tool"
        )
    try:
        return parse_manifest(scan.kept[found])
    except ManifestError as exc:
        raise LocalError(f"{side.given}: the bundle manifest is not valid ({exc})") from exc


def _patches(
    diff: ReleaseDiff, sides: list[DiffSide], manifests: list[Manifest]
) -> dict[str, str | None]:
    """A unified diff per changed file (None for binary ones), read from both archives."""
    wanted: list[tuple[str, str]] = [
        (book.name, path) for book in diff.cookbooks for path in book.files.changed
    ]
    wanted += [("", path) for path in diff.other_files.changed]
    contents = [_read(side.path, {archive_path(manifest, book, path) for book, path in wanted})
                for side, manifest in zip(sides, manifests, strict=True)]
    patches: dict[str, str | None] = {}
    for book, path in wanted:
        shown = f"{book}/{path}" if book else path
        a = contents[0].get(archive_path(manifests[0], book, path))
        b = contents[1].get(archive_path(manifests[1], book, path))
        patches[shown] = unified_patch(shown, a, b)
    return patches


def _read(path: Path, names: set[str]) -> dict[str, bytes]:
    return scan_archive(path, lambda name, size: name in names, Limits()).kept
