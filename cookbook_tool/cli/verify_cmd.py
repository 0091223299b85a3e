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
    output: OutputFormat = FORMAT_OPTION,
    debug: bool = DEBUG_OPTION,
) -> None:
    """Check an archive (ours or `berks package` output) before it is deployed.

    Safe to extract, every cookbook has readable metadata, every dependency is inside, and
    with a manifest every file matches it. Exit 0 when sound, 1 with findings.

    Example:  cookbook-tool verify out/cookbooks-1.4.0.tar.gz --external apache2
    """

    def body() -> int:
        from cookbook_tool.artifact import require_archive_file
        from cookbook_tool.verify import verify_archive

        require_archive_file(bundle)
        findings = verify_archive(bundle, external=external)
        return report_findings("verify", findings, output, str(bundle), bundle=str(bundle))

    run("verify", output, debug, body)
