"""Where community cookbooks come from: HTTP (a Supermarket's universe and its tarballs), git
(the ``git`` program, never GitPython: bundling keeps the offline import contract) and folders.

Every fetch gives the cookbook's files in memory (name relative to the cookbook folder ->
bytes), read with the archive rules of ``verify`` (``archive.read``): traversal paths, links out
of the cookbook, special files and bombs are refused. Credentials come from the caller
(``Credentials``: a token from the environment, a netrc file); no message ever shows them.
"""

from __future__ import annotations

import contextlib
import netrc
import os
import posixpath
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cookbook_tool.archive.read import Limits, ScannedEntry, scan_archive
from cookbook_tool.cookbook.chefignore import load_chefignore
from cookbook_tool.cookbook.walk import walk_cookbook
from cookbook_tool.errors import LocalError, RemoteError
from cookbook_tool.findings import Severity
from cookbook_tool.text import mask_url_credentials

MAX_DOWNLOAD = 256 << 20
Files = dict[str, bytes]


@dataclass(frozen=True)
class Credentials:
    """What private sources may need: a bearer token (the CLI reads
    ``COOKBOOK_TOOL_SOURCE_TOKEN``) and a netrc file (``~/.netrc`` or ``NETRC``)."""

    token: str | None = None
    netrc_file: Path | None = None
    environment: Mapping[str, str] | None = None  # for git: PATH, HOME, SSH_AUTH_SOCK...


NO_CREDENTIALS = Credentials()


class Http:
    """GET over HTTP(S) with the caller's credentials; errors are one line, exit 4."""

    def __init__(self, credentials: Credentials = NO_CREDENTIALS, timeout: float = 30) -> None:
        self._credentials = credentials
        self._timeout = timeout

    def get(self, url: str, what: str) -> bytes:
        import urllib.error  # with http.client and ssl: only when something is downloaded
        import urllib.request

        shown = mask_url_credentials(url)
        request = urllib.request.Request(url, headers=self._headers(url))
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                data: bytes = response.read(MAX_DOWNLOAD + 1)
        except urllib.error.HTTPError as exc:
            raise RemoteError(_http_problem(exc.code, shown, what)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"{what}: cannot reach {shown} ({reason})") from None
        if len(data) > MAX_DOWNLOAD:
            raise RemoteError(f"{what}: {shown} is larger than {MAX_DOWNLOAD} bytes")
        return data

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"User-Agent": "cookbook-tool", "Accept": "application/json, */*"}
        if self._credentials.token:
            headers["Authorization"] = f"Bearer {self._credentials.token}"
            return headers
        login = _netrc_login(self._credentials.netrc_file, urlsplit(url).hostname or "")
        if login is not None:
            import base64

            pair = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        return headers


def _http_problem(code: int, shown: str, what: str) -> str:
    if code == 404:
        return f"{what}: {shown} answered 404 (not found): check the source and the version"
    if code in (401, 403):
        return (
            f"{what}: {shown} refused the credentials (HTTP {code}): set "
            "COOKBOOK_TOOL_SOURCE_TOKEN or a netrc entry for the host"
        )
    return f"{what}: {shown} answered HTTP {code}"


def _netrc_login(file: Path | None, host: str) -> tuple[str, str] | None:
    if file is None or not file.is_file():
        return None
    try:
        found = netrc.netrc(str(file)).authenticators(host)
    except (netrc.NetrcParseError, OSError):
        return None
    if found is None:
        return None
    return found[0] or "", found[2] or ""


def files_from_tarball(data: bytes, what: str, work: Path, rooted: bool = True) -> Files:
    """The files of a Supermarket tarball (``rooted``: one root folder) or of ``git archive``
    output (files at the top), read with verify's archive rules; ``RemoteError`` naming the
    first problem."""
    work.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=work, prefix=".download.", suffix=".part")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        scan = scan_archive(temporary, lambda _name, _size: True, Limits(max_total_size=1 << 30))
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    errors = [f for f in scan.findings if f.severity is Severity.ERROR]
    if errors:
        raise RemoteError(f"{what}: unsafe archive: {errors[0].file}: {errors[0].message}")
    return _under_root(scan.entries, scan.kept, what, rooted)


