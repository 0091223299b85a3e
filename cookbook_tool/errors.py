"""Failures of a run (as opposed to findings, which are data): one root class, exit codes."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_LOCAL = 3
EXIT_REMOTE = 4
EXIT_UNEXPECTED = 70


class ToolError(Exception):
    """Root of every error the tool reports to a user: a one-line, actionable message."""

    exit_code = EXIT_UNEXPECTED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(ToolError):
    """The command line or configuration asks for something impossible."""

    exit_code = EXIT_USAGE


class LocalError(ToolError):
    """A local problem: unreadable input, bad schema, missing credentials, bad config."""

    exit_code = EXIT_LOCAL


class RemoteError(ToolError):
    """A remote problem: refused push, S3 error, unreachable server."""

    exit_code = EXIT_REMOTE


class ReleaseConflict(RemoteError):
    """A version already exists at the target with different content."""
