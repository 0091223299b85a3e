"""``verify``: is a cookbook archive safe to extract, complete, and what its manifest says?

Works on this tool's bundles and on anyone's (``berks package``, a hand-made ``tar czf``, a zip):
safety (``archive.read``), then every cookbook folder has readable metadata, every declared
dependency is inside (or declared external), and when a manifest is present every file matches
its size and sha256 and nothing is missing or extra. Findings name the path inside the archive.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cookbook_tool.archive.kind import kind_findings
from cookbook_tool.archive.manifest import (
    MANIFEST_NAMES,
    ManifestError,
    find_manifest,
    parse_manifest,
)
from cookbook_tool.archive.read import (
    Limits,
    Scan,
    is_unsafe_path,
    require_archive_file,
    scan_archive,
)
from cookbook_tool.cookbook.constraints import ConstraintError, Version
from cookbook_tool.cookbook.discovery import DEFAULT_COOKBOOK_DIRS, METADATA_FILES
from cookbook_tool.cookbook.model import STANDARD_FOLDERS, Metadata
from cookbook_tool.cookbook.opsworks import OPSWORKS_CHEF_11_10_COOKBOOKS
from cookbook_tool.dependencies.external import HOW_TO_DECLARE
from cookbook_tool.errors import UsageError
from cookbook_tool.findings import Finding, error, notice, sort_findings, warning
from cookbook_tool.metadata.dsl import conditional_dependencies
from cookbook_tool.metadata.read import read_metadata_files
from cookbook_tool.text import did_you_mean

if TYPE_CHECKING:
    from cookbook_tool.config.load import Config

_KEEP_TOP_LEVEL = 1 << 20
_MACOS = "__MACOSX"
# Standard folders of a cookbook: a flat archive's files under these are not kept in memory.
_COOKBOOK_PARTS = frozenset({*STANDARD_FOLDERS, "spec", "specs", "test", "tests"})
# What makes a folder a cookbook without metadata, as for validate (cookbook/discovery.py's
# _COOKBOOK_MARKERS: a folder with recipes/ or attributes/ is a cookbook missing its metadata).
_COOKBOOK_MARKERS = ("recipes", "attributes")
_DEEPEST = 4  # root/cookbooks/<name>/recipes: the deepest folder discovery looks at


@dataclass(frozen=True)
class ArchiveCookbook:
    folder: str  # path of the cookbook folder inside the archive ("" for a root cookbook)
    metadata: Metadata | None


@dataclass(frozen=True)
class CheckedArchive:
    """The findings of ``verify`` and the scan they come from (digests, kept files), so that
    publishing never reads the archive again."""

    findings: list[Finding]
    scan: Scan


def verify_bundle_file(
    path: Path,
    cwd: Path,
    *,
    external: Collection[str] = (),
    presets: Collection[str] = (),
    config: Path | None = None,
) -> list[Finding]:
    """``cookbook-tool verify``: the findings of the archive file at ``path`` (``LocalError``
    when it is no file), with the cookbooks the consumer provides (``provided_cookbooks``)."""
    names = provided_cookbooks(cwd, external=external, presets=presets, config=config)
    require_archive_file(path)
    return verify_archive(path, external=names)


def provided_cookbooks(
    cwd: Path,
    *,
    external: Collection[str] = (),
    presets: Collection[str] = (),
    config: Path | None = None,
) -> frozenset[str]:
    """The ``external`` names, the cookbooks of the ``presets`` (``UsageError`` for an unknown
    one) and the configuration's external ones (``config``, else the nearest
    ``cookbook-tool.toml`` at or above ``cwd``)."""
    from cookbook_tool.config.load import resolve_config
    from cookbook_tool.cookbook.opsworks import EXTERNAL_PRESETS

    unknown = [name for name in presets if name not in EXTERNAL_PRESETS]
    if unknown:
        known = sorted(EXTERNAL_PRESETS)
        raise UsageError(
            f"--external-preset {unknown[0]}: unknown preset{did_you_mean(unknown[0], known)} "
            f"(known: {', '.join(known)})"
        )
    names = frozenset(external).union(*(EXTERNAL_PRESETS[name] for name in presets))
    return names | consumer_cookbooks(resolve_config(config, None, cwd))


def consumer_cookbooks(config: Config) -> frozenset[str]:
    """The cookbooks the configuration says the consumer provides (``external_cookbooks`` and
    those of ``external_presets``)."""
    return config.external_cookbooks | config.builtin_cookbooks


def verify_archive(
    path: Path, *, external: Collection[str] = (), limits: Limits | None = None
) -> list[Finding]:
    """Every problem of the archive at ``path`` (empty when it is sound)."""
    return check_archive(path, external=external, limits=limits).findings


def check_archive(
    path: Path, *, external: Collection[str] = (), limits: Limits | None = None
) -> CheckedArchive:
    """``verify_archive``'s findings with the scan of the one read of ``path``."""
    scan = scan_archive(path, _Keeper(), limits or Limits())
    findings = [*kind_findings(path.name, scan.kind), *scan.findings]
    if any(f.rule in ("archive-unreadable", "archive-bomb") for f in findings):
        return CheckedArchive(sort_findings(findings), scan)
    cookbooks = _cookbooks(scan, findings, frozenset(external))
    if not cookbooks:
        findings.append(error("archive-no-cookbooks", "no cookbook folder found", path.name))
    _check_dependencies(cookbooks, external, findings)
    manifest_name = find_manifest(scan.entries)
    if manifest_name is not None:
        _check_manifest(scan, manifest_name, findings)
    return CheckedArchive(sort_findings(findings), scan)


