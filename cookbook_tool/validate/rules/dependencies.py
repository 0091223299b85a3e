"""Rules on ``depends``: every dependency satisfied inside the repository, by
``cookbook-tool.lock`` (vendored into the bundle) or declared external, and no cycles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.constraints import ConstraintError, Version
from cookbook_tool.cookbook.discovery import LOCK_FILE
from cookbook_tool.cookbook.model import Cookbook, Dependency
from cookbook_tool.dependencies.external import HOW_TO_DECLARE
from cookbook_tool.errors import LocalError
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.dsl import conditional_dependencies
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.registry import finding

if TYPE_CHECKING:  # imported only where there is a lock to read, or tables that declare
    from cookbook_tool.dependencies.declared import DependencySettings
    from cookbook_tool.dependencies.lockfile import Lock


def parsed_version(cookbook: Cookbook) -> Version | None:
    if cookbook.version is None:
        return None
    try:
        return Version.parse(cookbook.version)
    except ConstraintError:
        return None


def resolve(dependency: Dependency, named: Mapping[str, Sequence[Cookbook]]) -> Cookbook | None:
    """The highest-versioned cookbook of the repository that satisfies a dependency."""
    matching = [
        (version, cookbook)
        for cookbook in named.get(dependency.name, ())
        if (version := parsed_version(cookbook)) is not None
        and dependency.constraint.allows(version)
    ]
    return max(matching, key=lambda pair: pair[0].key)[1] if matching else None


def check_dependencies(context: RuleContext, cookbook: Cookbook) -> Iterator[Finding]:
    metadata = cookbook.metadata
    if metadata is None:
        return
    named = context.named
    vendoring = _Vendoring.of(context.loaded.root, context.config)
    conditional = conditional_dependencies(metadata)
    for dependency in cookbook.depends:
        if context.config.targets_chef_11 and dependency.constraint.single_integer:
            yield _single_integer(dependency, metadata.source, cookbook.dirname)
        candidates = named.get(dependency.name, [])
        if not candidates:
            if context.config.is_external(dependency.name) or vendoring.covers(dependency.name):
                continue  # external, or the lock's business (dependency-lock-* say if not)
            yield _missing(dependency, conditional.get(dependency.name), metadata.source,
                           cookbook.dirname)
        elif all(parsed_version(c) is None for c in candidates):
            continue  # their metadata findings say why no version could be read
        elif resolve(dependency, named) is None:
            found = ", ".join(sorted(c.version or "no version" for c in candidates))
            yield finding(
                "dependency-unsatisfied",
                f"depends on {dependency.name!r} {dependency.constraint} but the repository has "
                f"{dependency.name} {found}: change the constraint or the version",
                metadata.source,
                dependency.line,
                cookbook=cookbook.dirname,
            )


def _missing(dependency: Dependency, condition_line: int | None, source: Path,
             cookbook: str) -> Finding:
    """``dependency-missing``: an error, or a warning when the ``depends`` sits under a
    condition only the node can decide (``if platform?('windows')``): Chef needs the cookbook
    only on the nodes where that branch runs."""
    message = (f"depends on {dependency.name!r}, which is not a cookbook of this repository: "
               f"add it, or {HOW_TO_DECLARE}")
    if condition_line is not None:
        message += (f" (declared under the condition on line {condition_line}, which depends on "
                    "the node: Chef fails with CookbookNotFound only where that branch runs)")
    return finding("dependency-missing", message, source, dependency.line, cookbook=cookbook,
                   relaxed=condition_line is not None)


def _single_integer(dependency: Dependency, source: Path, cookbook: str) -> Finding:
    written = str(dependency.constraint)
    return finding(
        "dependency-constraint-chef-11",
        f"depends {dependency.name!r}, {written!r}: Chef 11 refuses a constraint on a single "
        f"integer (Chef 12 and later read it as X.0); write the version as X.Y, e.g. "
        f"{_with_minor(written)!r}",
        source, dependency.line, cookbook=cookbook,
    )


def _with_minor(constraint: str) -> str:
    operator, _, version = constraint.rpartition(" ")
    return f"{operator} {version}.0".strip()


class _Vendoring:
    """The dependency tables and the lock of one repository, read once per change of either
    file (the rules run once per cookbook)."""

    _memo: ClassVar[dict[tuple[object, ...], _Vendoring]] = {}

    def __init__(self, settings: DependencySettings | None, lock: Lock | None,
                 problem: str | None, path: Path) -> None:
        self.settings = settings  # None: the configuration declares no dependencies
        self.lock = lock
        self.problem = problem  # the lock cannot be read
        self.path = path

    @classmethod
    def of(cls, root: Path, config: Config) -> _Vendoring:
        path = root / LOCK_FILE
        stamp = _stamp(path)
        key = (path, stamp, config.file, _stamp(config.file))
        if key not in cls._memo:
            cls._memo.clear()
            settings = None
            if config.file is not None and config.declares_dependencies is not False:
                from cookbook_tool.dependencies.declared import dependency_settings

                settings = dependency_settings(config)
            lock: Lock | None = None
            problem = None
            if not _absent(path):
                from cookbook_tool.dependencies.lockfile import read_lock

                try:
                    lock = read_lock(path)
                except LocalError as exc:
                    problem = exc.message
            cls._memo[key] = cls(settings, lock, problem, path)
        return cls._memo[key]

    def covers(self, name: str) -> bool:
        """Whether ``name`` is locked, or would be once ``cookbook-tool lock`` runs."""
        if self.lock is not None and name in self.lock.cookbooks:
            return True
        settings = self.settings
        return settings is not None and (settings.source_of(name) is not None
                                         or name in settings.declared)


def _absent(path: Path) -> bool:
    """Whether there is no file at ``path`` (an unreadable one is read, and its error said)."""
    try:
        path.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        stat = path.stat() if path is not None else None
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size) if stat is not None else None


def check_lock(context: RuleContext) -> Iterator[Finding]:
    """One finding when the lock is missing or no longer satisfies the metadata."""
    config = context.config
    vendoring = _Vendoring.of(context.loaded.root, config)
    where = vendoring.path
    if vendoring.problem is not None:
        yield finding("dependency-lock-stale", vendoring.problem, where)
        return
    settings = vendoring.settings
    if vendoring.lock is None and (settings is None or not settings.configured):
        return  # no vendoring here: dependency-missing speaks for each depends
    from cookbook_tool.dependencies.declared import DependencySettings
    from cookbook_tool.dependencies.lockfile import lock_problems

    external = config.external_cookbooks | config.builtin_cookbooks
    problems = lock_problems(vendoring.lock, context.loaded.cookbooks,
                             settings or DependencySettings(file=config.file), external)
    if not problems:
        return
    if vendoring.lock is None:
        yield finding(
            "dependency-lock-missing",
            f"{problems[0]}: the bundle would lack the community cookbooks it needs (Chef stops "
            "with CookbookNotFound): run `cookbook-tool lock`",
            config.file or where,
        )
        return
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    yield finding(
        "dependency-lock-stale",
        f"{LOCK_FILE} does not satisfy the metadata: {problems[0]}{more}: run "
        "`cookbook-tool lock` (or `cookbook-tool lock --update NAME` to move a locked cookbook)",
        where,
    )


def check_cycles(context: RuleContext) -> Iterator[Finding]:
    """One warning per dependency cycle, on the cycle's first cookbook by name."""
    named = context.named
    graph = {
        name: sorted({d.name for c in cookbooks for d in c.depends if d.name in named})
        for name, cookbooks in named.items()
    }
    for cycle in _cycles(graph):
        first = named[cycle[0]][0]
        chain = " -> ".join([*cycle, cycle[0]])
        line = next((d.line for d in first.depends if d.name == cycle[1 % len(cycle)]), None)
        yield finding(
            "dependency-cycle",
            f"dependency cycle {chain}: Chef can load it, but it usually means a recipe belongs "
            "in another cookbook",
            first.metadata.source if first.metadata else first.path,
            line,
            cookbook=first.dirname,
        )


def _cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one, starting at its smallest name."""
    cycles = []
    for component in _strongly_connected(graph):
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, []):
            continue
        cycles.append(_path_back(graph, start, component))
    return sorted(cycles)


def _path_back(graph: Mapping[str, list[str]], start: str, component: set[str]) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``component`` (BFS)."""
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in graph.get(node, []):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if nxt in component and nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return [start]


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on long dependency chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, [])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components
