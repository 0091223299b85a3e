"""``cookbook-tool verify``: check that a cookbook archive is safe, complete and as recorded."""

from __future__ import annotations

from pathlib import Path

import typer

from cookbook_tool.cli.output import (
    DEBUG_OPTION,
    EXTERNAL_OPTION,
    EXTERNAL_PRESET_OPTION,
    FORMAT_OPTION,
    OutputFormat,
    report_findings,
    run,
)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)


def verify(
    bundle: Path = typer.Argument(..., help="The archive: .tar.gz, .tgz, .tar, .zip."),
    external: list[str] = EXTERNAL_OPTION,
    presets: list[str] = EXTERNAL_PRESET_OPTION,
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
    findings, 3 when the file cannot be read. The rules: docs/bundle.md, "Verify rules".

    Example:  cookbook-tool verify out/cookbooks-1.4.0.tar.gz --external-preset opsworks-chef-11.10
    """

    def body() -> int:
        from cookbook_tool.verify import verify_bundle_file

        findings = verify_bundle_file(
            bundle, Path.cwd(), external=external, presets=presets, config=config
        )
        return report_findings("verify", findings, output, str(bundle), bundle=str(bundle))

    run("verify", output, debug, body)
