"""What ``cookbook-tool validate PATH...`` checks: the cookbooks the paths name or hold, the
custom JSON files among them (or mapped to schemas by the configuration), and the layers.

Paths may be repositories, cookbooks, or files inside them (as pre-commit passes them). Each
repository is discovered once and loaded once (``LoadedRepository``); findings are reported
only for the selected cookbooks, but names and dependencies are always resolved against the
whole repository.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.config.mappings import mapped_files, schema_for
from cookbook_tool.cookbook.discovery import (
    CONFIG_FILE,
    DEFAULT_COOKBOOK_DIRS,
    Discoveries,
    Repository,
    group_by_repository,
    own_location,
)
from cookbook_tool.cookbook.layers import normalize
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.repository import LoadedRepository, load_repository
from cookbook_tool.dependencies.external import with_external
from cookbook_tool.errors import LocalError
from cookbook_tool.findings import Finding, sort_findings
from cookbook_tool.validate.parallel import shared_map
from cookbook_tool.validate.rules.contents import check_contents
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.dependencies import check_cycles, check_dependencies, check_lock
from cookbook_tool.validate.rules.files import check_files
from cookbook_tool.validate.rules.layers import check_layers
from cookbook_tool.validate.rules.metadata import (
    check_metadata,
    check_missing_names,
    check_names,
)
from cookbook_tool.validate.rules.recipes import check_recipe_files
from cookbook_tool.validate.rules.registry import finding

RepositoryRule = Callable[[RuleContext], Iterable[Finding]]
CookbookRule = Callable[[RuleContext, Cookbook], Iterable[Finding]]
REPOSITORY_RULES: tuple[RepositoryRule, ...] = (
    check_names, check_missing_names, check_cycles, check_lock,
)
COOKBOOK_RULES: tuple[CookbookRule, ...] = (
    check_metadata, check_dependencies, check_files, check_recipe_files, check_contents,
)


@dataclass(frozen=True)
class CheckSettings:
    paths: tuple[Path, ...]
    cwd: Path
    config_path: Path | None = None
    schema: str | None = None  # check the given files against this schema
    cookbooks: bool = True  # run the cookbook checks
    custom_json: bool = True  # run the custom JSON checks
    external: tuple[str, ...] = ()  # --external: dependencies the consumer provides
    external_presets: tuple[str, ...] = ()  # --external-preset


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    cookbooks: list[str] = field(default_factory=list)  # names checked
    json_files: list[Path] = field(default_factory=list)  # custom JSON files checked
    skipped: list[Path] = field(default_factory=list)  # files nothing applies to
    config: Config | None = None
    json_only: bool = False  # only custom JSON was checked (--only-json, --schema)

    @property
    def summary(self) -> str:
        show_cookbooks = not self.json_only and (self.cookbooks or not self.json_files)
        parts = [f"{len(self.cookbooks)} cookbook(s)"] if show_cookbooks else []
        if self.json_only and not self.json_files:
            parts.append("0 JSON file(s)")
        if self.json_files:
            parts.append(f"{len(self.json_files)} JSON file(s)")
        return " and ".join(parts) + " checked"


@dataclass
class ValidationResult:
    root: Path
    cookbooks: list[Cookbook]  # the cookbooks checked
    findings: list[Finding] = field(default_factory=list)
    loaded: LoadedRepository | None = None


def validate_loaded(
    loaded: LoadedRepository, only: Collection[Path] | None = None
) -> ValidationResult:
    """Every cookbook rule over a loaded repository; ``only`` limits the report to these
    cookbook folders."""
    wanted = None if only is None else {own_location(p) for p in only}
    selected = [c for c in loaded.cookbooks if wanted is None or c.path in wanted]
    folders = {c.path for c in selected}
    context = RuleContext.of(loaded)
    everywhere = [*loaded.metadata_findings, *_repository_findings(context)]
    findings = [f for f in everywhere if _in(f, folders, loaded)]
    findings.extend(shared_map(lambda cookbook: _cookbook_findings(context, cookbook), selected))
    return ValidationResult(loaded.root, selected, sort_findings(findings), loaded)


def _cookbook_findings(context: RuleContext, cookbook: Cookbook) -> list[Finding]:
    return [found for rule in COOKBOOK_RULES for found in rule(context, cookbook)]


def _repository_findings(context: RuleContext) -> Iterator[Finding]:
    for rule in REPOSITORY_RULES:
        yield from rule(context)


def _in(finding: Finding, selected: set[Path], loaded: LoadedRepository) -> bool:
    if finding.file is None:
        return True
    owner = loaded.repo.owner_of(Path(finding.file))
    return owner is None or owner.path in selected


@dataclass
class _Group:
    """The paths given inside one repository."""

    root: Path
    members: list[Path]
    config: Config
    repo: Repository
    loaded: LoadedRepository | None = None
    whole: bool = False  # the repository itself was named
    cookbooks: list[Path] = field(default_factory=list)
    loose_files: list[Path] = field(default_factory=list)  # files outside any cookbook
    cookbook_files: list[Path] = field(default_factory=list)  # files inside a cookbook


def run_checks(settings: CheckSettings, loaded: LoadedRepository | None = None) -> CheckReport:
    """Check the paths of ``settings``. ``loaded`` is the repository already loaded by the
    caller (``release``): it is used, with its configuration, for the paths inside it."""
    paths = [p if p.is_absolute() else settings.cwd / p for p in settings.paths or (Path("."),)]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise LocalError(f"{path}: no such file or folder")
    report = CheckReport(json_only=not settings.cookbooks)
    discovered = Discoveries()
    for root, members in group_by_repository(paths, discovered).items():
        group = _group(root, members, settings, discovered, loaded)
        report.config = report.config or group.config
        group = _select(group)
        checked_before = (len(report.cookbooks), len(report.json_files))
        if settings.cookbooks and (group.whole or group.cookbooks):
            _check_cookbooks(group, report)
        elif settings.cookbooks is False and settings.schema is None:
            # --only-json: files inside cookbooks are cookbook business unless a mapping names them
            group.loose_files += [f for f in group.cookbook_files if _mapped(f, group)]
        if settings.custom_json:
            _check_json(group, settings, report)
        else:  # --skip-json: mapped JSON files and schema files are the custom JSON check's
            schemas = _schema_users(group, list_files=False)
            report.skipped.extend(
                f for f in group.loose_files if not _mapped(f, group) and f not in schemas
            )
        named_folder = settings.cookbooks and any(m.is_dir() for m in group.members)
        if named_folder and checked_before == (len(report.cookbooks), len(report.json_files)):
            report.findings.append(_nothing_found(group.root))
    report.findings = sort_findings(report.findings)
    return report


def _group(
    root: Path, members: list[Path], settings: CheckSettings, discovered: Discoveries,
    loaded: LoadedRepository | None,
) -> _Group:
    if loaded is not None and loaded.root == root:
        return _Group(root, members, loaded.config, loaded.repo, loaded)
    config = resolve_config(settings.config_path, root, settings.cwd)
    config = with_external(config, settings.external, settings.external_presets)
    return _Group(root, members, config, discovered(root, config.cookbook_dirs))


def _nothing_found(root: Path) -> Finding:
    """A folder named on the command line that holds nothing to check: a mistyped path must not
    pass a CI job."""
    folders = " or ".join(f"{name}/" for name in DEFAULT_COOKBOOK_DIRS)
    return finding(
        "nothing-to-check",
        f"{root}: no cookbook and no mapped custom JSON here: cookbooks sit at the top level, "
        f"under {folders} (each with a metadata.rb); check the path",
        root,
    )


def _check_cookbooks(group: _Group, report: CheckReport) -> None:
    loaded = group.loaded or load_repository(
        group.repo, group.config, rules_read_last=True, mapper=shared_map
    )
    only = None if group.whole else _with_dependents(group.cookbooks, loaded.cookbooks)
    result = validate_loaded(loaded, only)
    report.findings.extend(result.findings)
    report.cookbooks.extend(c.name for c in result.cookbooks)
    if _layers_concerned(group, result.cookbooks):
        report.findings.extend(check_layers(RuleContext.of(loaded)))


def _with_dependents(selected: Sequence[Path], cookbooks: Sequence[Cookbook]) -> list[Path]:
    """The selected cookbook folders and those of every cookbook that depends on one of them:
    a changed version or recipe of a cookbook can break the constraints and ``include_recipe``
    lines of the cookbooks using it."""
    names = {c.name for c in cookbooks if c.path in selected}
    dependents = [
        c.path for c in cookbooks
        if c.metadata is not None and any(d.name in names for d in c.metadata.depends)
    ]
    return sorted({*selected, *dependents})


def _check_json(group: _Group, settings: CheckSettings, report: CheckReport) -> None:
    config = group.config
    base_dir = config.base_dir or group.root
    if settings.schema is not None:
        files = [m for m in group.members if m.is_file() or _dangling(m)]
        schema = _schema_ref(settings.schema, settings.cwd)
    else:
        users = _schema_users(group)
        files = [f for f in group.loose_files if f not in users]
        files += [f for named in users.values() for f in named]
        if group.whole:
            files += _mapped_files(base_dir, config)
        schema = None
    files = _without_dangling(sorted(set(files)), schema, group, report)
    if not files:
        return
    from cookbook_tool.customjson import check_json_files

    result = check_json_files(
        files, schema=schema, mappings=config.schemas, base_dir=base_dir,
        warn_plaintext_secrets=config.warn_plaintext_secrets,
    )
    report.findings.extend(result.findings)
    report.json_files.extend(result.checked)
    report.skipped.extend(result.skipped)


def _schema_ref(schema: str, cwd: Path) -> str:
    """A ``--schema`` given as a path is taken relative to the current folder."""
    candidate = Path(schema)
    if not candidate.is_absolute() and (cwd / candidate).is_file():
        return str(cwd / candidate)
    return schema


def _mapped(path: Path, group: _Group) -> bool:
    config = group.config
    return schema_for(path, config.schemas, config.base_dir or group.root) is not None


def _schema_users(group: _Group, list_files: bool = True) -> dict[Path, list[Path]]:
    """The members that are the schema file of a ``[[schemas]]`` mapping (a user schema), each
    with every file that mapping names (unless not ``list_files``): a changed schema can break
    every one of them."""
    config = group.config
    if not config.schemas:
        return {}
    base_dir = config.base_dir or group.root
    members = set(group.loose_files) | set(group.cookbook_files)
    users: dict[Path, list[Path]] = {}
    for mapping in config.schemas:
        path = _schema_file(mapping.schema, base_dir)
        if path is not None and path in members:
            named = mapped_files(base_dir, [mapping]) if list_files else []
            users.setdefault(path, []).extend(
                f for f in named if schema_for(f, config.schemas, base_dir) == mapping.schema
            )
    return users


def _schema_file(ref: str, base_dir: Path) -> Path | None:
    """Where a mapping's schema lies if it is a file. A built-in ``$id`` is a URL; a built-in
    name (``opsworks-custom-json``) names a file no one changes."""
    parts = urlsplit(ref)
    if parts.scheme == "file":
        path = Path(unquote(parts.path))
    elif len(parts.scheme) > 1:
        return None
    else:
        path = Path(ref)
    return own_location(path if path.is_absolute() else base_dir / path)


def _dangling(path: Path) -> bool:
    """A symbolic link that leads nowhere: broken, or a loop."""
    return path.is_symlink() and not path.exists()


def _without_dangling(
    files: list[Path], schema: str | None, group: _Group, report: CheckReport
) -> list[Path]:
    """The files that can be read; a dangling link that would be checked is an error finding,
    one no mapping names is skipped."""
    from cookbook_tool.customjson.schemarun import dangling_finding

    readable = []
    for path in files:
        if not _dangling(path):
            readable.append(path)
        elif schema is None and not _mapped(path, group):
            report.skipped.append(path)
        else:
            report.findings.append(dangling_finding(path))
    return readable


def _mapped_files(base_dir: Path, config: Config) -> list[Path]:
    """Every file under ``base_dir`` that a ``[[schemas]]`` glob names (the same matcher as the
    one that picks each file's schema)."""
    return mapped_files(base_dir, config.schemas)


def _layers_concerned(group: _Group, checked: list[Cookbook]) -> bool:
    """Check the layers when the whole repository, the configuration, or a cookbook a layer
    names is being checked."""
    config = group.config
    if not config.layers:
        return False
    if group.whole or (config.file is not None and config.file in group.members):
        return True
    named = {normalize(r).partition("::")[0] for e in config.layers.values() for rs in e.values()
             for r in rs}
    return any(c.name in named for c in checked)


def _select(group: _Group) -> _Group:
    """Which cookbooks the members name or hold, and which files lie outside any cookbook.

    Naming the repository, or its configuration (which changes how every cookbook, layer and
    JSON file is checked), means the whole repository."""
    if group.root in group.members:
        group.whole = True
        return group
    repo = group.repo
    selected: set[Path] = set()
    for member in group.members:
        owner = repo.owner_of(member)
        inside = [c.path for c in repo.cookbooks if member in c.path.parents]
        if owner is not None:
            selected.add(owner.path)
            group.cookbook_files += [member] if member.is_file() else []
        elif member.is_dir() and inside:
            selected.update(inside)
        elif member.is_file() and (member.name == CONFIG_FILE or member == group.config.file):
            group.whole = True
        elif member.is_file() or _dangling(member):
            group.loose_files.append(member)
    group.cookbooks = sorted(selected)
    return group