class _Keeper:
    """Which files the scan keeps in memory (``keep`` of ``scan_archive``), decided as the
    archive streams by: the manifest, and the small files at the top of every folder that may
    be a cookbook (its metadata, and what metadata.rb may read: README.md, VERSION), whether
    the cookbooks sit at the top, in one root folder of any name, or in that folder's
    ``cookbooks/``; not the content of a flat cookbook's recipes, templates and files. A
    folder named like a cookbook part (``test/``, ``files/``) inside the one root folder is
    a cookbook too, so its files are kept while the archive may still be that shape."""

    def __init__(self) -> None:
        self.tops: set[str] = set()  # folders at the top
        self.cookbook_tops: set[str] = set()  # ... with metadata of their own

    def __call__(self, name: str, size: int) -> bool:
        parts = name.split("/")
        if len(parts) > 1 and not _skipped(parts[0]):
            self.tops.add(parts[0])
            if len(parts) == 2 and parts[1] in METADATA_FILES:
                self.cookbook_tops.add(parts[0])
        if name in MANIFEST_NAMES:
            return True
        if size > _KEEP_TOP_LEVEL or len(parts) > 4:
            return False
        if len(parts) <= 2 or (parts[-1] in METADATA_FILES):
            return True
        if len(parts) == 4:  # root/cookbooks/<name>/file
            return parts[1] in DEFAULT_COOKBOOK_DIRS
        return (
            parts[0] in DEFAULT_COOKBOOK_DIRS
            or parts[1] not in _COOKBOOK_PARTS
            or (self.tops == {parts[0]} and parts[0] not in self.cookbook_tops)
        )


def _skipped(folder: str) -> bool:
    """Folders that are never cookbooks: hidden ones (``.git``, ``.bundle``) and macOS's
    ``__MACOSX`` (Chef's loader and our discovery skip them too)."""
    return folder.startswith(".") or folder == _MACOS


class _Tree:
    """The folders and files of an archive (its safe names), as discovery sees a folder."""

    def __init__(self, scan: Scan) -> None:
        self.files: set[str] = set()
        self.children: dict[str, set[str]] = {}  # folder ("" = the root) -> its subfolders
        for name, entry in scan.entries.items():
            if is_unsafe_path(name):
                continue
            parts = name.split("/")
            if entry.kind != "dir":
                self.files.add(name)
                parts.pop()
            folder = ""
            for part in parts[:_DEEPEST]:
                self.children.setdefault(folder, set()).add(part)
                folder = f"{folder}/{part}" if folder else part

    def subfolders(self, folder: str) -> list[str]:
        """The folders directly inside ``folder``, hidden ones and ``__MACOSX`` left out."""
        names = self.children.get(folder, ())
        return sorted(posixpath.join(folder, n) for n in names if not _skipped(n))

    def has_metadata(self, folder: str) -> bool:
        return any(posixpath.join(folder, m) in self.files for m in METADATA_FILES)

    def looks_like_cookbook(self, folder: str) -> bool:
        """As ``discovery.looks_like_cookbook``: metadata, or ``recipes/`` or ``attributes/``."""
        inside = self.children.get(folder, set())
        return self.has_metadata(folder) or any(m in inside for m in _COOKBOOK_MARKERS)


