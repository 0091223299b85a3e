"""Build a reproducible cookbook bundle: select, plan, validate, write atomically.

``open_for_bundle`` takes the loaded repository and selects the cookbooks once;
``plan_bundle`` decides what goes in (and why the rest is left out) without writing anything;
``build_bundle`` refuses on validation errors, else writes ``<name>-<version>.tar.gz`` (or
``.zip``) through a temporary file renamed into place, hashing each file for the manifest while
it is written (the manifest is the last member). Files the rules already read come from the
loaded repository's memory: each is opened once per command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from cookbook_tool.archive.atomic import write_atomically
from cookbook_tool.archive.manifest import (
    Manifest,
    ManifestCookbook,
    ManifestFile,
    manifest_path,
    render_manifest,
)
from cookbook_tool.archive.read import file_sha256
from cookbook_tool.archive.tar import DEFAULT_MTIME, Member, write_tar_gz
from cookbook_tool.archive.zip import write_zip
from cookbook_tool.bundle.members import cookbook_members, refusal
from cookbook_tool.bundle.vendored import vendored_manifest, vendored_members, with_sources
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.repository import CACHED_FILE_BYTES, FileContents, LoadedRepository
from cookbook_tool.cookbook.selection import Selection, select_cookbooks
from cookbook_tool.cookbook.walk import Entry
from cookbook_tool.dependencies.lockfile import LockedCookbook
from cookbook_tool.dependencies.vendor import Fetcher, VendoredCookbook, vendor
from cookbook_tool.errors import LocalError
from cookbook_tool.findings import Finding, has_errors, sort_findings
from cookbook_tool.validate.parallel import Background
from cookbook_tool.validate.run import validate_loaded

Layout = Literal["cookbooks", "flat"]
ArchiveFormat = Literal["tar.gz", "zip"]
EntriesOf = Callable[[Cookbook], Sequence[Entry]]
Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class BundleSettings:
    """Everything the CLI decided: where, what, how."""

    output_dir: Path
    name: str
    version: str
    layout: Layout = "cookbooks"
    archive_format: ArchiveFormat = "tar.gz"
    cookbooks: tuple[str, ...] = ()  # empty: every cookbook of the repository
    external: tuple[str, ...] = ()  # dependencies the consumer provides
    mtime: int = DEFAULT_MTIME
    workers: int | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}.{self.archive_format}"


@dataclass(frozen=True)
class Excluded:
    """A path of the repository left out of the bundle, and why."""

    path: str  # relative to the repository root, posix
    reason: str
    cookbook: str
    source: Path | None = None  # the full path (set for refused entries)


@dataclass(frozen=True)
class BundlePlan:
    settings: BundleSettings
    selection: Selection
    entries: list[Member]  # directories and files, sorted, without the manifest
    excluded: list[Excluded]
    refused: list[Excluded] = field(default_factory=list)  # cannot ship: validation errors
    locked: tuple[LockedCookbook, ...] = ()  # community cookbooks the lock adds
    vendored: tuple[VendoredCookbook, ...] = ()  # ... with their checked files (when building)

    @property
    def files(self) -> list[Member]:
        return [entry for entry in self.entries if entry.kind == "file"]

    def manifest_cookbooks(self) -> list[ManifestCookbook]:
        base = "" if self.settings.layout == "flat" else "cookbooks/"
        return [*vendored_manifest(self.vendored, base), *self._own(base)]

    def _own(self, base: str) -> list[ManifestCookbook]:
        return [
            ManifestCookbook(
                name=cookbook.name,
                version=cookbook.version,
                path=base + cookbook.name,
                dependencies={d.name: str(d.constraint) for d in cookbook.depends},
            )
            for cookbook in self.selection.cookbooks
        ]


@dataclass(frozen=True)
class BundleResult:
    """What ``build_bundle`` did. With error findings, nothing was written (``path`` is None)."""

    settings: BundleSettings
    findings: list[Finding]
    plan: BundlePlan | None = None
    files: list[ManifestFile] = field(default_factory=list)
    path: Path | None = None
    size: int = 0
    sha256: str | None = None  # of the archive file
    identity: str | None = None  # of the uncompressed tar stream (zip: of the file)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


@dataclass(frozen=True)
class BundleSource:
    """A loaded repository and the cookbooks ``settings`` select from it (selected once)."""

    loaded: LoadedRepository
    settings: BundleSettings
    selection: Selection
    locked: tuple[LockedCookbook, ...] = ()  # the lock's cookbooks the selection needs
    fetcher: Fetcher | None = None  # how to get them (the cache, else their source)

    def entries_of(self, cookbook: Cookbook) -> list[Entry]:
        return self.loaded.files_of(cookbook).entries

    def validation(self) -> list[Finding]:
        """What ``validate`` says about the selected cookbooks (errors refuse the bundle)."""
        chosen = [c.path for c in self.selection.cookbooks]
        only = None if len(chosen) == len(self.loaded.cookbooks) else chosen
        return validate_loaded(self.loaded, only).findings

    def plan(self) -> BundlePlan:
        return plan_bundle(
            self.loaded.root, self.loaded.cookbooks, self.settings, self.entries_of,
            selection=self.selection, locked=self.locked,
        )

    def build(
        self, validation: Validation = (), on_progress: Progress | None = None
    ) -> BundleResult:
        """Write the bundle; the locked cookbooks are fetched (or read from the cache) and
        checked against the lock first."""
        if self.locked and self.fetcher is None:
            raise LocalError("the lock's cookbooks cannot be vendored without a download cache")
        vendored = vendor(self.locked, self.fetcher) if self.fetcher is not None else []
        return build_bundle(
            self.loaded.root, self.loaded.cookbooks, self.settings, validation, self.entries_of,
            on_progress, selection=self.selection, contents=self.loaded.contents,
            vendored=tuple(vendored), forget_walks=self.loaded.forget_walks,
        )


def open_for_bundle(
    loaded: LoadedRepository, settings: BundleSettings,
    locked: Sequence[LockedCookbook] = (), fetcher: Fetcher | None = None,
) -> BundleSource:
    """The cookbooks of ``loaded`` that ``settings`` selects (loaded with the output folder
    excluded), and the ``locked`` community cookbooks they need. Raises ``UsageError`` when
    ``settings`` names a cookbook it does not have."""
    provided = (*settings.external, *(entry.name for entry in locked))
    selection = select_cookbooks(loaded.cookbooks, settings.cookbooks, provided)
    needed = {d.name for c in selection.cookbooks for d in c.depends}
    own = {c.name for c in selection.cookbooks}
    chosen = _locked_closure(locked, needed)
    return BundleSource(loaded, settings, selection,
                        tuple(e for e in chosen if e.name not in own), fetcher)


def _locked_closure(locked: Sequence[LockedCookbook], names: set[str]) -> list[LockedCookbook]:
    by_name = {entry.name: entry for entry in locked}
    seen: dict[str, LockedCookbook] = {}
    pending = sorted(n for n in names if n in by_name)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen[name] = by_name[name]
            pending.extend(d for d in seen[name].dependencies if d in by_name)
    return [seen[name] for name in sorted(seen)]


def plan_bundle(
    root: Path,
    cookbooks: list[Cookbook],
    settings: BundleSettings,
    entries_of: EntriesOf | None = None,
    *,
    selection: Selection | None = None,
    locked: Sequence[LockedCookbook] = (),
    vendored: Sequence[VendoredCookbook] = (),
) -> BundlePlan:
    """Select the cookbooks and list their entries, without raising on entries that cannot
    ship (FIFOs, links out, loops, undecodable names): those are listed in ``refused``, and
    validation reports them as findings, all of them, before the bundle is refused.

    ``entries_of`` gives a cookbook's walked entries when the caller has them already (walked
    with the output folder excluded); by default each cookbook is walked here. ``selection`` is
    the caller's, when it selected the cookbooks already.
    """
    if selection is None:
        selection = select_cookbooks(cookbooks, settings.cookbooks, settings.external)
    entries: list[Member] = []
    excluded: list[Excluded] = []
    refused: list[Excluded] = []
    prefix = () if settings.layout == "flat" else ("cookbooks",)
    if prefix:
        entries.append(Member("cookbooks", "dir"))
    for cookbook in selection.cookbooks:
        walked = entries_of(cookbook) if entries_of is not None else None
        for entry, verdict in cookbook_members(cookbook, prefix, settings.output_dir, walked):
            if verdict is None:
                entries.append(entry)
                continue
            source = Path(entry.source or cookbook.path)
            left_out = Excluded(_relative(source, root), verdict.reason, cookbook.name, source)
            (excluded if verdict.kind == "excluded" else refused).append(left_out)
    own = {c.name for c in selection.cookbooks}
    vendored = [v for v in vendored if v.name not in own]
    entries.extend(vendored_members(vendored, prefix))
    entries.sort(key=lambda e: e.sort_key)
    excluded.sort(key=lambda e: e.path)
    return BundlePlan(
        settings, selection, _without_empty_dirs(entries), excluded, refused,
        tuple(e for e in locked if e.name not in own) or tuple(v.entry for v in vendored),
        tuple(vendored),
    )


def _without_empty_dirs(entries: list[Member]) -> list[Member]:
    """Drop folders with no file below them (as Chef, which only knows files)."""
    needed = {"cookbooks"}
    for entry in entries:
        if entry.kind == "file":
            folder = entry.name.rpartition("/")[0]
            while folder and folder not in needed:  # its parents are in already, or next
                needed.add(folder)
                folder = folder.rpartition("/")[0]
    return [e for e in entries if e.kind == "file" or e.name in needed]


Validation = Sequence[Finding] | Callable[[], Sequence[Finding]]


class _Refused(Exception):
    """Validation found errors while the archive was being written: it must not land."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("bundle refused by validation")
        self.findings = findings


