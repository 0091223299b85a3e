"""Text helpers every layer shares: "did you mean …?" suggestions, printable file names, and
the masking of credentials (URL user information, AWS access key ids) in any text shown.

AWS access key ids: a four-letter prefix that says what the id is (``AKIA`` long-term keys,
``ASIA`` temporary ones, ``AROA`` roles, ``AIDA`` users, ``AGPA`` groups, ``AIPA``/``ANPA``/
``ANVA``/``APKA``/``ABIA``/``ACCA`` other principals) followed by exactly 16 upper-case letters
or digits: the shape AWS issues. The one rule, ``AWS_KEY_ID``, matches that shape as a whole
word (not inside a longer word, not in lower case), so that ordinary text is never masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

MASK = "***"

AWS_KEY_ID = re.compile(
    r"\b(?:AKIA|ASIA|AROA|AIDA|AGPA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}\b"
)


@cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A URL's scheme, its end and its path's start, compiled when a URL is first masked (not
    in every run that imports this module). The user information runs to the LAST "@" before
    the end of the URL (a password may hold "/", ":" or "@"), and a URL ends at whitespace, a
    quote or an angle bracket (so that the URLs in a message or in git's error output are
    found)."""
    return (re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://"), re.compile(r"[\s'\"<>]"),
            re.compile(r"[/?#]"))


# What would break a line or rearrange it when printed: C0 controls (newline, carriage return,
# escape ...), DEL, C1 controls (NEL ...), Unicode's line and paragraph separators, and the
# bidirectional overrides and isolates that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED_CONTROLS = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def closest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    from difflib import get_close_matches  # only for a typo: not imported by every run

    matches = get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    match = closest(word, choices, cutoff)
    return f" (did you mean {match!r}?)" if match else ""


def printable(text: str) -> str:
    """``text`` safe to print on one line and to put in JSON: the bytes of a non-UTF-8 file
    name (held as lone surrogates) are shown as ``\\xNN``, and control characters escaped as
    Python writes them (``\\n``, ``\\r``, ``\\t``, ``\\x1b``, ``\\u2028``), so that a file
    named ``a\\nOK: 0 error(s)`` cannot forge a line of the output."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escaped_control, text) if _CONTROL.search(text) else text


def _escaped_control(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_CONTROLS.get(char)
    if named is not None:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def mask_aws_key_ids(text: str) -> str:
    """Every AWS access key id in ``text`` replaced by ``***``."""
    return AWS_KEY_ID.sub(MASK, text)


def mask_url(text: str) -> str:
    """Hide credentials in a URL (or in a text holding URLs, such as git's error output):
    ``https://user:secret@host`` -> ``https://user:***@host``."""
    return mask_url_credentials(text, keep_user=True)


def mask_url_credentials(text: str, *, keep_user: bool = False) -> str:
    """``text`` with the user information of every URL in it masked.

    By default all of it: ``postgres://u:pw@h/db`` -> ``postgres://***@h/db``. With
    ``keep_user`` the user name stays when there is a password and the name is harmless (not an
    access key id, no ``/``): ``https://user:secret@host`` -> ``https://user:***@host``; a lone
    token (``https://token@host``) is masked whole. Linear in ``len(text)``."""
    if "@" not in text:
        return text
    scheme_re, url_end_re, _ = _url_patterns()
    out: list[str] = []
    done = 0
    for scheme in scheme_re.finditer(text):
        authority = scheme.end()
        if authority < done:
            continue  # inside the user information just masked
        found = url_end_re.search(text, authority)
        end = found.start() if found else len(text)
        at = _userinfo_end(text, authority, end)
        if at > authority:
            shown = _masked(text[authority:at], keep_user)
            out += [text[done:authority], shown]
            done = at
    return "".join(out) + text[done:]


def _userinfo_end(text: str, authority: int, end: int) -> int:
    """The index of the ``@`` that ends the user information of the URL whose authority starts
    at ``authority`` (the URL ends at ``end``); -1 when it has none. The last ``@`` of the URL
    when it comes before the path, or when a password (after a ``:``) may hold the ``/``;
    otherwise an ``@`` in the path (``https://host/a@b``) is no user information."""
    at = text.rfind("@", authority, end)
    path = _url_patterns()[2].search(text, authority, end)
    if at < 0 or path is None or at < path.start():
        return at
    if text.find(":", authority, path.start()) >= 0:
        return at
    return text.rfind("@", authority, path.start())


def _masked(userinfo: str, keep_user: bool) -> str:
    user, colon, _ = userinfo.partition(":")
    if keep_user and colon and user and "/" not in user and not AWS_KEY_ID.fullmatch(user):
        return f"{user}:{MASK}"
    if keep_user and colon:
        return f"{MASK}:{MASK}"
    return MASK
