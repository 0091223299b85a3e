"""``cookbook-tool release``: validate everything, bundle once, publish to every target.

Nothing is published when validation finds an error, and every target is resolved before the
first byte is uploaded. A target that fails does not stop the others; the report says exactly
which succeeded, and re-running finishes the job (published targets answer "already
published"). A dry run bundles into a temporary folder, asks each target what it holds, and
changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cookbook_tool.artifact import open_artifact
from cookbook_tool.bundle import BundleResult, build_bundle
from cookbook_tool.bundle_settings import bundle_settings
from cookbook_tool.check import CheckSettings, run_checks
from cookbook_tool.config import Config
from cookbook_tool.errors import EXIT_FINDINGS, EXIT_OK, ToolError, UsageError
from cookbook_tool.findings import Finding, has_errors
from cookbook_tool.publish.base import (
    Artifact,
    ConsumerInfo,
    ProgressCallback,
    PublishResult,
    ReleaseState,
    TargetOptions,
)
from cookbook_tool.publish.configured import configured_target
from cookbook_tool.publish.targets import mask_url, open_publisher
from cookbook_tool.repository import open_repository
from cookbook_tool.suggest import did_you_mean


class Outcome(StrEnum):
    PUBLISHED = "published"
    ALREADY_PUBLISHED = "already-published"
    WOULD_PUBLISH = "would-publish"
    WOULD_CONFLICT = "would-conflict"
    FAILED = "failed"


@dataclass(frozen=True)
class ReleaseSettings:
    root: Path
    config: Config
    targets: tuple[str, ...] = ()  # names from the configuration; empty: all of them
    dry_run: bool = False
    version: str | None = None
    output: Path | None = None
    source_date_epoch: str | None = None
    source_commit: str | None = None
    force_current: bool = False


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


def release(settings: ReleaseSettings, on_target: StartTarget | None = None) -> ReleaseReport:
    """Validate, bundle and publish. Returns a report; raises ``ToolError`` only when nothing
    could be done (bad configuration, unknown target, unreadable repository)."""
    config = settings.config
    targets = _resolve_targets(config, settings.targets)
    check = run_checks(CheckSettings((settings.root,), settings.root, config.file))
    report = ReleaseReport(findings=check.findings, dry_run=settings.dry_run)
    if has_errors(report.findings):
        return report
    with tempfile.TemporaryDirectory(prefix="cookbook-tool-release-") as scratch:
        output = Path(scratch) if settings.dry_run else settings.output
        report.bundle = _bundle(settings, output)
        report.findings = report.bundle.findings
        if report.bundle.path is None:
            return report
        report.artifact = open_artifact(report.bundle.path, source_commit=settings.source_commit)
        for name, url, options in targets:
            report.targets.append(_one_target(name, url, options, report.artifact, settings,
                                              on_target))  # fmt: skip
    return report


def _resolve_targets(
    config: Config, names: Sequence[str]
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
                             f"{', '.join(config.targets)}")  # fmt: skip
    chosen = names or tuple(config.targets)
    return [(name, *configured_target(config, name)) for name in chosen]


def _bundle(settings: ReleaseSettings, output: Path | None) -> BundleResult:
    bundle = bundle_settings(
        settings.root, settings.config, output=output, version=settings.version,
        source_date_epoch=settings.source_date_epoch,
    )  # fmt: skip
    loaded = open_repository(settings.root, settings.config, (bundle.output_dir,))
    return build_bundle(
        loaded.root, loaded.repo.cookbooks, bundle, (),
        lambda cookbook: loaded.files_of(cookbook).entries,
    )  # fmt: skip


def _one_target(
    name: str, url: str, options: TargetOptions, artifact: Artifact,
    settings: ReleaseSettings, on_target: StartTarget | None,
) -> TargetReport:  # fmt: skip
    shown = mask_url(url)
    try:
        publisher = open_publisher(url, options)
        if settings.dry_run:
            state = publisher.state(artifact)
            outcome = {ReleaseState.ABSENT: Outcome.WOULD_PUBLISH,
                       ReleaseState.SAME: Outcome.ALREADY_PUBLISHED,
                       ReleaseState.DIFFERENT: Outcome.WOULD_CONFLICT}[state]  # fmt: skip
            code = 4 if state is ReleaseState.DIFFERENT else EXIT_OK
            return TargetReport(name, publisher.url, outcome, exit_code=code)
        progress = on_target(name, artifact.size) if on_target else None
        result = publisher.publish(
            artifact, force_current=settings.force_current, on_progress=progress
        )
    except ToolError as exc:
        return TargetReport(name, shown, Outcome.FAILED, error=exc.message,
                            exit_code=exc.exit_code)  # fmt: skip
    outcome = Outcome.ALREADY_PUBLISHED if result.already_published else Outcome.PUBLISHED
    return TargetReport(name, result.target, outcome, result, result.consumer)
