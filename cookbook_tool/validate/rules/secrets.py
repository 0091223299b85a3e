"""Secrets that must never ship in an archive: private keys and AWS access key ids.

A private key is an error only as a complete PEM block: its header, a body of base64 long and
varied enough to be a key (at least 64 characters, the size of the smallest key, an Ed25519 one
in PKCS#8), and the matching footer, also when it sits in a quoted string with ``\\n`` escapes.
A header without that (``MIIEpAIBAAKCAQ...`` in a README, an ERB placeholder between header and
footer) is not a usable key: a warning. Findings name the file and line but never contain the
secret itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cookbook_tool.cookbook.walk import Entry
from cookbook_tool.errors import LocalError

_PRIVATE_KEY = re.compile(rb"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----")
# No lookbehind: a pattern that starts with a literal lets the regex engine skip ahead fast
# (a leading lookbehind made it ~40x slower); the character before is checked by hand.
# ``A[KS]IA`` rather than ``AKIA|ASIA``: the same ids, found in 0.6x the time.
_AWS_KEY_ID = re.compile(rb"(A[KS]IA)[A-Z0-9]{16}(?![A-Z0-9])")
_KEY_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_MAX_BLOCK = 32 << 10  # a PEM block longer than this is not one block (RSA 16384: ~13 KiB)
_PEM_HEADER_LINE = re.compile(rb"^[ \t]*[A-Za-z][A-Za-z-]*:[^\n]*$", re.MULTILINE)
_PEM_NOISE = re.compile(rb"\\[nr]|[\s\"'\\,+]")  # line escapes, quotes and joins of a string
_BASE64 = re.compile(rb"[A-Za-z0-9+/]+=*")
_MIN_BODY = 64
_MIN_DISTINCT = 16  # fewer distinct characters: a placeholder (XXXX…, AAAA…)
_CHUNK = 8 << 20
_OVERLAP = 2 * _MAX_BLOCK


def file_secrets(entry: Entry, kept: bytes | None) -> list[tuple[str, int, str]]:
    """(rule, line, message) for each secret of one file, from its ``kept`` bytes (None: a
    large file, streamed here); the message starts with the file's path in its cookbook.
    Raises ``OSError``."""
    if kept is None:
        found = list(scan_file(entry.content_path))
    elif b"PRIVATE KEY" in kept or _AWS_KEY_ID.search(kept) is not None:
        found = list(scan_bytes(kept))
    else:  # most files: two searches over the bytes, nothing else
        return []
    return [(rule, line, f"{entry.relpath}: {message}") for rule, line, message in found]


def unreadable(path: Path, exc: OSError) -> LocalError:
    """A file of a cookbook that cannot be read: the run fails (exit 3) rather than pass a file
    no rule could look at (it would ship unchecked, secrets included)."""
    why = exc.strerror or str(exc)
    return LocalError(f"{path}: cannot read this file ({why}): validate cannot check it for "
                      "secrets; fix its permissions or add it to chefignore")


def scan_bytes(data: bytes) -> Iterator[tuple[str, int, str]]:
    """(rule, line, message) for each secret in a file's bytes held in memory."""
    seen: set[tuple[str, int]] = set()
    for rule, line, message in _scan(data):
        if (rule, line) not in seen:
            seen.add((rule, line))
            yield rule, line, message


def scan_file(path: Path) -> Iterator[tuple[str, int, str]]:
    """(rule, line, message) for each secret in a file, read in chunks. Raises ``OSError``."""
    with path.open("rb") as stream:
        offset_lines = 1
        carry = b""
        seen: set[tuple[str, int]] = set()
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            final = len(chunk) < _CHUNK
            for rule, line, message in _scan(data, final):
                key = (rule, offset_lines + line - 1)
                if key not in seen:
                    seen.add(key)
                    yield rule, key[1], message
            if final:
                break  # the last chunk: no line count needed after it
            carry = data[-_OVERLAP:]
            offset_lines += data.count(b"\n", 0, len(data) - len(carry))


def _scan(data: bytes, final: bool = True) -> Iterator[tuple[str, int, str]]:
    """The secrets of ``data``; not ``final``: more of the file follows, and a key header near
    the end is left to the next chunk (which starts with this one's last ``_OVERLAP`` bytes)."""
    if b"PRIVATE KEY" in data:  # a substring test skips clean data faster than the regex
        yield from _private_keys(data, final)
    yield from _aws_key_ids(data)


def _private_keys(data: bytes, final: bool = True) -> Iterator[tuple[str, int, str]]:
    for match in _PRIVATE_KEY.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        kind = match.group(1).decode("ascii").strip() or "a"
        why = _incomplete(data, match)
        if why is None:
            yield (
                "secret-private-key",
                line,
                f"{kind} private key block: private keys must never ship in a cookbook; remove "
                "it and deliver it at run time (encrypted data bag, SSM parameter, Secrets "
                "Manager)",
            )
        elif final or match.start() < len(data) - _MAX_BLOCK:
            yield (
                "secret-private-key-fragment",
                line,
                f"{kind} private key header, but not a complete key ({why}): an example or a "
                "placeholder cannot be used as a key; if it is part of a real key, remove it",
            )


def _incomplete(data: bytes, header: re.Match[bytes]) -> str | None:
    """Why the PEM block starting at ``header`` is not a complete private key (None: it is)."""
    footer = b"-----END " + header.group(0)[len(b"-----BEGIN ") :]
    end = data.find(footer, header.end(), header.end() + _MAX_BLOCK)
    if end < 0:
        return "no matching footer"
    body = _PEM_HEADER_LINE.sub(b"", data[header.end() : end].replace(b"\\n", b"\n"))
    body = _PEM_NOISE.sub(b"", body)
    if not _BASE64.fullmatch(body):
        return "its body is not base64"
    if len(body) < _MIN_BODY or len(set(body)) < _MIN_DISTINCT:
        return "its body is too short or a placeholder"
    return None


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
