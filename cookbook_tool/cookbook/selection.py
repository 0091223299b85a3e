"""Which cookbooks go into a bundle: all of them, or the named ones plus their dependencies.

Dependencies are resolved by metadata name against the repository's cookbooks, with Chef's
constraint semantics. A dependency that no cookbook of the repository satisfies is an error
finding, unless it is declared external in the configuration (provided by the consumer, e.g. an
OpsWorks built-in cookbook or a community cookbook installed another way).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from cookbook_tool.cookbook.constraints import ConstraintError, Version
from cookbook_tool.cookbook.model import Cookbook, Dependency
from cookbook_tool.errors import UsageError
from cookbook_tool.findings import Finding, error

REASON_ALL = "all cookbooks of the repository"
REASON_REQUESTED = "requested with --cookbook"


@dataclass(frozen=True)
class Selection:
    """The chosen cookbooks (sorted by name), why each is in, and what could not be resolved."""

    cookbooks: list[Cookbook]
    reasons: dict[str, str]
    findings: list[Finding] = field(default_factory=list)


def select_cookbooks(
    cookbooks: Sequence[Cookbook],
    requested: Sequence[str] = (),
    external: Collection[str] = (),
) -> Selection:
    """Select ``requested`` (all when empty) and the closure of their dependencies.

    Raises ``UsageError`` when a requested name is not a cookbook of the repository.
    """
    by_name: dict[str, Cookbook] = {}
    findings: list[Finding] = []
    for cookbook in sorted(cookbooks, key=lambda c: (c.name, c.path.as_posix())):
        if cookbook.name in by_name:
            findings.append(_duplicate(cookbook, by_name[cookbook.name]))
            continue
        by_name[cookbook.name] = cookbook
    unknown = [name for name in requested if name not in by_name]
    if unknown:
        raise UsageError(
            f"no cookbook named {', '.join(unknown)} in the repository "
            f"(cookbooks: {', '.join(sorted(by_name)) or 'none'})"
        )
    reasons: dict[str, str] = {}
    queue: deque[str] = deque()
    for name in requested or sorted(by_name):
        if name not in reasons:
            reasons[name] = REASON_REQUESTED if requested else REASON_ALL
            queue.append(name)
    while queue:
        cookbook = by_name[queue.popleft()]
        for dependency in cookbook.depends:
            problem = _resolve(cookbook, dependency, by_name, external)
            if problem is not None:
                findings.append(problem)
            elif dependency.name in by_name and dependency.name not in reasons:
                reasons[dependency.name] = f"dependency of {cookbook.name}"
                queue.append(dependency.name)
    chosen = [by_name[name] for name in sorted(reasons)]
    return Selection(chosen, reasons, findings)


def _resolve(
    cookbook: Cookbook,
    dependency: Dependency,
    by_name: dict[str, Cookbook],
    external: Collection[str],
) -> Finding | None:
    where = cookbook.metadata_file or cookbook.path
    target = by_name.get(dependency.name)
    if target is None:
        if dependency.name in external:
            return None
        return error(
            "bundle-unresolved-dependency",
            f"{cookbook.name} depends on {dependency.name!r}, which is not in the repository: "
            "add it, or declare it external in cookbook-tool.toml if the consumer provides it",
            where,
            dependency.line,
            cookbook=cookbook.name,
        )
    if target.version is None:
        return None
    try:
        version = Version.parse(target.version)
    except ConstraintError:
        return None  # validate reports the bad version
    if dependency.constraint.allows(version):
        return None
    return error(
        "bundle-dependency-version",
        f"{cookbook.name} depends on {dependency.name} {dependency.constraint}, but the "
        f"repository has {dependency.name} {target.version}",
        where,
        dependency.line,
        cookbook=cookbook.name,
    )


def _duplicate(cookbook: Cookbook, first: Cookbook) -> Finding:
    return error(
        "bundle-duplicate-cookbook",
        f"two cookbooks are named {cookbook.name!r} ({first.path.as_posix()} and "
        f"{cookbook.path.as_posix()}): a bundle holds one folder per name",
        cookbook.metadata_file or cookbook.path,
        cookbook=cookbook.name,
    )
