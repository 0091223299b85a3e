"""What the repository's own Git checkout says: the commit a release is made from, and the
version when the configuration takes it from the newest tag. Read with GitPython, lazily; a
folder that is not a Git checkout simply has no commit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from cookbook_tool.errors import LocalError

if TYPE_CHECKING:
    import git

_TAG_VERSION = re.compile(r"^v?(\d+\.\d+(?:\.\d+)?)$")


def _repo(root: Path) -> git.Repo | None:
    try:
        import git
    except ImportError as exc:  # GitPython could not find a git binary
        raise LocalError("git is not installed: install it (apt-get install git)") from exc
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def source_commit(root: Path) -> str | None:
    """The checked-out commit (with ``-dirty`` when tracked files changed), or None."""
    repo = _repo(root)
    if repo is None:
        return None
    try:
        sha = str(repo.head.commit.hexsha)
    except ValueError:  # no commit yet
        return None
    return f"{sha}-dirty" if repo.is_dirty(untracked_files=False) else sha


def version_from_tag(root: Path) -> str:
    """The highest version among the tags reachable from HEAD named ``vX.Y.Z`` or ``X.Y.Z``
    (other tags, such as ``v2.0.0-rc1``, are ignored)."""
    import git

    from cookbook_tool.cookbook.constraints import Version

    repo = _repo(root)
    if repo is None:
        raise LocalError(f"{root}: version_from = \"git-tag\" needs a Git checkout")
    try:
        names = str(repo.git.tag("--merged", "HEAD")).split()
    except git.GitCommandError as exc:
        raise LocalError(f"{root}: cannot list the tags ({exc.stderr.strip()})") from exc
    versions = [Version.parse(m.group(1)) for n in names if (m := _TAG_VERSION.match(n))]
    if not versions:
        raise LocalError(
            f"{root}: no tag like v1.2.3 is reachable from HEAD: tag a release or set "
            "[bundle] version"
        )
    best = max(versions, key=lambda v: v.key)
    return f"{best.major}.{best.minor}" if best.parts == 2 else str(best)
