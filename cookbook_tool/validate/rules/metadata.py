"""Rules on each cookbook's metadata and on names across the repository."""

from __future__ import annotations

from collections.abc import Iterator

from cookbook_tool.cookbook.constraints import Version, is_valid_version
from cookbook_tool.cookbook.model import COOKBOOK_NAME, Cookbook, Metadata
from cookbook_tool.cookbook.opsworks import OPSWORKS_CHEF_11_10_COOKBOOKS
from cookbook_tool.findings import Finding
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.registry import finding

# Findings of the metadata reader after which a field may be missing only because it could not
# be read: the "missing" rules stay quiet then, so the user sees the cause, not its echo.
UNREADABLE_RULES = frozenset({"metadata-syntax", "metadata-json-invalid", "metadata-unreadable"})


def check_metadata(context: RuleContext, cookbook: Cookbook) -> Iterator[Finding]:
    """Rules on one cookbook's metadata; a field the metadata reader could not read is not
    also reported "missing". A missing ``name`` is the repository rule ``check_missing_names``
    (one summary, not one finding per cookbook, where the repository looks like Chef 11's)."""
    metadata = cookbook.metadata
    if metadata is None:
        yield _without_metadata(context, cookbook)
        return
    unreadable = bool(context.reader_rules(cookbook) & UNREADABLE_RULES)
    if not (unreadable or "unknown:name" in metadata.lines) and metadata.name:
        yield from _name(cookbook, metadata)
    if not (unreadable or "unknown:version" in metadata.lines):
        yield from _version(context, cookbook, metadata)


def _without_metadata(context: RuleContext, cookbook: Cookbook) -> Finding:
    name, where = cookbook.dirname, cookbook.dirname
    if context.overrides_builtin(cookbook):
        files = ", ".join(e.relpath for e in context.files_of(cookbook).shipped()
                          if e.is_file_like)
        return finding(
            "opsworks-override-cookbook",
            f"{name!r} overrides files of the OpsWorks built-in cookbook {name!r} ({files}): "
            "OpsWorks Chef 11.10 merges a custom folder named like a built-in cookbook into it "
            "(attributes/customize.rb is the documented way to override its attributes), so it "
            "needs no metadata",
            cookbook.path, cookbook=where,
        )
    message = (f"cookbook {name!r} has no metadata.rb or metadata.json: add a metadata.rb with "
               "at least `name` and `version`")
    if name in OPSWORKS_CHEF_11_10_COOKBOOKS:
        message += (f" (if it overrides the OpsWorks Chef 11.10 built-in cookbook {name!r}, set "
                    '`chef_version = "11.10"` or `external_presets = ["opsworks-chef-11.10"]` '
                    "in cookbook-tool.toml)")
    return finding("metadata-missing", message, cookbook.path, cookbook=where)


def _name(cookbook: Cookbook, metadata: Metadata) -> Iterator[Finding]:
    where, file, name = cookbook.dirname, metadata.source, metadata.name or ""
    if not COOKBOOK_NAME.fullmatch(name):
        yield finding(
            "metadata-invalid-name",
            f"name {name!r} is not a cookbook name (letters, digits, _ - and ., not starting "
            f"with '.'): Chef names recipes `cookbook::recipe` from it and bundles use it as a "
            f"folder name; write `name '{_suggested_name(name, cookbook.dirname)}'`",
            file, metadata.lines.get("name"), cookbook=where,
        )
    elif name != cookbook.dirname:
        yield finding(
            "metadata-name-mismatch",
            f"metadata name {name!r} differs from the folder name {cookbook.dirname!r}: "
            "layers name recipes by cookbook name, so rename one to match",
            file,
            metadata.lines.get("name"),
            cookbook=where,
        )


def _refusing_zero(context: RuleContext, cookbook: Cookbook) -> str:
    """The ``depends`` lines of the repository on ``cookbook`` whose constraint 0.0.0 (Chef's
    version of a cookbook without one) does not meet, as ``webapp's '~> 1.2'``; empty if none."""
    zero = Version.parse("0.0.0")
    found = [
        f"{other.name}'s {str(d.constraint)!r}"
        for other in context.loaded.cookbooks if other is not cookbook
        for d in other.depends if d.name == cookbook.name and not d.constraint.allows(zero)
    ]
    return ", ".join(sorted(found))