def cookbook_folders(scan: Scan) -> list[str]:
    """The cookbook folders of the archive, found as ``validate`` finds the cookbooks of a
    repository (``cookbook.discovery.discover``) once the repository is located in it: the
    archive's root, or its one root folder of any name (``cookbooks/`` as ``berks package``
    makes it, a GitHub download's ``repo-branch/``) when the root holds nothing else and no
    metadata. That repository is one cookbook when it has metadata; otherwise its cookbooks
    are the folders with metadata, ``recipes/`` or ``attributes/`` directly in it or in its
    ``cookbooks/`` and ``site-cookbooks/``. Other folders (``docs/``, ``spec/``, an app) are
    not cookbooks, and folders inside a cookbook are its files."""
    tree = _Tree(scan)
    tops = tree.subfolders("")
    root = tops[0] if len(tops) == 1 and not tree.has_metadata("") else ""
    if tree.has_metadata(root):
        return [root]
    found = {
        child
        for folder in (root, *(posixpath.join(root, d) for d in DEFAULT_COOKBOOK_DIRS))
        for child in tree.subfolders(folder)
        if posixpath.basename(child) not in DEFAULT_COOKBOOK_DIRS
        and tree.looks_like_cookbook(child)
    }
    return sorted(found)


def _cookbooks(
    scan: Scan, findings: list[Finding], external: frozenset[str]
) -> list[ArchiveCookbook]:
    cookbooks = []
    for folder in cookbook_folders(scan):
        prefix = f"{folder}/" if folder else ""
        if not any(prefix + m in scan.kept for m in METADATA_FILES):
            findings.append(_no_metadata(scan, folder, external))
            cookbooks.append(ArchiveCookbook(folder, None))
            continue
        files = {
            name[len(prefix) :]: data
            for name, data in scan.kept.items()
            if name.startswith(prefix)
            and "/" not in name[len(prefix) :]
            and name not in MANIFEST_NAMES
        }
        metadata, problems = read_archive_metadata(folder, files)
        findings.extend(problems)
        cookbooks.append(ArchiveCookbook(folder, metadata))
    return cookbooks


def _no_metadata(scan: Scan, folder: str, external: frozenset[str]) -> Finding:
    """The finding of a cookbook folder whose metadata was not read: there is none, or it is
    a link or a file over 1 MiB (never read into memory); or, with the OpsWorks Chef 11.10
    built-ins provided (``--external-preset opsworks-chef-11.10``), a folder without metadata
    named like one of them: an override cookbook, which OpsWorks merges into the built-in."""
    present = [m for m in METADATA_FILES if posixpath.join(folder, m) in scan.entries]
    name = posixpath.basename(folder)
    if not present and name in external and name in OPSWORKS_CHEF_11_10_COOKBOOKS:
        return notice(
            "archive-override-cookbook",
            f"{name!r} has no metadata: OpsWorks Chef 11.10 merges a folder named like its "
            f"built-in cookbook {name!r} into it (attributes/customize.rb is the documented way "
            "to override built-in attributes), so it needs none; any other consumer "
            "(Systems Manager, chef-solo) sees a cookbook without metadata",
            folder,
        )
    if present:
        return error(
            "archive-bad-metadata",
            f"{present[0]} is a link or larger than {_KEEP_TOP_LEVEL >> 20} MiB: not read",
            posixpath.join(folder, present[0]),
        )
    return error(
        "archive-no-metadata", "cookbook folder without metadata.rb or metadata.json", folder or "."
    )


