"""Choose one version of every cookbook the repository needs, with ``resolvelib`` (the
resolver pip uses) over Chef's constraint semantics (``cookbook.constraints``): the newest
versions that satisfy every constraint, a locked version first when it still does.

Pure: the candidates of a name come from a function the caller passes (a Supermarket universe,
a git or path source, the repository's own cookbooks, the current lock).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from resolvelib import BaseReporter, Resolver
from resolvelib.providers import AbstractProvider
from resolvelib.resolvers import ResolutionImpossible, ResolutionTooDeep

from cookbook_tool.cookbook.constraints import Constraint, Version
from cookbook_tool.dependencies.lockfile import Need
from cookbook_tool.errors import EXIT_FINDINGS, ToolError

REPOSITORY = "repository"


@dataclass(frozen=True)
class Candidate:
    """One version of a cookbook that could be chosen, and what it depends on."""

    name: str
    version: Version
    origin: str  # "repository", "supermarket", "git", "path" or "locked"
    dependencies: tuple[tuple[str, Constraint], ...] = ()
    ref: Any = None  # what the caller needs to lock it (a universe entry, a fetched source...)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


Candidates = Callable[[str], Sequence[Candidate]]  # newest (or preferred) first


class DependencyConflict(ToolError):
    """No set of versions satisfies every constraint: the message names the chain."""

    exit_code = EXIT_FINDINGS


class _Provider(AbstractProvider[Need, Candidate, str]):
    def __init__(self, candidates: Candidates) -> None:
        self._candidates = candidates

    def identify(self, requirement_or_candidate: Need | Candidate) -> str:
        return requirement_or_candidate.name

    def get_preference(self, identifier: str, resolutions: Mapping[str, Candidate],
                       candidates: Mapping[str, Iterator[Candidate]],
                       information: Mapping[str, Iterator[Any]],
                       backtrack_causes: Sequence[Any]) -> Any:
        return identifier

    def find_matches(self, identifier: str, requirements: Mapping[str, Iterator[Need]],
                     incompatibilities: Mapping[str, Iterator[Candidate]]) -> list[Candidate]:
        wanted = list(requirements[identifier])
        bad = {c.version.key for c in incompatibilities[identifier]}
        return [
            candidate for candidate in self._candidates(identifier)
            if candidate.version.key not in bad
            and all(need.constraint.allows(candidate.version) for need in wanted)
        ]

    def is_satisfied_by(self, requirement: Need, candidate: Candidate) -> bool:
        return requirement.constraint.allows(candidate.version)

    def get_dependencies(self, candidate: Candidate) -> list[Need]:
        return [Need(name, constraint, candidate.label)
                for name, constraint in candidate.dependencies]


def resolve_needs(
    needs: Iterable[Need], candidates: Candidates, skip: Callable[[str], bool] = lambda n: False
) -> dict[str, Candidate]:
    """name -> the chosen candidate, for the closure of ``needs``. ``skip(name)``: a cookbook
    the consumer provides (external): neither resolved nor followed.

    Raises ``DependencyConflict`` naming every constraint on the cookbook that cannot be met.
    """

    def offered(name: str) -> Sequence[Candidate]:
        if skip(name):
            return [Candidate(name, Version(999999, 0, 0), "external")]
        return candidates(name)

    resolver: Resolver[Need, Candidate, str] = Resolver(_Provider(offered), BaseReporter())
    try:
        result = resolver.resolve([n for n in needs if not skip(n.name)], max_rounds=10_000)
    except ResolutionImpossible as exc:
        raise DependencyConflict(_conflict(exc.causes, offered)) from None
    except ResolutionTooDeep as exc:
        raise DependencyConflict(f"no resolution after {exc.round_count} rounds") from None
    return {name: c for name, c in sorted(result.mapping.items()) if c.origin != "external"}


def _conflict(causes: Collection[Any], offered: Candidates) -> str:
    by_name: dict[str, list[str]] = {}
    for cause in causes:
        need: Need = cause.requirement
        parent: Candidate | None = cause.parent
        who = parent.label if parent is not None else need.wanted_by
        by_name.setdefault(need.name, []).append(f"{who} needs {need.name} {need.constraint}")
    parts = []
    for name, chain in sorted(by_name.items()):
        versions = [str(c.version) for c in offered(name)]
        have = (
            f"available: {', '.join(versions[:8])}{' ...' if len(versions) > 8 else ''}"
            if versions else "no source offers it: set [sources] default in cookbook-tool.toml, "
            "or declare it external"
        )
        parts.append("; ".join(dict.fromkeys(chain)) + f" ({name} {have})")
    return "dependencies cannot all hold: " + " | ".join(parts)
