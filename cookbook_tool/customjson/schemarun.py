"""``validate --schema SCHEMA PATH...`` as one core call: the files (folders expanded by
:mod:`inputs`) checked against one schema, with the configuration of the repository holding
them (for ``[secrets] warn_plaintext``).

It needs nothing of the cookbook checks, so it imports none of them: a pre-commit hook or a CI
job checking a thousand stack files starts in the time the JSON checks need, not the time the
Ruby parser and the cookbook rules take to import.

A symbolic link named on the command line is checked where it lies; a dangling one (broken, or
a loop) is a ``symlink-broken``/``symlink-loop`` error finding, as in every other ``validate``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.config.load import Config, resolve_config
from cookbook_tool.cookbook.discovery import Discoveries, group_by_repository
from cookbook_tool.customjson.check import check_json_files
from cookbook_tool.customjson.inputs import Inputs, expand_inputs
from cookbook_tool.findings import Finding, error, sort_findings


@dataclass
class SchemaRun:
    findings: list[Finding] = field(default_factory=list)
    checked: list[Path] = field(default_factory=list)
    config: Config | None = None  # the configuration of the first repository

    @property
    def summary(self) -> str:
        return f"{len(self.checked)} JSON file(s) checked"


def check_against_schema(
    paths: Sequence[Path], schema: str, *, cwd: Path, config_path: Path | None = None
) -> SchemaRun:
    """Check ``paths`` (relative to ``cwd``) against ``schema``: a built-in name, an ``$id``,
    or a schema file (relative to ``cwd``)."""
    own = cwd / schema
    ref = str(own) if own.is_file() else schema
    inputs = expand_inputs(paths, cwd, own if own.is_file() else None)  # each one exists
    groups, regular = _by_repository(inputs)
    run = SchemaRun()
    for root, members in groups.items():
        config = resolve_config(config_path, root, cwd)
        run.config = run.config or config
        dangling = {m for m in members if id(m) not in regular and _dangling(m)}
        readable = [m for m in members if m not in dangling]
        run.findings += [dangling_finding(m) for m in sorted(dangling)]
        if readable:
            result = check_json_files(
                readable, schema=ref, mappings=(), base_dir=config.base_dir or root,
                warn_plaintext_secrets=config.warn_plaintext_secrets,
            )
            run.findings += result.findings
            run.checked += result.checked
    run.findings = sort_findings(run.findings)
    return run


def _by_repository(inputs: Inputs) -> tuple[dict[Path, list[Path]], set[int]]:
    """``group_by_repository`` of the files, asked once per folder for the regular files of
    that folder (a regular file belongs where its folder does: the result is the same), and
    the ids of the paths seen to be regular files."""
    groups: dict[Path, list[Path]] = {}
    regular: set[int] = set()
    folders: dict[str, tuple[Path, Path | None]] = {}  # a folder as given -> its root, where
    # it is (None: where it is named, so a file's own path is where it lies)
    discovered = Discoveries()
    for path in inputs.files:
        text = str(path)
        folder, name = os.path.split(text)
        known = folders.get(folder) if text in inputs.regular else None
        if known is not None:
            location = path if known[1] is None else known[1] / name
            groups[known[0]].append(location)
            regular.add(id(location))
            continue
        for root, located in group_by_repository([path], discovered).items():
            groups.setdefault(root, []).extend(located)
            if text in inputs.regular:
                where = located[0].parent
                folders[folder] = (root, None if str(where) == folder else where)
                regular.add(id(located[0]))
    return groups, regular


def _dangling(path: Path) -> bool:
    """A symbolic link that leads nowhere (``group_by_repository`` keeps links as named)."""
    try:
        os.stat(path)
    except OSError:
        try:
            return path.is_symlink()  # else unreadable: reading it says why
        except OSError:
            return False
    return False


def dangling_finding(path: Path) -> Finding:
    """``symlink-loop`` or ``symlink-broken`` for a JSON file that is a link leading nowhere."""
    try:
        os.stat(path)
        loop = False
    except OSError as exc:
        loop = exc.errno == errno.ELOOP
    if loop:
        return error("symlink-loop", "symlink loop: the JSON file cannot be read", path)
    return error("symlink-broken", "broken symlink: the JSON file cannot be read", path)