def build_bundle(
    root: Path,
    cookbooks: list[Cookbook],
    settings: BundleSettings,
    validation: Validation = (),
    entries_of: EntriesOf | None = None,
    on_progress: Progress | None = None,
    *,
    selection: Selection | None = None,
    contents: FileContents | None = None,
    vendored: Sequence[VendoredCookbook] = (),
    forget_walks: Callable[[], None] | None = None,
) -> BundleResult:
    """Plan and write the bundle, unless ``validation`` or the selection found errors.

    ``validation`` is the findings, or a function computing them: it then runs in a thread while
    the archive is written (compression releases the GIL, so both cores work), and the archive
    is renamed into place only when it found no error. Each file is read once: hashed for the
    manifest while it is written; the manifest, built from those hashes, is the last member.
    ``on_progress(done, total)`` is called with the file bytes written so far. ``contents``
    holds the bytes of the files a finished validation read: they are not read again (with a
    concurrent validation the writer streams every file from disk instead). ``forget_walks``
    drops the caller's walked entries once validation runs in a process of its own (a 1 GB
    tree's 57,000 entries are then not kept while the archive is written).
    """
    plan = plan_bundle(root, cookbooks, settings, entries_of, selection=selection,
                       vendored=vendored)
    if callable(validation) and (plan.refused or has_errors(plan.selection.findings)):
        validation = validation()  # refused anyway: report everything validation has to say
    early = merge_findings(() if callable(validation) else validation, plan.selection.findings)
    if has_errors(early):
        return BundleResult(settings, early, plan)
    for refused in plan.refused:  # validation should have reported it: last line of defence
        raise refusal(refused.source or root / refused.path, refused.reason)
    # Validation done: its reads are waiting in ``contents``. Validation running beside the
    # writer: the writer streams every file from disk into the compressor (no bytes kept for
    # it, no lock shared with the validation thread; a second read comes from the page cache).
    shared = None if callable(validation) else contents
    pending = Background(validation) if callable(validation) else None
    if pending is not None and pending.forked and forget_walks is not None:
        forget_walks()
    try:
        gate = _Gate(pending, plan)
        written = _write(plan, settings, _MemberStream(plan, shared, on_progress), gate.check)
    except _Refused as refused:
        return BundleResult(settings, refused.findings, plan)
    finally:
        if pending is not None:
            pending.stop()
    return replace(written, findings=gate.findings or early)


