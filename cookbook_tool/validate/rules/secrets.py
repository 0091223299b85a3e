"""Secrets that must never ship in an archive: private keys and AWS access key ids.

Findings name the file and line but never contain the secret itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.findings import Finding
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.registry import finding

_PRIVATE_KEY = re.compile(rb"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----")
# No lookbehind: a pattern that starts with a literal lets the regex engine skip ahead fast
# (a leading lookbehind made it ~40x slower); the character before is checked by hand.
_AWS_KEY_ID = re.compile(rb"(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_KEY_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_CHUNK = 8 << 20
_OVERLAP = 64


def check_secrets(context: RuleContext, of: Cookbook) -> Iterator[Finding]:
    walked = context.files_of(of)
    for entry in walked.shipped():
        if not entry.is_file_like:
            continue
        try:
            kept = walked.content(entry)
        except OSError:
            continue  # reported by the file rules
        found = scan_file(entry.content_path) if kept is None else scan_bytes(kept)
        for rule, line, message in found:
            yield finding(rule, f"{entry.relpath}: {message}", entry.path, line,
                          cookbook=of.dirname)


def scan_bytes(data: bytes) -> Iterator[tuple[str, int, str]]:
    """(rule, line, message) for each secret in a file's bytes held in memory."""
    seen: set[tuple[str, int]] = set()
    for rule, line, message in _scan(data):
        if (rule, line) not in seen:
            seen.add((rule, line))
            yield rule, line, message


def scan_file(path: Path) -> Iterator[tuple[str, int, str]]:
    """(rule, line, message) for each secret in a file, read in chunks."""
    try:
        stream = path.open("rb")
    except OSError:
        return
    with stream:
        offset_lines = 1
        carry = b""
        seen: set[tuple[str, int]] = set()
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            for rule, line, message in _scan(data):
                key = (rule, offset_lines + line - 1)
                if key not in seen:
                    seen.add(key)
                    yield rule, key[1], message
            if len(chunk) < _CHUNK:
                break  # the last chunk: no line count needed after it
            carry = data[-_OVERLAP:]
            offset_lines += data.count(b"\n", 0, len(data) - len(carry))


def _scan(data: bytes) -> Iterator[tuple[str, int, str]]:
    if b"PRIVATE KEY" in data:  # a substring test skips clean data faster than the regex
        yield from _private_keys(data)
    yield from _aws_key_ids(data)


def _private_keys(data: bytes) -> Iterator[tuple[str, int, str]]:
    for match in _PRIVATE_KEY.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        kind = match.group(1).decode("ascii").strip() or "a"
        yield (
            "secret-private-key",
            line,
            f"{kind} private key block: private keys must never ship in a cookbook; remove "
            "it and deliver it at run time (encrypted data bag, SSM parameter, Secrets Manager)",
        )


def _aws_key_ids(data: bytes) -> Iterator[tuple[str, int, str]]:
    for match in _AWS_KEY_ID.finditer(data):
        if match.start() and data[match.start() - 1] in _KEY_CHARS:
            continue  # part of a longer upper-case word, not a key id
        line = data.count(b"\n", 0, match.start()) + 1
        prefix = match.group(1).decode("ascii")
        yield (
            "secret-aws-access-key",
            line,
            f"AWS access key id ({prefix}…, not shown): remove it, rotate the key, and use an "
            "instance role instead",
        )
