"""The target options shared by ``publish``, ``releases``, ``rollback`` and ``prune``: ``--to``
(a configured target name, a URL or a folder) and every option of every target kind, as
``config.target_kinds`` declares them, added to each command's signature by ``with_target``.
The command receives a ``TargetRequest`` (with the current folder and the environment, which
only the CLI reads) and hands it to the core (``publish.configured.resolve_target``)."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from cookbook_tool.config.target_kinds import TargetOption, all_options

_K = inspect.Parameter.KEYWORD_ONLY

_TO = typer.Option(
    ...,
    "--to",
    help="Target: s3://BUCKET[/PREFIX], file://DIR, a directory, a "
    "Git URL, or a target name from cookbook-tool.toml.",
)


def _parameter(option: TargetOption) -> tuple[str, Any, Any]:
    """(name, type, Option) of a declared target option."""
    extra: dict[str, Any] = {}
    if option.metavar is not None:
        extra["metavar"] = option.metavar
    if option.minimum is not None:
        extra["min"] = option.minimum
    declared = typer.Option(None, option.flag, help=option.help, **extra)
    return option.field, option.type | None, declared


# --to, then every declared option, shared by the four commands: (name, type, Option).
_TARGET_PARAMETERS: list[tuple[str, Any, Any]] = [
    ("to", str, _TO),
    *(_parameter(option) for option in all_options()),
]


_OPTIONAL_TO = typer.Option(
    None,
    "--to",
    help="Target holding the versions: s3://BUCKET[/PREFIX], file://DIR, a directory, a Git "
    "URL, or a target name from cookbook-tool.toml (not needed for archives and folders).",
)


def with_target(
    command: Callable[..., None], exclude: tuple[str, ...] = (), *, to_required: bool = True
) -> Callable[..., None]:
    """Add the target options (but ``exclude``) to ``command``'s signature; it receives
    ``target: TargetRequest`` (``to`` is "" when ``--to`` is optional and not given)."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "target"]
    chosen = [(n, t, o) for n, t, o in _TARGET_PARAMETERS if n not in exclude]
    if not to_required:
        chosen[0] = ("to", str | None, _OPTIONAL_TO)
    extra = [inspect.Parameter(n, _K, default=o, annotation=t) for n, t, o in chosen]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        from cookbook_tool.publish.configured import TargetRequest  # lazy: start-up stays small

        values = {name: kwargs.pop(name) for name, _, _ in chosen}
        to = values.pop("to") or ""
        command(target=TargetRequest(to, values, Path.cwd(), dict(os.environ)), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + extra)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {k: v for k, v in command.__annotations__.items() if k != "target"}
    return wrapper