class _Gate:
    """Waits for the concurrent validation before the archive is renamed into place."""

    def __init__(self, pending: Background[Sequence[Finding]] | None, plan: BundlePlan) -> None:
        self._pending = pending
        self._plan = plan
        self.findings: list[Finding] = []

    def check(self) -> None:
        if self._pending is None:
            return
        self.findings = merge_findings(self._pending.result(), self._plan.selection.findings)
        if has_errors(self.findings):
            raise _Refused(self.findings)


def _write(
    plan: BundlePlan, settings: BundleSettings, stream: _MemberStream,
    before_commit: Callable[[], None],
) -> BundleResult:
    target = settings.output_dir / settings.filename
    if settings.archive_format == "zip":
        write_atomically(
            target,
            lambda out: write_zip(stream.members(), out, mtime=settings.mtime, on_file=stream.done),
            before_commit,
        )
        identity = archive_sha = file_sha256(target)
    else:
        digests = write_atomically(
            target,
            lambda out: write_tar_gz(
                stream.members(), out, mtime=settings.mtime, workers=settings.workers,
                on_file=stream.done,
            ),
            before_commit,
        )
        identity, archive_sha = digests.identity, digests.sha256
    size = target.stat().st_size
    return BundleResult(settings, [], plan, stream.files, target, size, archive_sha, identity)


