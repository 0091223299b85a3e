"""Secret values in JSON documents: which keys hold them, which values are secrets by their
shape, and how to print around them. ``docs/schemas.md`` ("Secrets") states the rules.

**Keys.** A key is split into words at separators (``_ - . space``) and case changes
(``DBPassword`` -> db, password; ``privateSSHKey`` -> private, ssh, key) and lower-cased. It
names a secret when its letters hold ``password``, ``passphrase``, ``passwd``, ``secret``,
``token``, ``credential`` or ``authorization`` (``dbpassword``, ``passwords``, ``tokens``); when a
word is ``pw``, ``pwd`` or ``pass`` (``DB_PW``, ``db_pass``; ``bypass`` and ``passenger`` are
no secrets); when a word is ``key``/``keys`` after one of the words of :data:`_KEY_KINDS`
(``ssh``, ``api``, ``ssl``, ``private``, ...) or a word ends in such a key (``APIKey``,
``sshkey``); or when the key is just ``key``. A key whose last word names where a secret lives
rather than the secret (``_path``, ``_file``, ``_env``, ``_id``, ``_name``, ``_url``, ...) is no
secret: ``ssl_key_path`` shows a file name, which helps and leaks nothing.

**Values.** Whatever the key, these parts of a string are secrets: a PEM private key block
(certificates are public and shown), the password of ``user:password@host`` (with or without
a scheme), the credentials after ``Bearer``/``Basic`` (a token of six characters or more with
a digit, a sign or a capital after its first letter: "Basic authentication" stays), and the
value of an assignment whose name names a secret (``Password=...;`` in a connection string,
``DB_PASSWORD=...``, ``api_key: ...``, ``?token=...``). Template references (``{{...}}``,
``${...}``, ``<%...%>``) are no secrets.

Secret values are never printed: a value under a secret key renders as ``"***"``, a secret
part of a string as ``***``, in text and JSON output alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from cookbook_tool.text import MASK, mask_url_credentials

_RENDER_LIMIT = 60

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_LETTERS = ("password", "passphrase", "passwd", "secret", "token", "credential",
                   "authorization")
_SECRET_WORDS = frozenset({"pw", "pwd", "pass", "pword"})
_KEY_KINDS = frozenset({
    "ssh", "api", "access", "secret", "private", "deploy", "encryption", "signing", "ssl", "tls",
    "certificate", "license", "auth", "master", "client", "session", "app", "account",
    "storage", "customer", "rsa", "dsa", "ecdsa", "gpg", "pgp", "host", "server", "jwt", "hmac",
})
# The last word of a key that *names* a secret's location rather than holds it.
_LOCATION_WORDS = frozenset({
    "env", "file", "files", "path", "paths", "dir", "id", "ids", "name", "names", "type", "url",
    "uri", "arn", "fingerprint", "length", "size", "format", "algorithm", "version", "enabled",
})
_PLACEHOLDER = re.compile(r"^\s*(?:\{\{.*\}\}|\$\{.*\}|<%.*%>|\$[A-Z_][A-Z0-9_]*|\*+)\s*$",
                          re.DOTALL)

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}|<%.*?%>", re.DOTALL)
_PEM = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----"
                  r"(?:.*?-----END \1-----|.*)", re.DOTALL)
_USERINFO = re.compile(r"(?<![\w.%+-])[\w.%+-]+:(?P<secret>[^\s@/:]+)@(?=[\w-])")
_SCHEME_AUTH = re.compile(r"\b(?P<scheme>Bearer|bearer|BEARER|Basic|BASIC)\s+"
                          r"(?P<secret>(?=[A-Za-z]*[0-9._~+/=-]|[A-Za-z][a-z]*[A-Z])[A-Za-z0-9._~+/=-]{6,})")
_SCHEMES = frozenset({"bearer", "basic"})
_ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_.-]*)[ \t]*(?P<op>=|:)[ \t]*"
                         r"(?P<secret>[^\s;&,'\"?=]+)")


def key_words(key: str) -> list[str]:
    """``privateSSHKey`` / ``ssh-key`` / ``SSH_KEY`` -> their words, lower case."""
    return [w.lower() for w in _WORD.findall(key)]


def normalise_key(key: str) -> str:
    """``privateSSHKey`` / ``ssh-key`` / ``SSH_KEY`` -> snake case, lower case."""
    return "_".join(key_words(key))


def is_secret_key(key: str | int) -> bool:
    if not isinstance(key, str):
        return False
    words = key_words(key)
    if not words or words[-1] in _LOCATION_WORDS:
        return False
    letters = "".join(words)
    if any(part in letters for part in _SECRET_LETTERS):
        return True
    if words == ["key"] or _SECRET_WORDS.intersection(words):
        return True
    return any(_names_a_key(words, i) for i in range(len(words)))


def _names_a_key(words: list[str], i: int) -> bool:
    word = words[i]
    for ending in ("keys", "key"):
        if word.endswith(ending):
            kind = word[: -len(ending)]
            return kind in _KEY_KINDS if kind else any(w in _KEY_KINDS for w in words[:i])
    return False


def mask_credentials(text: str) -> str:
    """``text`` with every part that is a secret by its shape masked (see the module's
    docstring): PEM private keys, URL and ``user:password@host`` credentials, ``Bearer``
    tokens, secret assignments."""
    if "-----BEGIN" in text:
        text = _PEM.sub(MASK, text)
    if "@" in text:
        text = mask_url_credentials(text)
        text = _USERINFO.sub(lambda m: _masked_group(m, "secret"), text)
    if "Bearer" in text or "bearer" in text or "BEARER" in text or "Basic" in text \
            or "BASIC" in text:
        text = _SCHEME_AUTH.sub(lambda m: f"{m['scheme']} {MASK}", text)
    if "=" in text or ":" in text:
        text = _ASSIGNMENT.sub(_masked_assignment, text)
    return text


def _masked_group(match: re.Match[str], group: str) -> str:
    start, end = match.span(group)
    whole = match.string
    return whole[match.start() : start] + MASK + whole[end : match.end()]


def _masked_assignment(match: re.Match[str]) -> str:
    value = match["secret"]
    if not is_secret_key(match["name"]) or value == MASK or value.lower() in _SCHEMES:
        return match.group(0)  # "Authorization: Bearer ***" keeps its scheme
    return _masked_group(match, "secret")


def secret_shapes(text: str) -> list[str]:
    """What secrets ``text`` holds by its shape, in words (placeholders such as
    ``${DB_PASSWORD}`` or ``{{ssm-secure:x}}`` are none)."""
    text = _TEMPLATE.sub("", text)
    found = []
    if "-----BEGIN" in text and _PEM.search(text):
        found.append("a private key")
    if "@" in text and any(not is_placeholder(m["secret"]) for m in _USERINFO.finditer(text)):
        found.append("a password in user:password@host")
    if any(not is_placeholder(m["secret"]) for m in _SCHEME_AUTH.finditer(text)):
        found.append("an authorization credential")
    if any(is_secret_key(m["name"]) and not is_placeholder(m["secret"])
           for m in _ASSIGNMENT.finditer(text)):
        found.append("a secret assignment")
    return found


def is_secret_path(path: tuple[str | int, ...]) -> bool:
    """Whether the value at this JSON path is (inside) a secret."""
    return any(is_secret_key(part) for part in path)


def mask_value(value: object) -> object:
    """A copy of ``value`` with every value under a secret key replaced by ``"***"`` and the
    credentials of URLs in strings (values and keys) masked."""
    if isinstance(value, dict):
        return {mask_credentials(k) if isinstance(k, str) else k:
                MASK if is_secret_key(k) else mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, str):
        return mask_credentials(value)
    return value


def render(value: object, secret: bool = False) -> str:
    """A short JSON rendering of an instance for messages; ``"***"`` for secrets."""
    if secret:
        return json.dumps(MASK)
    if not isinstance(value, (dict, list, str, int, float, bool, type(None))):
        # not JSON: a TOML date, for instance
        return mask_credentials(f"{value} ({type(value).__name__})")
    text = json.dumps(mask_value(value), ensure_ascii=False, default=str)
    if len(text) > _RENDER_LIMIT:
        text = text[: _RENDER_LIMIT - 1] + "…"
    return text


def is_placeholder(value: str) -> bool:
    """Empty strings and template references (``{{ssm-secure:x}}``, ``${X}``) are no secrets."""
    return not value.strip() or _PLACEHOLDER.match(value) is not None


def plaintext_secrets(
    document: object,
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """``(path, what)`` of every non-empty string held in plaintext under a secret key, and of
    every string holding a secret by its shape (``what``: "a private key", ...; "" for a
    secret key's value)."""
    stack: list[tuple[tuple[str | int, ...], object]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if is_secret_key(key) and isinstance(child, str):
                    if not is_placeholder(child):
                        yield (*path, key), ""
                else:
                    stack.append(((*path, key), child))
        elif isinstance(value, list):
            stack.extend(((*path, i), child) for i, child in enumerate(value))
        elif isinstance(value, str):
            shapes = secret_shapes(value)
            if shapes:
                yield path, " and ".join(shapes)
