"""Rendering for ``publish``, ``releases``, ``rollback`` and ``prune``: text for people, one
versioned JSON document for machines, and an upload progress bar on stderr."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from cookbook_tool.cli.output import JSON_DOCUMENT_VERSION, use_color
from cookbook_tool.publish.base import ConsumerInfo, ProgressCallback, PublishResult, Release


def document(command: str, **fields: Any) -> dict[str, Any]:
    return {"version": JSON_DOCUMENT_VERSION, "command": command, "ok": True, **fields}


def release_json(release: Release) -> dict[str, Any]:
    return asdict(release)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def consumer_text(consumer: ConsumerInfo) -> list[str]:
    source = json.dumps(consumer.custom_cookbooks_source, separators=(",", ":"))
    ssm = consumer.ssm_apply_chef_recipes
    lines = [
        "How consumers point at it:",
        f"  OpsWorks CustomCookbooksSource: {source}",
        "    aws opsworks update-stack --stack-id STACK_ID --use-custom-cookbooks "
        f"--custom-cookbooks-source '{source}'",
        f"  Systems Manager AWS-ApplyChefRecipes: SourceType={ssm['SourceType']} "
        f"SourceInfo='{ssm['SourceInfo']}'",
    ]
    if consumer.chef_solo:
        lines.append(f"  chef-solo: {consumer.chef_solo}")
    if "presigned_url" in consumer.extra:
        lines.append(f"  presigned URL: {consumer.extra['presigned_url']}")
    for key in ("note", "chef_solo_note", "opsworks_note"):
        if key in consumer.extra:
            lines.append(f"  note: {consumer.extra[key]}")
    return lines


def publish_text(result: PublishResult) -> str:
    if result.already_published:
        head = (
            f"already published: {result.name} {result.version} at {result.location} "
            "(same sha256), nothing uploaded"
        )
    else:
        head = (
            f"published {result.name} {result.version} to {result.location} "
            f"({human_size(result.bytes_uploaded)} uploaded)"
        )
    state = "current" if result.current else "not current (a newer release is current)"
    lines = [head, f"sha256 {result.sha256}; {state}"]
    if result.consumer:
        lines += consumer_text(result.consumer)
    return "\n".join(lines)


def releases_text(target: str, name: str, releases: list[Release], retention: int) -> str:
    if not releases:
        return f"{target}: no releases of {name}"
    lines = [f"{target}: {len(releases)} release(s) of {name}, retention {retention}"]
    for index, release in enumerate(releases):
        marks = []
        if release.current:
            marks.append("current")
        if index >= retention and not release.current:
            marks.append("prunable")
        commit = f"  commit {release.source_commit[:12]}" if release.source_commit else ""
        if release.origin:
            commit += f"  from {release.origin}"
        lines.append(
            f"{'*' if release.current else ' '} {release.version:<12} {release.published_at}  "
            f"sha256 {release.sha256[:12]}  {human_size(release.size):>10}{commit}"
            + (f"  ({', '.join(marks)})" if marks else "")
        )
    return "\n".join(lines)


def prune_plan_text(target: str, name: str, plan: list[Release], keep: int) -> str:
    if not plan:
        return f"{target}: nothing to prune for {name} (keeping the newest {keep})"
    versions = ", ".join(r.version for r in plan)
    return f"{target}: will delete {len(plan)} release(s) of {name}: {versions} (keeping {keep})"


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[ProgressCallback | None]:
    """A rich progress bar on stderr (only when ``enabled`` and stderr is a terminal), redrawn
    from the updates themselves (at most ten times a second) rather than by rich's refresh
    thread: with no thread running, ``bundle`` can validate in a forked process
    (``validate/parallel.py``)."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = Console(stderr=True, no_color=not use_color())
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task(label, total=None)
        drawn = [0.0]

        def update(done: int, total: int) -> None:
            now = time.monotonic()
            redraw = now - drawn[0] >= 0.1 or done == total
            if redraw:
                drawn[0] = now
            progress.update(task, completed=done, total=total, refresh=redraw)

        yield update
