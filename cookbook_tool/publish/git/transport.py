"""How cookbook-tool talks to a Git remote: target URLs, the environment git runs in
(credentials, no prompts), and the translation of git's failures into one actionable line.

Everything secret travels in the environment of the ``git`` child process (``GIT_SSH_COMMAND``,
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``): nothing is written to disk, nothing appears on a
command line, and every message passes through ``GitTarget.scrub`` before it is shown.
"""

from __future__ import annotations

import base64
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cookbook_tool.errors import LocalError, RemoteError, UsageError
from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.text import mask_url

DEFAULT_BRANCH = "cookbooks"
_PASSWORD = re.compile(r"^([a-z0-9+.-]+://[^:@/]+):[^@/]*@", re.IGNORECASE)
_SCHEMES = ("ssh", "https", "http", "file", "git")
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)")
_BAD_REF = re.compile(
    r"(^[-/.])|(\.\.)|([\s~^:?*\[\\\x00-\x1f\x7f])|(@\{)|(/\.)|(\.lock$)|(/$)|(//)"
)

# Variables that point git at a repository; a parent git (a hook) may have set them, and they
# would make our commands act on the user's checkout instead of the temporary repository.
LOCAL_GIT_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_SHALLOW_FILE",
        "GIT_GRAFT_FILE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_PREFIX",
        "GIT_NAMESPACE",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_QUARANTINE_PATH",
    }
)


def check_ref_name(kind: str, name: str) -> str:
    """``name`` if it is a valid Git ref component path; ``UsageError`` otherwise."""
    if not name or _BAD_REF.search(name):
        raise UsageError(f"{kind} {name!r} is not a valid Git ref name")
    return name


@dataclass(frozen=True)
class GitTarget:
    """A parsed Git target. ``url`` is what git is given; ``display`` is safe to print."""

    url: str
    display: str
    branch: str
    scheme: str
    secrets: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def scrub(self, text: str) -> str:
        """``text`` with URL credentials masked and every known secret removed."""
        text = mask_url(text)
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    @property
    def consumer_url(self) -> str:
        """The URL a consumer (OpsWorks, SSM) clones: no ``git+``, no fragment, no password."""
        return _PASSWORD.sub(r"\g<1>@", self.url)


def parse_target(url: str, branch: str | None) -> GitTarget:
    """Split ``git+ssh://host/path.git#branch`` (and the other forms) into a ``GitTarget``."""
    raw, _, fragment = url.partition("#")
    raw = raw.removeprefix("git+")
    if branch and fragment and branch != fragment:
        raise UsageError(
            f"{mask_url(url)}: the URL names branch {fragment!r} but --branch says {branch!r}"
        )
    chosen = check_ref_name("branch", branch or fragment or DEFAULT_BRANCH)
    if "://" in raw:
        scheme = raw.split("://", 1)[0].lower()
    elif _SCP_LIKE.match(raw):
        scheme = "ssh"
    else:
        raise UsageError(f"{mask_url(url)}: not a Git URL")
    if scheme not in _SCHEMES:
        raise UsageError(
            f"{mask_url(url)}: Git targets use ssh, https, http, file or git URLs, not {scheme}"
        )
    password = urlsplit(raw).password if "://" in raw else None
    return GitTarget(raw, mask_url(raw), chosen, scheme, (password,) if password else ())


@dataclass(frozen=True)
class GitSetup:
    """The environment of every git child process, and the target with its secrets."""

    target: GitTarget
    env: dict[str, str]
    own_ssh_command: bool = False  # GIT_SSH_COMMAND is ours (not the user's): may be extended


def git_setup(target: GitTarget, options: TargetOptions, environ: dict[str, str]) -> GitSetup:
    """Build git's environment: prompts off, credentials from the options, our own config."""
    env = {key: value for key, value in environ.items() if key not in LOCAL_GIT_VARIABLES}
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",  # fail instead of asking for a user name / password
            "GIT_ASKPASS": "",  # an empty value disables every askpass program
            "SSH_ASKPASS": "",
            "GCM_INTERACTIVE": "never",
            "LC_ALL": "C",  # git's messages in English: they are parsed
            "LANGUAGE": "C",
        }
    )
    config = [
        ("remote.origin.url", target.url),
        ("tag.gpgSign", "false"),
        ("push.gpgSign", "false"),
        ("gc.auto", "0"),
        ("http.lowSpeedLimit", "1"),
        ("http.lowSpeedTime", "60"),
    ]
    ssh_command = _ssh_command(target, options, environ)
    if ssh_command:
        env["GIT_SSH_COMMAND"] = ssh_command
    secrets = list(target.secrets)
    if options.token_env:
        header, token = _token_header(target, options.token_env, environ)
        config.append((f"http.{_http_base(target.url)}.extraHeader", header))
        secrets += [token, header.split()[-1]]
    env["GIT_CONFIG_COUNT"] = str(len(config))
    for index, (key, value) in enumerate(config):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    scrubbed = GitTarget(target.url, target.display, target.branch, target.scheme, tuple(secrets))
    return GitSetup(scrubbed, env, bool(ssh_command) and target.scheme == "ssh")


