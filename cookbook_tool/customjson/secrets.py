"""Secret values in JSON documents: which keys hold them, and how to print around them.

A value is secret when any key on its path looks like a secret's name (``password``,
``ssh_key``, ``ssl_certificate_key``, ``secret*``, ``*token*``, ``aws_secret_access_key``,
``*_key`` for private/API/access keys, ...). Secret values are never printed: they render as
``"***"``, in text and JSON output alike. Credentials inside URLs (``scheme://user:pw@host``)
are masked in every string shown in a message, whatever its key: ``scheme://***@host``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from cookbook_tool.text import MASK, mask_url_credentials

# URL credentials in messages: the whole user information is masked (``scheme://***@host``).
mask_credentials = mask_url_credentials
_RENDER_LIMIT = 60

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SECRET_NAME = re.compile(
    r"""
    (?:^|_)(?:password|passwd|passphrase|pwd|pass)(?:_|$)
    | secret | token | credential | private
    | (?:^|_)(?:ssh|api|access|secret|deploy|encryption|signing|ssl_certificate|license|auth
              |master|client|session|app|account|storage|sse_customer)_key(?:_|$)
    | ^key$
    """,
    re.VERBOSE,
)
# Keys that *name* a secret's location rather than hold it.
_NOT_SECRET_SUFFIX = ("_env", "_file", "_path", "_id", "_name", "_type", "_url")
_PLACEHOLDER = re.compile(r"^\s*(?:\{\{.*\}\}|\$\{.*\}|<%.*%>|\*+)\s*$", re.DOTALL)


def normalise_key(key: str) -> str:
    """``privateSSHKey`` / ``ssh-key`` / ``SSH_KEY`` -> snake case, lower case."""
    return _CAMEL.sub("_", key).replace("-", "_").lower()


def is_secret_key(key: str | int) -> bool:
    if not isinstance(key, str):
        return False
    name = normalise_key(key)
    if name.endswith(_NOT_SECRET_SUFFIX):
        return False
    return _SECRET_NAME.search(name) is not None


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
    """``(path, key)`` of every non-empty string held in plaintext under a secret key."""
    stack: list[tuple[tuple[str | int, ...], object]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                if is_secret_key(key) and isinstance(child, str):
                    if not is_placeholder(child):
                        yield (*path, key), key
                else:
                    stack.append(((*path, key), child))
        elif isinstance(value, list):
            stack.extend(((*path, i), child) for i, child in enumerate(value))
