"""``cookbook-tool release``: validate everything, bundle once, publish to every target.

Nothing is published when validation finds an error, and every target is resolved before the
first byte is uploaded. The repository is loaded once: validation, the bundle and the archive
use the same walk and the same bytes. A target that fails does not stop the others; the report
says exactly which succeeded, and re-running finishes the job (published targets answer
"already published"). A dry run bundles into a temporary folder, asks each target what it
holds, and changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from cookbook_tool.artifact import Artifact, artifact_from_bundle
from cookbook_tool.bundle.build import BundleResult, open_for_bundle
from cookbook_tool.bundle.settings import bundle_settings, locked_cookbooks, output_folder
from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.cookbook.discovery import find_repository_root
from cookbook_tool.cookbook.repository import LoadedRepository, open_repository
from cookbook_tool.dependencies.sources import NO_CREDENTIALS, Credentials
from cookbook_tool.errors import EXIT_FINDINGS, EXIT_OK, EXIT_REMOTE, ToolError, UsageError
from cookbook_tool.findings import Finding, has_errors
from cookbook_tool.publish.base import (
    ConsumerInfo,
    ProgressCallback,
    Publisher,
    PublishResult,
    ReleaseState,
    TargetOptions,
)
from cookbook_tool.publish.configured import configured_target
from cookbook_tool.publish.targets import open_publisher
from cookbook_tool.release.source_control import source_commit, version_from_tag
from cookbook_tool.text import did_you_mean, mask_url
from cookbook_tool.validate.run import CheckSettings, run_checks


class Outcome(StrEnum):
    PUBLISHED = "published"
    ALREADY_PUBLISHED = "already-published"
    WOULD_PUBLISH = "would-publish"
    WOULD_CONFLICT = "would-conflict"
    FAILED = "failed"
    NOT_ATTEMPTED = "not-attempted"


@dataclass(frozen=True)
class ReleaseRequest:
    """What the ``release`` command was asked, as given (paths relative to ``cwd``)."""

    path: Path  # the repository
    cwd: Path
    config_file: Path | None = None
    targets: tuple[str, ...] = ()  # names from the configuration; empty: all of them
    dry_run: bool = False
    version: str | None = None
    output: Path | None = None
    source_date_epoch: str | None = None  # the environment's SOURCE_DATE_EPOCH
    force_current: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)  # what publishers run with
    allow_foreign_branch: bool = False  # Git targets: publish onto a branch with other commits
    cache_dir: Path | None = None  # the download cache of the locked community cookbooks
    offline: bool = False  # locked cookbooks from the cache only
    credentials: Credentials = NO_CREDENTIALS  # private cookbook sources


@dataclass(frozen=True)
class ReleaseSettings:
    """The request with the repository found, its configuration read and the version and
    source commit decided."""

    root: Path
    config: Config
    request: ReleaseRequest
    version: str | None
    source_commit: str | None

    @classmethod
    def of(cls, request: ReleaseRequest) -> ReleaseSettings:
        root = find_repository_root(request.cwd / request.path)
        config = resolve_config(request.config_file, root, request.cwd)
        version = request.version
        if version is None and config.version_from == "git-tag":
            version = version_from_tag(root)
        return cls(root, config, request, version, source_commit(root))

    @property
    def dry_run(self) -> bool:
        return self.request.dry_run


@dataclass(frozen=True)
class TargetReport:
    name: str
    url: str  # masked
    outcome: Outcome
    result: PublishResult | None = None
    consumer: ConsumerInfo | None = None
    error: str | None = None
    exit_code: int = EXIT_OK


@dataclass
class ReleaseReport:
    findings: list[Finding] = field(default_factory=list)
    bundle: BundleResult | None = None
    artifact: Artifact | None = None
    targets: list[TargetReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        if has_errors(self.findings):
            return EXIT_FINDINGS
        return max((t.exit_code for t in self.targets), default=EXIT_OK)


StartTarget = Callable[[str, int], ProgressCallback | None]  # (target name, bytes) -> callback


def release(request: ReleaseRequest, on_target: StartTarget | None = None) -> ReleaseReport:
    """Validate, bundle and publish. Returns a report; raises ``ToolError`` only when nothing
    could be done (bad configuration, unknown target, unreadable repository)."""
    settings = ReleaseSettings.of(request)
    config = settings.config
    targets = _resolve_targets(config, request.targets, request.cwd, request.environ)
    with tempfile.TemporaryDirectory(prefix="cookbook-tool-release-") as scratch:
        given = None if request.output is None else request.cwd / request.output
        output = Path(scratch) if settings.dry_run else given
        loaded = open_repository(settings.root, config, (output_folder(settings.root, output),))
        check = run_checks(CheckSettings((settings.root,), settings.root, config.file), loaded)
        report = ReleaseReport(findings=check.findings, dry_run=settings.dry_run)
        if has_errors(report.findings):
            return report
        report.bundle = _bundle(settings, loaded, output)
        report.findings = report.bundle.findings
        if report.bundle.path is None:
            return report
        report.artifact = artifact_from_bundle(report.bundle, source_commit=settings.source_commit)
        report.targets = _publish_all(targets, report.artifact, settings, on_target)
    return report


def _resolve_targets(
    config: Config, names: Sequence[str], cwd: Path, environ: Mapping[str, str]
) -> list[tuple[str, str, TargetOptions]]:
    if not config.targets:
        where = config.file or "cookbook-tool.toml"
        raise UsageError(
            f"{where}: no [targets.NAME] table: add one (e.g. url = \"out/releases\"), or use "
            "`cookbook-tool publish BUNDLE --to TARGET`"
        )
    for name in names:
        if name not in config.targets:
            hint = did_you_mean(name, list(config.targets))
            raise UsageError(f"unknown target {name!r}{hint}; configured: "
                             f"{', '.join(config.targets)}")
    chosen = tuple(dict.fromkeys(names)) or tuple(config.targets)
    return [(name, *configured_target(config, name, cwd=cwd, environ=environ)) for name in chosen]


def _bundle(
    settings: ReleaseSettings, loaded: LoadedRepository, output: Path | None
) -> BundleResult:
    """The bundle of the repository validation just checked (no second validation)."""
    bundle = bundle_settings(
        settings.root, settings.config, output=output, version=settings.version,
        source_date_epoch=settings.request.source_date_epoch,
    )
    request = settings.request
    locked, fetcher = locked_cookbooks(
        settings.root, settings.config, request.cache_dir, request.credentials, request.offline
    )
    return open_for_bundle(loaded, bundle, locked, fetcher).build()


def _publish_all(
    targets: list[tuple[str, str, TargetOptions]], artifact: Artifact,
    settings: ReleaseSettings, on_target: StartTarget | None,
) -> list[TargetReport]:
    """Ask every target what it holds before the first byte goes anywhere; publish only when
    all of them can take the release."""
    checked = [_preflight(name, url, options, artifact) for name, url, options in targets]
    blocked = any(report.exit_code for report, _ in checked)
    if settings.dry_run:
        return [report for report, _ in checked]
    if blocked:
        return [report if report.exit_code else _not_attempted(report) for report, _ in checked]
    return [
        _publish_one(report, publisher, artifact, settings, on_target)
        for report, publisher in checked
    ]


def _not_attempted(report: TargetReport) -> TargetReport:
    reason = "not attempted: another target failed its check; nothing was uploaded"
    return replace(report, outcome=Outcome.NOT_ATTEMPTED, error=reason)


def _preflight(
    name: str, url: str, options: TargetOptions, artifact: Artifact
) -> tuple[TargetReport, Publisher | None]:
    try:
        publisher = open_publisher(url, options)
        state = publisher.state(artifact)
    except ToolError as exc:
        failed = TargetReport(name, mask_url(url), Outcome.FAILED, error=exc.message,
                              exit_code=exc.exit_code)
        return failed, None
    if state is ReleaseState.DIFFERENT:
        conflict = TargetReport(
            name, publisher.url, Outcome.WOULD_CONFLICT, exit_code=EXIT_REMOTE,
            error=f"{artifact.name} {artifact.version} is already published there with other "
            "bytes: bump the version",
        )
        return conflict, publisher
    outcome = Outcome.ALREADY_PUBLISHED if state is ReleaseState.SAME else Outcome.WOULD_PUBLISH
    return TargetReport(name, publisher.url, outcome), publisher


def _publish_one(
    checked: TargetReport, publisher: Publisher | None, artifact: Artifact,
    settings: ReleaseSettings, on_target: StartTarget | None,
) -> TargetReport:
    assert publisher is not None
    try:
        progress = on_target(checked.name, artifact.size) if on_target else None
        result = publisher.publish(
            artifact, force_current=settings.request.force_current, on_progress=progress,
            allow_foreign_branch=settings.request.allow_foreign_branch,
        )
    except ToolError as exc:
        return replace(checked, outcome=Outcome.FAILED, error=exc.message,
                       exit_code=exc.exit_code)
    outcome = Outcome.ALREADY_PUBLISHED if result.already_published else Outcome.PUBLISHED
    return TargetReport(checked.name, result.target, outcome, result, result.consumer)
