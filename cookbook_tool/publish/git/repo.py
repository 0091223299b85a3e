"""A temporary, empty bare repository that fetches only what a release needs from the remote
(the branch tip and the tags asked for, ``--depth=1``) and pushes back atomically.

The user's own checkout is never involved: the repository lives in a temporary directory that
is removed on exit, and variables such as ``GIT_DIR`` inherited from a hook are dropped. git runs
through GitPython (``git_process``); ``Repo.init`` is not used for the repository because it
would run ``git init`` with the process's environment, ``GIT_DIR`` included.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from cookbook_tool.errors import LocalError, RemoteError
from cookbook_tool.publish.git.process import GitResult, require_git, run_git
from cookbook_tool.publish.git.transport import GitSetup, rejected_push, translate_failure
from cookbook_tool.publish.git.tree import ObjectWriter

_MAX_SOCKET_PATH = 80  # bytes; ssh adds 17 to it, and Unix sockets allow 104-108
NETWORK_TIMEOUT = 600  # seconds; git's own low-speed limits usually fire first
_RACE_MARKERS = (
    "fetch first",
    "non-fast-forward",
    "stale info",
    "already exists",
    "atomic push failed",
    "failed to update ref",
    "cannot lock ref",
    "but expected",
    "reference already exists",
    "incorrect old value",
)


@dataclass(frozen=True)
class RemoteRefs:
    branch_tip: str | None
    tags: dict[str, str]  # tag name -> the id the tag ref points at


class PushOutcome(Enum):
    DONE = "done"
    RACE = "race"  # someone else moved the branch or made the tag first: look again


@dataclass(frozen=True)
class TagRecord:
    name: str
    tagger_epoch: int
    commit: str
    tree: str
    message: str


class Workspace:
    """git commands in the temporary repository, with the target's environment."""

    def __init__(self, git_dir: Path, setup: GitSetup) -> None:
        self.git_dir = git_dir
        self.target = setup.target
        self._env = setup.env
        self.objects = ObjectWriter(git_dir / "objects")

    def run(self, *args: str) -> str:
        """A local git command; its stdout. ``LocalError`` if it fails."""
        result = self._call(list(args))
        if result.status:
            detail = self.target.scrub(result.stderr.strip())
            raise LocalError(f"git {args[0]} failed in the temporary repository: {detail}")
        return result.stdout.decode(errors="replace")

    def network(self, action: str, *args: str) -> str:
        """A git command that talks to the remote; ``RemoteError`` (translated) if it fails."""
        result = self._call([action, *args])
        if result.status:
            raise translate_failure(action, result.stderr, self.target)
        return result.stdout.decode(errors="replace")

    def _call(self, args: list[str]) -> GitResult:
        command = ["git", f"--git-dir={self.git_dir}", *args]
        result = run_git(command, self._env, timeout=NETWORK_TIMEOUT)
        if result.timed_out:
            raise RemoteError(
                f"{self.target.display}: git {args[0]} gave no result in {NETWORK_TIMEOUT} s: "
                "check the network and the server"
            )
        return result

    # -- the remote --------------------------------------------------------------------------

    def ls_remote(self, *tag_patterns: str) -> RemoteRefs:
        """The branch tip and the tags matching ``tag_patterns`` (git globs, without refs/tags/)."""
        branch_ref = f"refs/heads/{self.target.branch}"
        patterns = [branch_ref, *(f"refs/tags/{pattern}" for pattern in tag_patterns)]
        output = self.network("ls-remote", "origin", *patterns)
        tip, tags = None, {}
        for line in output.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == branch_ref:
                tip = sha
            elif ref.startswith("refs/tags/") and not ref.endswith("^{}"):
                tags[ref.removeprefix("refs/tags/")] = sha
        return RemoteRefs(tip, tags)

    def fetch(self, refs: RemoteRefs, *tag_refspecs: str) -> RemoteRefs:
        """Fetch the branch tip (when there is one) and the given tag refspecs, depth 1.
        Returns ``refs`` with the tip actually fetched (the branch may have moved since)."""
        refspecs = [f"+refs/tags/{spec}:refs/tags/{spec}" for spec in tag_refspecs]
        branch = self.target.branch
        if refs.branch_tip:
            refspecs.append(f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        if not refspecs:
            return refs
        self.network("fetch", "--depth=1", "--no-tags", "--quiet", "origin", *refspecs)
        if not refs.branch_tip:
            return refs
        tip = self.run("rev-parse", "--verify", f"refs/remotes/origin/{branch}^{{commit}}")
        return RemoteRefs(tip.strip(), refs.tags)

    def push(self, refspecs: list[str]) -> PushOutcome:
        """``git push --atomic``; never forced. RACE when the remote moved under us."""
        result = self._call(["push", "--atomic", "--porcelain", "origin", *refspecs])
        if result.status == 0:
            return PushOutcome.DONE
        stdout, stderr = result.stdout.decode(errors="replace"), result.stderr
        rejected = [line for line in stdout.splitlines() if line.startswith("!")]
        if not rejected:
            raise translate_failure("push", stderr, self.target)
        reasons = " ".join(line.split("\t")[-1] for line in rejected)
        # Client-side rejections (non-fast-forward, tag exists) and server-side lock failures
        # ("cannot lock ref ... but expected", reported as "atomic transaction failed") mean
        # another publisher got there first; anything else is a refusal.
        if any(marker in f"{reasons} {stderr}" for marker in _RACE_MARKERS):
            return PushOutcome.RACE
        raise rejected_push(reasons, self.target)

    def peeled_tag(self, tag: str) -> str | None:
        """The commit id a remote tag points at, or None when there is no such tag."""
        ref = f"refs/tags/{tag}"
        output = self.network("ls-remote", "origin", ref, f"{ref}^{{}}")
        found: dict[str, str] = {}
        for line in output.splitlines():
            sha, _, name = line.partition("\t")
            found[name] = sha
        return found.get(f"{ref}^{{}}") or found.get(ref)

    def delete_refs(self, refspecs: list[str]) -> None:
        """Delete remote refs (``:refs/tags/X``) in one atomic push."""
        result = self._call(["push", "--atomic", "--porcelain", "origin", *refspecs])
        if result.status:
            stdout = result.stdout.decode(errors="replace")
            rejected = [line.split("\t")[-1] for line in stdout.splitlines() if line[:1] == "!"]
            if not rejected:
                raise translate_failure("push", result.stderr, self.target)
            raise RemoteError(
                f"{self.target.display}: the server refused to delete release tags "
                f"({self.target.scrub(' '.join(sorted(set(rejected))))}): tags may be protected "
                "there; nothing was deleted"
            )

    # -- local objects ------------------------------------------------------------------------

    def tree_of(self, revision: str) -> str:
        return self.run("rev-parse", "--verify", "--quiet", f"{revision}^{{tree}}").strip()

    def archive(self, revision: str) -> bytes:
        """``git archive --format=tar`` of a fetched revision (a tree: its files and modes)."""
        result = self._call(["archive", "--format=tar", revision])
        if result.status:
            detail = self.target.scrub(result.stderr.strip())
            raise LocalError(f"git archive failed in the temporary repository: {detail}")
        return result.stdout

    def commit_message(self, commit: str) -> str:
        return self.run("cat-file", "commit", commit).partition("\n\n")[2]

    def tag_message(self, tag: str) -> str:
        """The message of a fetched annotated tag ("" for a lightweight tag)."""
        if self.run("cat-file", "-t", f"refs/tags/{tag}").strip() != "tag":
            return ""
        return self.run("cat-file", "tag", f"refs/tags/{tag}").partition("\n\n")[2]

    def tag_records(self, pattern: str) -> list[TagRecord]:
        """The annotated tags fetched into this repository whose names match ``pattern``."""
        fields = "%(refname:strip=2)%00%(objecttype)%00%(taggerdate:unix)%00%(*objectname)"
        output = self.run(
            "for-each-ref",
            f"--format={fields}%00%(*tree)%00%(contents)%00%1e",
            f"refs/tags/{pattern}",
        )
        records = []
        for chunk in output.split("\x00\x1e\n"):
            if not chunk.strip("\n"):
                continue
            name, kind, epoch, commit, tree, message = chunk.lstrip("\n").split("\x00", 5)
            if kind == "tag" and tree:
                records.append(TagRecord(name, int(epoch or 0), commit, tree, message))
        return records


@contextmanager
def workspace(setup: GitSetup, environ: dict[str, str]) -> Iterator[Workspace]:
    """A fresh temporary bare repository for one operation, always removed afterwards."""
    require_git(environ)
    directory = Path(tempfile.mkdtemp(prefix="cookbook-tool-git-"))
    try:
        git_dir = directory / "repo.git"
        hooks = directory / "hooks"
        hooks.mkdir()
        init = ["git", "init", "--bare", "--quiet", "--template=", str(git_dir)]
        result = run_git(init, setup.env)
        if result.status:
            message = result.stderr.strip()
            raise LocalError(f"cannot create a temporary Git repository: {message}")
        with (git_dir / "config").open("a") as config:
            config.write(f"[core]\n\thooksPath = {hooks}\n")
        control = _multiplex_ssh(setup, directory)
        try:
            yield Workspace(git_dir, control or setup)
        finally:
            if control:
                _stop_ssh_master(control, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _multiplex_ssh(setup: GitSetup, directory: Path) -> GitSetup | None:
    """Share one SSH connection between the few git commands of an operation (each would
    otherwise pay a full handshake); only for the ssh command cookbook-tool builds itself."""
    if not setup.own_ssh_command or len(os.fsencode(directory / "ssh")) > _MAX_SOCKET_PATH:
        return None  # not our ssh command, or a socket path too long for the system
    command = (
        setup.env["GIT_SSH_COMMAND"]
        + " "
        + shlex.join(
            [
                "-o",
                "ControlMaster=auto",
                "-o",
                f"ControlPath={directory / 'ssh'}",
                "-o",
                "ControlPersist=60",
            ]
        )
    )
    return replace(setup, env={**setup.env, "GIT_SSH_COMMAND": command})


def _stop_ssh_master(setup: GitSetup, directory: Path) -> None:
    if not (directory / "ssh").exists():
        return
    subprocess.run(
        ["ssh", "-o", f"ControlPath={directory / 'ssh'}", "-O", "exit", "cookbook-tool"],
        capture_output=True,
        env=setup.env,
        check=False,
        timeout=30,
    )
