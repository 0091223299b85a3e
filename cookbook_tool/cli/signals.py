"""SIGTERM handled like Ctrl-C (SIGINT) while a command writes to a target: Python turns SIGINT
into ``KeyboardInterrupt``, so ``finally`` blocks remove temporary folders and files; the
default SIGTERM action kills the process on the spot and leaves them behind (a CI runner
cancelling a job, ``timeout``, ``docker stop`` send SIGTERM)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises ``KeyboardInterrupt`` in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def guarded(body: Callable[[], int]) -> Callable[[], int]:
    """``body`` run inside ``terminate_as_interrupt`` (for ``output.run``)."""

    def wrapper() -> int:
        with terminate_as_interrupt():
            return body()

    return wrapper
