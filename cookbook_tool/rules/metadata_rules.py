"""Rules on each cookbook's metadata and on names across the repository."""

from __future__ import annotations

from collections.abc import Iterator

from cookbook_tool.config import Config
from cookbook_tool.constraints import is_valid_version
from cookbook_tool.discovery import Repository
from cookbook_tool.findings import Finding, error, warning
from cookbook_tool.model import Cookbook

# Findings of the metadata reader after which a field may be missing only because it could not
# be read: the "missing" rules stay quiet then, so the user sees the cause, not its echo.
UNREADABLE_RULES = frozenset({"metadata-syntax", "metadata-json-invalid", "metadata-unreadable"})


def check_metadata(
    cookbook: Cookbook, config: Config, reader_rules: frozenset[str] = frozenset()
) -> Iterator[Finding]:
    """Rules on one cookbook's metadata; ``reader_rules`` are the rule ids the metadata reader
    already reported for it."""
    metadata = cookbook.metadata
    where = cookbook.dirname
    if metadata is None:
        yield error(
            "metadata-missing",
            f"cookbook {where!r} has no metadata.rb or metadata.json: add a metadata.rb with "
            "at least `name` and `version`",
            cookbook.path,
            cookbook=where,
        )
        return
    file = metadata.source
    unreadable = bool(reader_rules & UNREADABLE_RULES)
    if not metadata.name and (unreadable or "unknown:name" in metadata.lines):
        pass
    elif not metadata.name:
        message = f"metadata has no `name`: add `name '{cookbook.dirname}'`"
        if config.targets_chef_11:
            yield warning(
                "metadata-missing-name",
                message + " (Chef 11.10 falls back to the folder name)",
                file,
                cookbook=where,
            )
        else:
            yield error("metadata-missing-name", message + " (required since Chef 12)", file,
                        cookbook=where)  # fmt: skip
    elif metadata.name != cookbook.dirname:
        yield warning(
            "metadata-name-mismatch",
            f"metadata name {metadata.name!r} differs from the folder name {cookbook.dirname!r}: "
            "layers name recipes by cookbook name, so rename one to match",
            file,
            metadata.lines.get("name"),
            cookbook=where,
        )
    if metadata.version is None and (unreadable or "unknown:version" in metadata.lines):
        return
    if metadata.version is None:
        yield error("metadata-missing-version", "metadata has no `version`: add `version '0.1.0'`",
                    file, cookbook=where)  # fmt: skip
    elif not is_valid_version(metadata.version):
        yield error(
            "metadata-invalid-version",
            f"version {metadata.version!r} is not a Chef version: use X.Y or X.Y.Z with integers",
            file,
            metadata.lines.get("version"),
            cookbook=where,
        )


def check_names(repo: Repository, config: Config) -> Iterator[Finding]:
    """Two cookbooks with one name; custom cookbooks reusing OpsWorks built-in names."""
    for name, cookbooks in sorted(repo.by_name().items()):
        if len(cookbooks) > 1:
            folders = ", ".join(str(c.path.relative_to(repo.root)) for c in cookbooks)
            for cookbook in cookbooks:
                yield error(
                    "cookbook-duplicate-name",
                    f"{len(cookbooks)} cookbooks are named {name!r} ({folders}): "
                    "rename or remove all but one",
                    _metadata_file(cookbook),
                    cookbook=cookbook.dirname,
                )
        if name in config.builtin_cookbooks:
            for cookbook in cookbooks:
                yield warning(
                    "cookbook-builtin-name",
                    f"{name!r} is the name of an OpsWorks built-in cookbook: a custom cookbook "
                    "with that name overrides it on the instance; rename it",
                    _metadata_file(cookbook),
                    cookbook=cookbook.dirname,
                )


def _metadata_file(cookbook: Cookbook) -> str:
    return (cookbook.metadata.source if cookbook.metadata else cookbook.path).as_posix()