def _suggested_name(name: str, folder: str) -> str:
    """``swapfile::default`` -> ``swapfile``; otherwise the folder name when it is valid."""
    before = name.partition("::")[0].strip()
    if COOKBOOK_NAME.fullmatch(before):
        return before
    return folder if COOKBOOK_NAME.fullmatch(folder) else "my_cookbook"


def _version(context: RuleContext, cookbook: Cookbook, metadata: Metadata) -> Iterator[Finding]:
    where, file = cookbook.dirname, metadata.source
    if metadata.version is None:
        refusing = _refusing_zero(context, cookbook)
        if refusing:
            effect = (f"which {refusing} does not allow, so the dependency solver refuses the run "
                      "list")
        else:
            effect = ("so it loads, but a `depends` with a version constraint will not match it "
                      "and two releases cannot be told apart")
        message = (f"metadata has no `version`: Chef (11, 12 and later) then uses 0.0.0, "
                   f"{effect}; add `version '0.1.0'`")
        yield finding("metadata-missing-version", message, file, cookbook=where,
                      relaxed=not refusing)
    elif not is_valid_version(metadata.version):
        yield finding(
            "metadata-invalid-version",
            f"version {metadata.version!r} is not a Chef version: use X.Y or X.Y.Z with integers",
            file,
            metadata.lines.get("version"),
            cookbook=where,
        )


def check_missing_names(context: RuleContext) -> Iterator[Finding]:
    """Cookbooks whose metadata has no ``name``. Chef 12 and later refuse them (``name`` is
    required since 12.0); Chef 11 uses the folder name. With ``chef_version`` before 12: warnings;
    12 or later: errors. Unset: errors, unless no cookbook of the repository has a name (at
    least two of them), which is the mark of a Chef 11 repository: then one warning for all."""
    unnamed = [c for c in context.loaded.cookbooks if _unnamed(context, c)]
    if not unnamed:
        return
    config = context.config
    named = [c for c in context.loaded.cookbooks if c.metadata is not None and c.metadata.name]
    old = context.before_chef_12
    inferred = config.chef_version is None and not named and len(unnamed) >= 2
    if inferred or (old and len(unnamed) >= 2):
        yield _names_summary(context, unnamed, inferred)
        return
    for cookbook in unnamed:
        assert cookbook.metadata is not None
        message = (f"metadata has no `name`: Chef 12 and later refuse the cookbook (Chef 11 "
                   f"uses the folder name); add `name '{cookbook.dirname}'`")
        if old:
            message += f' (chef_version = "{config.chef_version}": a warning)'
        elif config.chef_version is None:
            message += ' (for Chef 11, set `chef_version = "11.10"` in cookbook-tool.toml)'
        yield finding("metadata-missing-name", message, cookbook.metadata.source,
                      cookbook=cookbook.dirname, relaxed=old)


def _unnamed(context: RuleContext, cookbook: Cookbook) -> bool:
    metadata = cookbook.metadata
    if metadata is None or metadata.name or "unknown:name" in metadata.lines:
        return False
    return not context.reader_rules(cookbook) & UNREADABLE_RULES


def _names_summary(context: RuleContext, unnamed: list[Cookbook], inferred: bool) -> Finding:
    shown = ", ".join(c.dirname for c in unnamed[:10]) + (", ..." if len(unnamed) > 10 else "")
    if inferred:
        why = ("no cookbook of this repository has a name, as in Chef 11 repositories (Chef 11 "
               "uses the folder name; Chef 12 and later refuse such cookbooks): set "
               '`chef_version = "11.10"` in cookbook-tool.toml to confirm, or add the names '
               "for Chef 12+")
    else:
        why = (f'chef_version = "{context.config.chef_version}" uses the folder names; Chef 12 '
               "and later refuse such cookbooks: add the names before upgrading")
    return finding(
        "metadata-missing-name",
        f"{len(unnamed)} cookbooks have no `name` in their metadata ({shown}): {why}",
        context.loaded.root, relaxed=True,
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
                if context.overrides_builtin(cookbook):
                    continue
                yield finding(
                    "cookbook-builtin-name",
                    f"{name!r} is the name of an OpsWorks built-in cookbook: a custom cookbook "
                    "with that name overrides it on the instance; rename it",
                    _metadata_file(cookbook),
                    cookbook=cookbook.dirname,
                )


def _metadata_file(cookbook: Cookbook) -> str:
    return (cookbook.metadata.source if cookbook.metadata else cookbook.path).as_posix()
