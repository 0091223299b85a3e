"""``SOURCE_DATE_EPOCH`` (reproducible-builds.org): one rule for every timestamp cookbook-tool
writes (tar headers, zip entries, git commits). The CLI reads the variable and passes the value.
"""

from __future__ import annotations

from cookbook_tool.errors import UsageError

_LIMIT = 8**11  # the largest mtime a ustar header holds, and far beyond any commit date


def source_date_epoch(value: str | None) -> int | None:
    """The seconds since 1970 ``value`` gives; None when unset or blank (the caller's default
    applies). Raises ``UsageError`` for anything but a whole number in range."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isdecimal() or not text.isascii():
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970")
    seconds = int(text)
    if seconds >= _LIMIT:
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is out of range for a tar header")
    return seconds