def _ssh_command(target: GitTarget, options: TargetOptions, environ: dict[str, str]) -> str | None:
    """``GIT_SSH_COMMAND`` for the options: a deploy key used alone, host keys checked."""
    if options.ssh_key is None and options.known_hosts is None:
        if environ.get("GIT_SSH_COMMAND") or environ.get("GIT_SSH"):
            return None  # the user's own ssh set-up
        return "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes"
    if target.scheme != "ssh":
        raise UsageError("--ssh-key and --known-hosts apply to SSH targets only")
    words = ["ssh"]
    if options.ssh_key is not None:
        _readable(options.ssh_key, "--ssh-key")
        words += ["-i", str(options.ssh_key), "-o", "IdentitiesOnly=yes"]
    if options.known_hosts is not None:
        _readable(options.known_hosts, "--known-hosts")
        words += ["-o", f"UserKnownHostsFile={options.known_hosts}"]
    words += ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"]
    words += ["-o", "ConnectTimeout=30"]
    return shlex.join(words)


def _readable(path: Path, option: str) -> None:
    if not path.is_file():
        raise LocalError(f"the file given with {option} does not exist or is not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise LocalError(f"the file given with {option} is not readable ({exc.strerror})") from exc


def _token_header(target: GitTarget, variable: str, environ: dict[str, str]) -> tuple[str, str]:
    if target.scheme not in ("https", "http"):
        raise UsageError("--token-env applies to HTTPS targets only")
    token = environ.get(variable)
    if not token:
        raise LocalError(f"environment variable {variable} (--token-env) is not set or empty")
    user = urlsplit(target.url).username or "x-access-token"
    basic = base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
    return f"Authorization: Basic {basic}", token


def _http_base(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/"


# -- failures ------------------------------------------------------------------------------------

_HOST_KEY = ("host key verification failed", "remote host identification has changed")
_AUTH = (
    "permission denied (publickey",
    "permission denied, please try again",
    "authentication failed",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "returned error: 401",
    "returned error: 403",
    "access denied for user",
    "invalid username or password",
)
_UNREACHABLE = (
    "could not resolve host",
    "could not resolve hostname",
    "connection refused",
    "connection timed out",
    "timed out",
    "no route to host",
    "network is unreachable",
    "unable to connect",
    "failed to connect",
    "connection reset",
    "connection closed by",
)
_MISSING = (
    "does not appear to be a git repository",
    "repository not found",
    "not found: did you run git update-server-info",
    "returned error: 404",
    "access denied or repository not exported",
    "no such repository",
    "not a git repository",
)
_NOT_FOUND = re.compile(r"repository '[^']*' not found")


def translate_failure(action: str, stderr: str, target: GitTarget) -> RemoteError:
    """One actionable ``RemoteError`` for a failed network git command."""
    text = stderr.lower()
    detail = _detail(stderr, target)
    where = target.display
    if any(marker in text for marker in _HOST_KEY):
        return RemoteError(
            f"{where}: the server's SSH host key is not known or has changed: add the right key "
            "to the file given with --known-hosts (ssh-keyscan, checked out of band)"
        )
    if any(marker in text for marker in _AUTH):
        return RemoteError(
            f"{where}: authentication refused ({detail}): check the deploy key (--ssh-key) has "
            "access, or the token (--token-env) / git credential helper for HTTPS"
        )
    if any(marker in text for marker in _MISSING) or _NOT_FOUND.search(text):
        return RemoteError(
            f"{where}: repository not found or not exported ({detail}): check the path, or "
            "create the repository (an empty bare repository is enough)"
        )
    if any(marker in text for marker in _UNREACHABLE):
        return RemoteError(
            f"{where}: cannot reach the Git server ({detail}): check the host name, port and "
            "network"
        )
    return RemoteError(f"{where}: git {action} failed ({detail})")


def rejected_push(reason: str, target: GitTarget) -> RemoteError:
    """The server refused the push for a reason that retrying cannot fix."""
    return RemoteError(
        f"{target.display}: the server refused the push to branch {target.branch} "
        f"({target.scrub(reason)}): it may be protected or a hook declined it; give the release "
        "user push rights on it, or choose another --branch"
    )


def _detail(stderr: str, target: GitTarget) -> str:
    """The most telling line of git's stderr, scrubbed."""
    boilerplate = ("please make sure you have", "and the repository exists", "could not read from")
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.strip() and not any(text in line.lower() for text in boilerplate)
    ]
    for prefix in ("fatal:", "error:", "ssh:", "remote:"):
        for line in lines:
            if line.lower().startswith(prefix):
                return target.scrub(line)
    return target.scrub(lines[-1]) if lines else "no message from git"
