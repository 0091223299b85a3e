"""Strict JSON reading that knows where every value is.

The fast path is the standard library's C parser with hooks that notice duplicate keys and
``NaN``/``Infinity``. A finding's place (line and column of a value or key) is found along its
path only (:mod:`locator`, C-speed steps); the small pure-Python indexer of every position runs
only for files with reader problems (duplicates, NaN, depth), so valid files cost no more than
``json.loads``.

Refused, as problems rather than exceptions: empty files, invalid UTF-8, syntax errors,
duplicate keys, ``NaN``/``Infinity``, numbers that cannot be checked (more than 4,300 digits,
or beyond a float's range like ``1e999999``), nesting deeper than ``max_depth`` and files
larger than ``max_bytes`` (checked before reading, so never a ``MemoryError`` or
``RecursionError``). A UTF-8 byte order mark is accepted. The depth of a parsed document is
checked at Rust speed (:mod:`nesting`); only a file that is broken or too deep is indexed.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cookbook_tool.customjson.locator import locate_offsets
from cookbook_tool.customjson.nesting import within
from cookbook_tool.customjson.secrets import render
from cookbook_tool.errors import LocalError
from cookbook_tool.metadata.jsonindex import (
    MAX_DEPTH,
    Indexer,
    Pointer,
    PositionIndex,
    Stop,
    int_digits_limit,
    number_problem,
)

MAX_BYTES = 10 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"

__all__ = ["JsonDocument", "Pointer", "Problem", "ReadResult", "parse_json_bytes", "read_json_file"]


@dataclass(frozen=True)
class Problem:
    """Why a file could not be read as strict JSON, and where."""

    rule: str
    message: str
    line: int | None = None
    column: int | None = None
    path: Pointer | None = None


class JsonDocument:
    """A parsed document, its text, and (on demand) where each of its values is."""

    def __init__(self, value: object, text: str, size: int, max_depth: int = MAX_DEPTH) -> None:
        self.value = value
        self.text = text
        self.size = size
        self._max_depth = max_depth
        self._index: PositionIndex | None = None
        self._lines: list[int] | None = None

    @property
    def index(self) -> PositionIndex:
        if self._index is None:
            self._index = Indexer(self.text, self._max_depth).run()
        return self._index

    def line_column(self, offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        return line + 1, offset - start + 1

    def locate(self, path: Pointer) -> tuple[int | None, int | None]:
        """Line and column of the value at ``path`` (of its nearest located ancestor)."""
        if self._index is None:
            found = locate_offsets(self.text, path)
            if found is not None:
                return self.line_column(found[1])
        values = self.index.values
        for end in range(len(path), -1, -1):
            offset = values.get(path[:end])
            if offset is not None:
                return self.line_column(offset)
        return None, None

    def locate_key(self, path: Pointer) -> tuple[int | None, int | None]:
        """Line and column of the key naming the value at ``path``."""
        if self._index is None:
            found = locate_offsets(self.text, path)
            if found is not None:
                levels, value, key = found
                if levels == len(path) and key is not None:
                    return self.line_column(key)
                return self.line_column(value)
        offset = self.index.keys.get(path)
        return self.line_column(offset) if offset is not None else self.locate(path)


@dataclass
class ReadResult:
    document: JsonDocument | None
    problems: list[Problem]


# Whether a parsed value (read from these bytes) nests at most so many levels; False may also
# mean "not proven" (the exact pass then decides).
Within = Callable[[object, bytes, int], bool]


def read_json_file(
    path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
    within_depth: Within = within,
) -> ReadResult:
    """Read ``path`` strictly. OS errors (missing, unreadable) and anything but a regular file
    (a folder, a FIFO, a device such as ``/dev/zero``) raise ``LocalError``; a FIFO is opened
    without waiting for a writer and never read. ``within_depth`` checks the depth of the
    parsed document: :func:`nesting.within` unless the caller checks it together with more
    (``check_file``: with the schema's fast pass, one Rust walk)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError as exc:
        raise LocalError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(descriptor)
        kind = special_kind(mode.st_mode)
        if kind is not None:
            raise LocalError(f"{path}: is {kind}, not a JSON file")
        if mode.st_size > max_bytes:
            return ReadResult(None, [_too_large(mode.st_size, max_bytes)])
        data = _read_all(descriptor, mode.st_size, max_bytes + 1)
    except OSError as exc:
        raise LocalError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(descriptor)
    return parse_json_bytes(data, max_bytes=max_bytes, max_depth=max_depth,
                            within_depth=within_depth)


def _read_all(descriptor: int, size: int, limit: int) -> bytes:
    """Up to ``limit`` bytes; one read when the file still has the ``size`` it had when opened."""
    first = os.read(descriptor, min(size + 1, limit))
    if len(first) <= size:
        return first
    chunks, limit = [first], limit - len(first)
    while limit > 0:  # it grew since: read on, up to the limit
        chunk = os.read(descriptor, limit)
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _too_large(size: int, max_bytes: int) -> Problem:
    return Problem(
        "json-too-large", f"file is {size:,} bytes; refusing JSON larger than {max_bytes:,} bytes"
    )


def parse_json_bytes(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
    within_depth: Within = within,
) -> ReadResult:
    if len(data) > max_bytes:
        return ReadResult(None, [_too_large(len(data), max_bytes)])
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip(b" \t\r\n"):
        return ReadResult(None, [Problem("json-empty", "file is empty; expected a JSON value")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ReadResult(None, [_encoding_problem(data, exc)])
    document = JsonDocument(None, text, len(data), max_depth)
    result = _parse_text(document)
    deep = result.document is None or not within_depth(result.document.value, data, max_depth)
    if deep:  # broken or too deep: the exact pass says where (too deep wins over syntax)
        stop = document.index.stop
        if stop is not None and stop.rule == "json-too-deep":
            return ReadResult(None, [_stop_problem(document, stop)])
    return result


def _encoding_problem(data: bytes, exc: UnicodeDecodeError) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
    return Problem(
        "json-encoding",
        f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); JSON files must be UTF-8",
        line,
        column,
    )


def _stop_problem(document: JsonDocument, stop: Stop) -> Problem:
    line, column = document.line_column(stop.offset)
    return Problem(stop.rule, stop.message, line, column)


def _parse_text(document: JsonDocument) -> ReadResult:
    flags: set[str] = set()
    try:
        document.value = _loads(document.text, flags)
    except json.JSONDecodeError as exc:
        return ReadResult(None, [_syntax_problem(document.text, exc)])
    except RecursionError:
        return ReadResult(None, [Problem("json-too-deep", "nesting too deep to read")])
    problems = _flagged_problems(document) if flags else []
    return ReadResult(document, problems)


def _loads(text: str, flags: set[str]) -> object:
    """``json.loads`` noting duplicate keys, NaN/Infinity and numbers that cannot be checked
    in ``flags``; the latter are held as floats (never a huge int: printing one raises)."""

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        result = dict(items)
        if len(result) != len(items):
            flags.add("duplicate")
        return result

    def constant(token: str) -> float:
        flags.add("constant")
        return float(token)

    def real(token: str) -> float:
        value = float(token)
        if math.isinf(value):
            flags.add("number")
        return value

    def integer(token: str) -> int | float:
        if number_problem(token) is not None:
            flags.add("number")
            return float(token)
        return int(token)

    def load(parse_int: Callable[[str], int | float] | None) -> object:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant,
                          parse_float=real, parse_int=parse_int)

    # Fast path: the C parser converts integers, raising ValueError past the interpreter's
    # limit; read again noting long integers then, or from the start if its limit is not ours.
    if int_digits_limit() != sys.get_int_max_str_digits():
        return load(integer)
    try:
        return load(None)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return load(integer)


def _syntax_problem(text: str, exc: json.JSONDecodeError) -> Problem:
    message, offset = exc.msg, exc.pos
    before = text[: exc.pos].rstrip(" \t\r\n")
    following = text[exc.pos : exc.pos + 1]
    if before.endswith(",") and following in ("}", "]"):
        message, offset = f"trailing comma before {following!r}", len(before) - 1
    elif following == "'":
        message = "strings and keys must use double quotes"
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Problem("json-syntax", f"invalid JSON: {message}", line, column)


def _flagged_problems(document: JsonDocument) -> list[Problem]:
    index = document.index
    problems = []
    for path, offset, first in index.duplicates:
        line, column = document.line_column(offset)
        first_line, _ = document.line_column(first)
        problems.append(
            Problem(
                "json-duplicate-key",
                f"duplicate key {render(path[-1])} (first on line "
                f"{first_line}); JSON readers silently keep only the last one",
                line,
                column,
                path,
            )
        )
    for path, offset, token in index.constants:
        line, column = document.line_column(offset)
        problems.append(
            Problem(
                "json-invalid-number",
                f"{token} is not valid JSON; use a number or null",
                line,
                column,
                path,
            )
        )
    for path, offset, message in index.numbers:
        line, column = document.line_column(offset)
        problems.append(Problem("json-invalid-number", message, line, column, path))
    return problems