def merge_findings(validation: Sequence[Finding], selection: Sequence[Finding]) -> list[Finding]:
    """Validation findings plus the selection's, without saying twice that one ``depends``
    line is unresolved (validate reports it as ``dependency-missing``)."""
    seen = {(f.file, f.line) for f in validation if f.rule.startswith("dependency-")}
    return sort_findings([*validation, *(f for f in selection if (f.file, f.line) not in seen)])


class _MemberStream:
    """The archive members of a plan, in tree order, then the manifest built from the hashes
    the writer reported for each file (``done``) while writing it. Small files are read
    through ``contents``: validation and the archive share one read of each."""

    def __init__(
        self, plan: BundlePlan, contents: FileContents | None, on_progress: Progress | None
    ) -> None:
        self._plan = plan
        self._contents = contents
        self._total = sum(entry.size for entry in plan.files)
        self._written = 0
        self._on_progress = on_progress
        self._manifest = False
        self.files: list[ManifestFile] = []

    def members(self) -> Iterator[Member]:
        for entry in self._plan.entries:
            yield self._member(entry)
        self._manifest = True
        if len(self.files) != len(self._plan.files):  # the writer reports every file it wrote
            raise LocalError("internal error: a file of the bundle was not hashed")
        settings = self._plan.settings
        manifest = with_sources(
            render_manifest(
                Manifest(
                    settings.name, settings.version, settings.layout,
                    tuple(self._plan.manifest_cookbooks()), tuple(self.files),
                )
            ),
            self._plan.vendored,
        )
        yield Member(manifest_path(settings.layout), "file", len(manifest), data=manifest)

    def _member(self, entry: Member) -> Member:
        """The entry, with the bytes of a small file when the loaded repository holds them."""
        if self._contents is None or entry.kind != "file" or entry.source is None:
            return entry
        if entry.size > CACHED_FILE_BYTES:
            return entry  # streamed from disk
        try:
            data = self._contents.read(entry.source, last=True)  # the rules read it first
        except OSError:
            return entry  # the writer says why it cannot be read
        if len(data) != entry.size:
            return entry  # changed since the walk: the writer refuses it
        return replace(entry, data=data)

    def done(self, member: Member, sha256: str) -> None:
        if self._manifest:
            return  # the manifest itself
        self.files.append(ManifestFile(member.name, member.size, sha256))
        self._written += member.size
        if self._on_progress is not None:
            self._on_progress(self._written, self._total)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
