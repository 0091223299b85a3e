"""Runs git for the Git publisher through GitPython (``git.cmd.Git.execute``), in exactly the
environment the publisher built.

GitPython merges the ``env`` it is given into a copy of ``os.environ``, so a variable the
publisher dropped on purpose (``GIT_DIR``, ``GIT_OBJECT_DIRECTORY``... set by a hook) would come
back. Mutating ``os.environ`` is not an option (publishers run in threads), so a command whose
inherited environment holds names that ours lacks is started as ``env -u NAME... git ...``: only
variable names appear on that command line, never values (secrets stay in the environment).
That is the one look at ``os.environ`` here: at the names GitPython would add back, never at a
value; the environment git runs with is the one the caller passed.

GitPython is imported here, lazily, only when a Git target is used: ``validate`` never loads it.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cookbook_tool.errors import LocalError

if TYPE_CHECKING:
    from git.cmd import Git

_MISSING_GIT = "git is not installed or not on PATH: install it (apt-get install git)"
_ADDED_BY_GITPYTHON = frozenset({"LANGUAGE", "LC_ALL"})  # set by execute() unless env has them


@dataclass(frozen=True)
class GitResult:
    status: int
    stdout: bytes
    stderr: str  # decoded with errors="replace"
    timed_out: bool  # killed (with its child processes) after the timeout


def require_git(environ: Mapping[str, str]) -> None:
    """``LocalError`` unless the git command is on the PATH of ``environ`` and GitPython loads.

    Checked before GitPython is imported: importing it without a git binary would fail with
    GitPython's long ImportError (or only log it, depending on ``GIT_PYTHON_REFRESH``)."""
    if shutil.which("git", path=environ.get("PATH", os.defpath)) is None:
        raise LocalError(_MISSING_GIT)
    _git_class()


def run_git(
    command: Sequence[str], env: Mapping[str, str], timeout: float | None = None
) -> GitResult:
    """Run ``command`` (``["git", ...]``) with exactly ``env`` as its environment, stdin from
    /dev/null, stdout and stderr captured; never raises for a non-zero exit status."""
    git_class = _git_class()
    from git.exc import GitCommandNotFound

    unset = (set(os.environ) | _ADDED_BY_GITPYTHON) - set(env)
    words = (word for name in sorted(unset) for word in ("-u", name))
    prefix = [shutil.which("env", path=os.defpath) or "env", *words] if unset else []
    started = time.monotonic()
    try:
        status, stdout, stderr = git_class().execute(
            [*prefix, *command],
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
            kill_after_timeout=timeout,
            shell=False,
            env=dict(env),
        )
    except GitCommandNotFound as exc:
        raise LocalError(_MISSING_GIT) from exc
    timed_out = timeout is not None and status != 0 and time.monotonic() - started >= timeout
    # GitPython decoded stderr with surrogateescape: recover git's bytes, decode them leniently
    return GitResult(status, stdout, os.fsencode(stderr).decode(errors="replace"), timed_out)


@functools.cache
def _git_class() -> type[Git]:
    """GitPython's ``Git``, with its command tracing off (git's output may hold credentials)."""
    try:
        from git.cmd import Git
    except ModuleNotFoundError as exc:
        raise LocalError(
            f"the Python package {exc.name} is missing (GitPython): reinstall cookbook-tool"
        ) from exc
    except ImportError as exc:  # GitPython's own check could not run git
        raise LocalError(_MISSING_GIT) from exc

    class QuietGit(Git):
        GIT_PYTHON_TRACE = False

    return QuietGit
