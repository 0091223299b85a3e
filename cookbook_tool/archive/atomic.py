"""Write a file through a temporary file renamed into place: an interrupted run never leaves a
half-written file under the real name."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from cookbook_tool.errors import LocalError

T = TypeVar("T")


def write_atomically(
    target: Path, write: Callable[[BinaryIO], T], before_commit: Callable[[], None] | None = None
) -> T:
    """Write through a temporary file in the target folder, renamed into place at the end.

    The temporary name is chosen before the file is created (``O_EXCL``: never another run's),
    so that an interrupt arriving at any point after its creation still finds it to remove.
    """
    temporary = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
    where = f"cannot write to {target.parent}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        where = f"cannot write {target}"
        with os.fdopen(fd, "wb", buffering=1 << 20) as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        if before_commit is not None:
            before_commit()
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException as exc:
        if not isinstance(exc, FileExistsError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(exc, OSError):
            raise LocalError(f"{where}: {exc.strerror or exc}") from exc
        raise
    return result
