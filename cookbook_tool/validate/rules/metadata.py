"""Rules on each cookbook's metadata and on names across the repository."""

from __future__ import annotations

from collections.abc import Iterator

from cookbook_tool.cookbook.constraints import is_valid_version
from cookbook_tool.cookbook.model import Cookbook, Metadata
from cookbook_tool.findings import Finding
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.registry import finding

# Findings of the metadata reader after which a field may be missing only because it could not
# be read: the "missing" rules stay quiet then, so the user sees the cause, not its echo.
UNREADABLE_RULES = frozenset({"metadata-syntax", "metadata-json-invalid", "metadata-unreadable"})


def check_metadata(context: RuleContext, cookbook: Cookbook) -> Iterator[Finding]:
    """Rules on one cookbook's metadata; a field the metadata reader could not read is not
    also reported "missing"."""
    metadata = cookbook.metadata
    if metadata is None:
        yield finding(
            "metadata-missing",
            f"cookbook {cookbook.dirname!r} has no metadata.rb or metadata.json: add a "
            "metadata.rb with at least `name` and `version`",
            cookbook.path,
            cookbook=cookbook.dirname,
        )
        return
    unreadable = bool(context.reader_rules(cookbook) & UNREADABLE_RULES)
    if not (unreadable or "unknown:name" in metadata.lines):
        yield from _name(cookbook, metadata, context.config.targets_chef_11)
    if not (unreadable or "unknown:version" in metadata.lines):
        yield from _version(cookbook, metadata)


def _name(cookbook: Cookbook, metadata: Metadata, chef_11: bool) -> Iterator[Finding]:
    where, file = cookbook.dirname, metadata.source
    if not metadata.name:
        message = f"metadata has no `name`: add `name '{cookbook.dirname}'`"
        if chef_11:
            message += " (Chef 11.10 falls back to the folder name)"
        else:
            message += " (required since Chef 12)"
        yield finding("metadata-missing-name", message, file, cookbook=where, relaxed=chef_11)
    elif metadata.name != cookbook.dirname:
        yield finding(
            "metadata-name-mismatch",
            f"metadata name {metadata.name!r} differs from the folder name {cookbook.dirname!r}: "
            "layers name recipes by cookbook name, so rename one to match",
            file,
            metadata.lines.get("name"),
            cookbook=where,
        )


def _version(cookbook: Cookbook, metadata: Metadata) -> Iterator[Finding]:
    where, file = cookbook.dirname, metadata.source
    if metadata.version is None:
        message = "metadata has no `version`: add `version '0.1.0'`"
        yield finding("metadata-missing-version", message, file, cookbook=where)
    elif not is_valid_version(metadata.version):
        yield finding(
            "metadata-invalid-version",
            f"version {metadata.version!r} is not a Chef version: use X.Y or X.Y.Z with integers",
            file,
            metadata.lines.get("version"),
            cookbook=where,
        )


def check_names(context: RuleContext) -> Iterator[Finding]:
    """Two cookbooks with one name; custom cookbooks reusing OpsWorks built-in names."""
    root = context.loaded.root
    for name, cookbooks in sorted(context.named.items()):
        if len(cookbooks) > 1:
            folders = ", ".join(str(c.path.relative_to(root)) for c in cookbooks)
            for cookbook in cookbooks:
                yield finding(
                    "cookbook-duplicate-name",
                    f"{len(cookbooks)} cookbooks are named {name!r} ({folders}): "
                    "rename or remove all but one",
                    _metadata_file(cookbook),
                    cookbook=cookbook.dirname,
                )
        if name in context.config.builtin_cookbooks:
            for cookbook in cookbooks:
                yield finding(
                    "cookbook-builtin-name",
                    f"{name!r} is the name of an OpsWorks built-in cookbook: a custom cookbook "
                    "with that name overrides it on the instance; rename it",
                    _metadata_file(cookbook),
                    cookbook=cookbook.dirname,
                )


def _metadata_file(cookbook: Cookbook) -> str:
    return (cookbook.metadata.source if cookbook.metadata else cookbook.path).as_posix()