def _check_dependencies(
    cookbooks: list[ArchiveCookbook], external: Collection[str], findings: list[Finding]
) -> None:
    versions = {
        c.metadata.name or posixpath.basename(c.folder): c.metadata.version
        for c in cookbooks
        if c.metadata is not None
    }
    for cookbook in cookbooks:
        if cookbook.metadata is None:
            continue
        source = posixpath.join(cookbook.folder, cookbook.metadata.source.name)
        for dependency in cookbook.metadata.depends:
            if dependency.name in external:
                continue
            if dependency.name not in versions:
                guard = conditional_dependencies(cookbook.metadata).get(dependency.name)
                message = (f"depends on {dependency.name!r}, which is not in the archive: "
                           f"if the consumer has it, {HOW_TO_DECLARE}")
                if guard is not None:  # Chef needs it only where the node takes the branch
                    message += (f" (declared under the condition on line {guard}, which "
                                "depends on the node)")
                report = error if guard is None else warning
                findings.append(report("archive-missing-dependency", message, source,
                                       dependency.line, cookbook=cookbook.metadata.name))
                continue
            present = versions[dependency.name]
            if present is not None and not _allows(dependency.constraint, present):
                findings.append(
                    error(
                        "archive-dependency-version",
                        f"depends on {dependency.name} {dependency.constraint}, the archive "
                        f"has {dependency.name} {present}",
                        source,
                        dependency.line,
                        cookbook=cookbook.metadata.name,
                    )
                )


def _allows(constraint: object, version: str) -> bool:
    try:
        parsed = Version.parse(version)
    except ConstraintError:
        return True  # the metadata finding already says the version is bad
    return bool(constraint.allows(parsed))  # type: ignore[attr-defined]


def _check_manifest(scan: Scan, name: str, findings: list[Finding]) -> None:
    data = scan.kept.get(name)
    if data is None:
        findings.append(error("archive-manifest-invalid", "manifest too large to read", name))
        return
    try:
        manifest = parse_manifest(data)
    except ManifestError as exc:
        findings.append(error("archive-manifest-invalid", f"manifest: {exc}", name))
        return
    listed = {f.path: f for f in manifest.files}
    for path, expected in sorted(listed.items()):
        entry = scan.entries.get(path)
        if entry is None or entry.kind != "file":
            findings.append(
                error(
                    "archive-manifest-missing-file",
                    "listed in the manifest, not in the archive",
                    path,
                )
            )
        elif entry.size != expected.size or entry.sha256 != expected.sha256:
            findings.append(
                error(
                    "archive-manifest-mismatch",
                    f"content differs from the manifest (size {entry.size}, expected "
                    f"{expected.size}; sha256 {entry.sha256}, expected {expected.sha256})",
                    path,
                )
            )
    for path, entry in sorted(scan.entries.items()):
        if entry.kind != "dir" and path != name and path not in listed:
            findings.append(
                error("archive-extra-file", "in the archive, not in the manifest", path)
            )


def read_archive_metadata(
    folder: str, files: dict[str, bytes]
) -> tuple[Metadata | None, list[Finding]]:
    """The metadata of the cookbook at ``folder`` in the archive, from ``files`` (the small
    files at the top of the folder -> content: ``metadata.rb`` and/or ``metadata.json`` and
    what metadata.rb may read, such as ``README.md`` or ``VERSION``), and its errors as
    ``archive-bad-metadata`` findings. Read from the bytes: nothing is written or read on disk."""
    shown = posixpath.join(folder, "metadata.json" if "metadata.json" in files else "metadata.rb")
    name = posixpath.basename(folder) or "cookbook"  # as an extracted root cookbook was called
    metadata, problems = read_metadata_files(folder or ".", files, name)
    findings = [
        error(
            "archive-bad-metadata",
            f"{problem.message} [{problem.rule}]",
            shown,
            problem.line,
            problem.column,
            cookbook=posixpath.basename(folder) or None,
        )
        for problem in problems
        if problem.is_error
    ]
    if metadata is None:
        findings.append(error("archive-bad-metadata", "unreadable metadata", shown))
    elif not metadata.name and not folder:
        findings.append(
            error("archive-bad-metadata", "a cookbook at the archive root needs a name", shown)
        )
    return metadata, findings
