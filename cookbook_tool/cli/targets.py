"""The target options shared by ``publish``, ``releases``, ``rollback`` and ``prune``: ``--to``
(a configured target name, a URL or a folder) and every ``TargetOptions`` field, added to each
command's signature by ``with_target``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cookbook_tool.errors import UsageError
from cookbook_tool.publish.base import TargetOptions

if TYPE_CHECKING:
    from cookbook_tool.config.load import Config

_K = inspect.Parameter.KEYWORD_ONLY

# Every TargetOptions field as an option, shared by the four commands: (name, type, Option).
_TARGET_PARAMETERS: list[tuple[str, Any, Any]] = [
    ("to", str, typer.Option(..., "--to", help="Target: s3://BUCKET[/PREFIX], file://DIR, a "
                             "directory, a Git URL, or a target name from cookbook-tool.toml.")),
    ("profile", str | None, typer.Option(None, "--profile", help="AWS profile.")),
    ("region", str | None, typer.Option(None, "--region", help="AWS region of the bucket.")),
    ("endpoint_url", str | None, typer.Option(
        None, "--endpoint-url", help="S3-compatible endpoint (default: AWS_ENDPOINT_URL).")),
    ("sse", str | None, typer.Option(None, "--sse", help="Server-side encryption: AES256 or "
                                     "aws:kms.")),
    ("sse_kms_key_id", str | None, typer.Option(None, "--sse-kms-key-id", help="KMS key for "
                                                "--sse aws:kms.")),
    ("presign_seconds", int | None, typer.Option(
        None, "--presign", metavar="SECONDS", min=1, help="Add a presigned URL valid this long.")),
    ("branch", str | None, typer.Option(None, "--branch", help="Git target: branch to push.")),
    ("ssh_key", Path | None, typer.Option(None, "--ssh-key", help="Git target: SSH key file.")),
    ("known_hosts", Path | None, typer.Option(
        None, "--known-hosts", help="Git target: known_hosts file.")),
    ("tag_pattern", str | None, typer.Option(
        None, "--tag-pattern",
        help="Git target: release tag pattern [default: {name}-{version}].")),
    ("token_env", str | None, typer.Option(
        None, "--token-env", help="Git target: environment variable holding an HTTPS token.")),
    ("author_name", str | None, typer.Option(None, "--author-name", help="Git commit author.")),
    ("author_email", str | None, typer.Option(None, "--author-email", help="Git author email.")),
    ("retention", int | None, typer.Option(
        None, "--retention", min=1, help="Releases to keep [default: the configuration's, or 5].")),
]


@dataclass(frozen=True)
class Target:
    """``--to`` and the target options as given; ``resolve()`` inside the command body."""

    to: str
    values: dict[str, Any]

    def resolve(self) -> tuple[str, TargetOptions]:
        """A configured target name (``[targets.NAME]``) or a URL/path, with its options.

        A bare word that names no configured target is a usage error (a folder is ``./x``, an
        absolute path or ``file://``), so that a typo never publishes to a new folder."""
        if is_bare_word(self.to):
            config = project_config()
            if config is not None and self.to in config.targets:
                from cookbook_tool.publish.configured import configured_target

                return configured_target(config, self.to, self.values)
            if not Path(self.to).is_dir():
                raise UsageError(unknown_target_message(self.to, config))
        given = {k: v for k, v in self.values.items() if v is not None}
        return self.to, TargetOptions(**given)


@functools.cache
def project_config() -> Config | None:
    """``cookbook-tool.toml`` at or above the current folder, None when there is none."""
    from cookbook_tool.config.load import find_config, load_config

    found = find_config(Path.cwd())
    return load_config(found) if found else None


def external_cookbooks() -> frozenset[str]:
    """Cookbooks the consumer provides (``external_cookbooks`` and presets), for verify."""
    config = project_config()
    return config.external_cookbooks | config.builtin_cookbooks if config else frozenset()


def is_bare_word(to: str) -> bool:
    """``local``, ``prod``: no ``/``, no scheme, not ``.x``/``~x``, no ``user@host:``."""
    return not (
        "/" in to or "\\" in to or "://" in to or ":" in to or "@" in to
        or to.startswith((".", "~"))
    )  # fmt: skip


def unknown_target_message(to: str, config: Config | None) -> str:
    from cookbook_tool.text import did_you_mean

    names = sorted(config.targets) if config else []
    known = (
        f"configured targets: {', '.join(names)}{did_you_mean(to, names)}"
        if names
        else "no targets are configured in cookbook-tool.toml"
    )
    return (
        f"--to {to}: not a configured target ({known}); for a folder write ./{to}, an "
        "absolute path or file://"
    )


def with_target(
    command: Callable[..., None], exclude: tuple[str, ...] = ()
) -> Callable[..., None]:
    """Add the target options (but ``exclude``) to ``command``'s signature; it receives
    ``target: Target``."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "target"]
    chosen = [(n, t, o) for n, t, o in _TARGET_PARAMETERS if n not in exclude]
    extra = [inspect.Parameter(n, _K, default=o, annotation=t) for n, t, o in chosen]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        values = {name: kwargs.pop(name) for name, _, _ in chosen}
        command(target=Target(values.pop("to"), values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=own + extra)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {k: v for k, v in command.__annotations__.items() if k != "target"}
    return wrapper
