"""Findings: validation problems as data. One bad file never hides the others.

A finding never carries an AWS access key id: whatever made it (a rule quoting a `depends`
value, the metadata reader quoting a line), its message and JSON path are masked when it is
made, so no renderer can print one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from cookbook_tool.text import AWS_KEY_ID, mask_aws_key_ids


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"  # information: nothing to fix (renderers count it apart)




@dataclass(frozen=True, order=True)
class Finding:
    """One problem, with a stable rule id and where it is.

    ``file`` is a path as the user gave it (or relative to the repository); ``path`` is a JSON
    pointer where the finding concerns a JSON document.
    """

    file: str | None
    line: int | None
    column: int | None
    rule: str
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    cookbook: str | None = field(default=None, compare=False)
    path: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("message", "path"):
            value = getattr(self, name)
            if value is not None and AWS_KEY_ID.search(value):
                object.__setattr__(self, name, mask_aws_key_ids(value))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class FindingMaker(Protocol):
    """``error(rule, message, file, line, column, cookbook=..., path=...)`` and its siblings."""

    def __call__(
        self,
        rule: str,
        message: str,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        *,
        cookbook: str | None = None,
        path: str | None = None,
    ) -> Finding: ...


def _maker(severity: Severity) -> FindingMaker:
    def make(
        rule: str,
        message: str,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        *,
        cookbook: str | None = None,
        path: str | None = None,
    ) -> Finding:
        return Finding(_as_str(file), line, column, rule, severity, message, cookbook, path)

    return make


error = _maker(Severity.ERROR)
warning = _maker(Severity.WARNING)
notice = _maker(Severity.NOTICE)


def _as_str(file: str | Path | None) -> str | None:
    if file is None:
        return None
    return file.as_posix() if isinstance(file, Path) else file


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Order by file, then position, then rule; findings without a file come first."""
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.rule))
