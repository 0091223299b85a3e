"""``cookbook-tool verify``: check that a cookbook archive is safe, complete and as recorded."""

from __future__ import annotations

from pathlib import Path

import typer

from cookbook_tool.cli.output import DEBUG_OPTION, FORMAT_OPTION, OutputFormat, report_findings, run


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)


def verify(
    bundle: Path = typer.Argument(..., help="The archive: .tar.gz, .tgz, .tar, .zip."),
    external: list[str] = typer.Option(
        [], "--external", help="A dependency the consumer provides (repeatable)."
    ),
    presets: list[str] = typer.Option(
        [],
        "--external-preset",
        metavar="NAME",
        help="Cookbooks the consumer provides, by name: opsworks-chef-11.10 (repeatable).",
    ),
    config: Path | None = typer.Option(
        None, "--config", help="Use this cookbook-tool.toml [default: the nearest one above].",
    ),
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Check an archive (ours or `berks package` output) before it is deployed.

    Safe to extract, every cookbook has readable metadata, every dependency is inside (or
    external: --external, --external-preset, or external_cookbooks / external_presets in
    cookbook-tool.toml), and with a manifest every file matches it. Exit 0 when sound, 1 with
    findings.

    Example:  cookbook-tool verify out/cookbooks-1.4.0.tar.gz --external-preset opsworks-chef-11.10
    """

    def body() -> int:
        from cookbook_tool.artifact import require_archive_file
        from cookbook_tool.verify import verify_archive

        names = _external(external, presets, config)
        require_archive_file(bundle)
        findings = verify_archive(bundle, external=names)
        return report_findings("verify", findings, output, str(bundle), bundle=str(bundle))

    run("verify", output, debug, body)


def _external(external: list[str], presets: list[str], config: Path | None) -> frozenset[str]:
    """``--external`` names, the presets' cookbooks and the configuration's external ones."""
    from cookbook_tool.cookbook.opsworks import EXTERNAL_PRESETS
    from cookbook_tool.errors import UsageError
    from cookbook_tool.text import did_you_mean

    unknown = [name for name in presets if name not in EXTERNAL_PRESETS]
    if unknown:
        known = sorted(EXTERNAL_PRESETS)
        raise UsageError(
            f"--external-preset {unknown[0]}: unknown preset{did_you_mean(unknown[0], known)} "
            f"(known: {', '.join(known)})"
        )
    names = frozenset(external).union(*(EXTERNAL_PRESETS[name] for name in presets))
    if config is None:
        from cookbook_tool.cli.targets import external_cookbooks

        return names | external_cookbooks()
    from cookbook_tool.config.load import resolve_config

    chosen = resolve_config(config, None, Path.cwd())
    return names | chosen.external_cookbooks | chosen.builtin_cookbooks
