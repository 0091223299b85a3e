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
    """The version of the newest tag reachable from HEAD named ``vX.Y.Z`` or ``X.Y.Z``."""
    import git

    repo = _repo(root)
    if repo is None:
        raise LocalError(f"{root}: version_from = \"git-tag\" needs a Git checkout")
    try:
        tag = str(repo.git.describe("--tags", "--abbrev=0", "--match", "v[0-9]*",
                                    "--match", "[0-9]*"))  # fmt: skip
    except git.GitCommandError as exc:
        raise LocalError(
            f"{root}: no tag like v1.2.3 is reachable from HEAD: tag a release or set "
            "[bundle] version"
        ) from exc
    match = _TAG_VERSION.match(tag)
    if not match:
        raise LocalError(f"{root}: newest tag {tag!r} is not a version like v1.2.3")
    return match.group(1)
