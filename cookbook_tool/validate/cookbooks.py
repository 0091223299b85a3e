"""``validate``: every rule over a repository (or the cookbooks some files belong to).

Findings are reported only for the selected cookbooks, but names and dependencies are always
resolved against the whole repository.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.discovery import own_location
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.repository import LoadedRepository, open_repository
from cookbook_tool.findings import Finding, sort_findings
from cookbook_tool.validate.rules.dependencies import check_cycles, check_dependencies
from cookbook_tool.validate.rules.files import check_files
from cookbook_tool.validate.rules.metadata import check_metadata, check_names
from cookbook_tool.validate.rules.recipes import check_includes, check_recipe_files
from cookbook_tool.validate.rules.secrets import check_secrets


@dataclass
class ValidationResult:
    root: Path
    cookbooks: list[Cookbook]  # the cookbooks checked
    findings: list[Finding] = field(default_factory=list)
    loaded: LoadedRepository | None = None


def validate_repository(
    root: Path, config: Config, only: Collection[Path] | None = None
) -> ValidationResult:
    """Check the repository at ``root``; ``only`` limits the report to these cookbook folders."""
    loaded = open_repository(root, config)
    return validate_loaded(loaded, config, only)


def validate_loaded(
    loaded: LoadedRepository, config: Config, only: Collection[Path] | None = None
) -> ValidationResult:
    wanted = None if only is None else {own_location(p) for p in only}
    selected = [c for c in loaded.repo.cookbooks if wanted is None or c.path in wanted]
    names = {c.path for c in selected}
    everywhere = [*loaded.metadata_findings, *_repository_findings(loaded, config)]
    findings = [f for f in everywhere if _in(f, names, loaded)]
    for cookbook in selected:
        findings.extend(_cookbook_findings(cookbook, loaded, config))
    return ValidationResult(loaded.root, selected, sort_findings(findings), loaded)


def _repository_findings(loaded: LoadedRepository, config: Config) -> Iterator[Finding]:
    yield from check_names(loaded.repo, config)
    yield from check_cycles(loaded.repo)


def _cookbook_findings(
    cookbook: Cookbook, loaded: LoadedRepository, config: Config
) -> Iterator[Finding]:
    named = loaded.repo.by_name()
    walked = loaded.files_of(cookbook)
    reported = frozenset(
        f.rule for f in loaded.metadata_findings if f.cookbook == cookbook.dirname
        and cookbook.metadata is not None and f.file == cookbook.metadata.source.as_posix()
    )  # fmt: skip
    yield from check_metadata(cookbook, config, reported)
    yield from check_dependencies(cookbook, named, config)
    yield from check_files(walked)
    yield from check_recipe_files(walked)
    yield from check_includes(walked, loaded, named, config)
    yield from check_secrets(walked)


def _in(finding: Finding, selected: set[Path], loaded: LoadedRepository) -> bool:
    if finding.file is None:
        return True
    owner = loaded.repo.owner_of(Path(finding.file))
    return owner is None or owner.path in selected