def _under_root(entries: Mapping[str, ScannedEntry], kept: Mapping[str, bytes], what: str,
                rooted: bool) -> Files:
    prefix = ""
    if rooted:
        tops = {name.split("/", 1)[0] for name in entries}
        if len(tops) != 1 or next(iter(tops)) in kept:
            raise RemoteError(f"{what}: not a Supermarket tarball (one folder at its root)")
        prefix = tops.pop() + "/"
    files: Files = {}
    for name, entry in entries.items():
        kind = entry.kind
        if prefix and name == prefix[:-1]:
            continue
        relative = name[len(prefix):]
        if kind == "file":
            files[relative] = kept[name]
        elif kind in ("symlink", "hardlink"):
            files[relative] = _link_target(name, entry, prefix, kept, what)
    for name, entry in entries.items():
        if entry.kind == "special":
            raise RemoteError(f"{what}: special file {name} in the archive")
    return files


def _link_target(name: str, entry: ScannedEntry, prefix: str, kept: Mapping[str, bytes],
                 what: str) -> bytes:
    link = entry.link or ""
    base = posixpath.dirname(name) if entry.kind == "symlink" else ""
    target = posixpath.normpath(posixpath.join(base, link))
    if link.startswith("/") or not target.startswith(prefix) or target not in kept:
        raise RemoteError(f"{what}: {name} links to {link!r}, outside the cookbook's files")
    return kept[target]


def files_from_folder(folder: Path, what: str) -> Files:
    """A path source: the cookbook folder as a bundle would ship it (chefignore applied)."""
    if not (folder / "metadata.rb").is_file() and not (folder / "metadata.json").is_file():
        raise LocalError(f"{what}: {folder} holds no metadata.rb or metadata.json")
    files: Files = {}
    for entry in walk_cookbook(folder, load_chefignore(folder), ()):
        if entry.excluded is not None or entry.kind == "dir":
            continue
        if entry.problem is not None:
            raise LocalError(f"{what}: {entry.path}: {entry.problem}")
        source = entry.target if entry.kind == "symlink" and entry.target else entry.path
        if source.is_dir():
            continue
        try:
            files[entry.relpath] = source.read_bytes()
        except OSError as exc:
            raise LocalError(f"{what}: cannot read {source} ({exc.strerror})") from exc
    return files


_GIT_KEEP = ("PATH", "HOME", "SSH_AUTH_SOCK", "GIT_SSH_COMMAND", "GIT_SSH")


def git_environment(environment: Mapping[str, str] | None) -> dict[str, str]:
    """git without prompts: the caller's PATH, HOME and SSH settings only."""
    given = environment or {"PATH": os.defpath}
    env = {k: v for k, v in given.items() if k in _GIT_KEEP}
    return {**env, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def fetch_git(url: str, ref: str | None, rel: str | None, what: str, work: Path,
              commit: str | None = None, environment: Mapping[str, str] | None = None,
              ) -> tuple[str, Files]:
    """Clone ``url`` (bare, into ``work``), resolve ``ref`` (or take ``commit``), and return the
    commit and the files of the cookbook at ``rel`` in it."""
    shown = mask_url_credentials(url)
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix=".git.") as temporary:
        clone = Path(temporary) / "repo.git"
        env = git_environment(environment)
        _git(["clone", "--bare", "--quiet", "--", url, str(clone)], None,
             f"{what}: cannot clone {shown}", env)
        wanted = commit or ref or "HEAD"
        resolved = _git(["rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}"], clone,
                        f"{what}: {shown} has no {'commit' if commit else 'ref'} {wanted!r}", env)
        sha = resolved.decode().strip()
        tree = f"{sha}:{rel.strip('/')}" if rel else sha
        data = _git(["archive", "--format=tar", tree], clone,
                    f"{what}: {shown} at {sha[:12]} has no folder {rel!r}", env)
        return sha, files_from_tarball(data, what, work, rooted=False)


def _git(args: list[str], repo: Path | None, problem: str, env: Mapping[str, str]) -> bytes:
    command = ["git", *([f"--git-dir={repo}"] if repo else []), *args]
    try:
        done = subprocess.run(command, capture_output=True, env=dict(env), timeout=300,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RemoteError(f"{problem} ({exc})") from None
    if done.returncode != 0:
        detail = mask_url_credentials(done.stderr.decode(errors="replace").strip())
        last = detail.splitlines()[-1] if detail else f"exit {done.returncode}"
        raise RemoteError(f"{problem}: {last}")
    return done.stdout
