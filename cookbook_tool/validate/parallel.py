"""The cookbook rules on every core: a forked worker process shares the cookbooks with this one.

The rules hold the GIL (regular expressions, byte counts, Python loops over includes), so
threads do not help; a process does. After the repository is loaded (metadata read, names
known), this process starts on the cookbooks and, when they take longer than a hundredth of
a second, forks one worker per extra core; each process takes the next cookbook from one shared
queue (a pipe of 4-byte tickets: a slow cookbook does not hold up the rest) and the
workers send their findings back pickled. The result is the same list as the serial run's: every
caller sorts the findings, and each cookbook's findings come from exactly one process.

Forking is skipped where it cannot pay or is not safe: one core, one cookbook, not Linux (macOS
system frameworks are not safe to use in a forked child; Windows has no fork), other threads
running (a fork copies their locks, not the threads), inside a worker already, or
``COOKBOOK_TOOL_JOBS=1``. A worker that raises hands its exception to the parent, which raises it
(an unreadable file still fails the run); a worker that dies is an error, never a silent pass.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from cookbook_tool.errors import LocalError

if TYPE_CHECKING:  # concurrent.futures imports logging, traceback...: not for a pre-commit run
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

JOBS_VARIABLE = "COOKBOOK_TOOL_JOBS"  # how many processes check cookbooks (default: the cores)
_NO_FORK = not sys.platform.startswith("linux")
_TICKET = 4
# Workers are forked once this process has worked that long and items remain: a pre-commit run
# over one or two cookbooks never pays for a fork, a repository's validation always gains.
_FORK_AFTER = 0.01
_MAX_TICKETS = (64 << 10) // _TICKET  # what a pipe holds unread on Linux: written in one go


class _ThisProcess:
    in_worker = False  # a worker never forks workers of its own


def jobs(items: int) -> int:
    """How many processes share ``items`` pieces of work (1: this one alone)."""
    if _ThisProcess.in_worker or items < 2 or items > _MAX_TICKETS or _NO_FORK:
        return 1
    wanted = _wanted_jobs()
    if wanted < 2 or threading.active_count() > 1:
        return 1
    return min(wanted, items)


def _wanted_jobs() -> int:
    setting = os.environ.get(JOBS_VARIABLE, "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            raise LocalError(
                f"{JOBS_VARIABLE}={setting!r}: not a number of processes (1 checks in this "
                "process alone)"
            ) from None
    return len(os.sched_getaffinity(0))  # the cores this process may use (a container's)


def shared_map(work: Callable[[T], list[R]], items: Sequence[T]) -> list[R]:
    """``[r for item in items for r in work(item)]``, the items shared out over ``jobs()``
    processes; the order of the results is not kept (callers sort them)."""
    count = jobs(len(items))
    if count == 1:
        return [result for item in items for result in work(item)]
    tickets_out, tickets_in = os.pipe()
    os.write(tickets_in, b"".join(i.to_bytes(_TICKET, "little") for i in range(len(items))))
    os.close(tickets_in)
    workers: list[_Worker] = []
    started = time.perf_counter()
    try:
        results: list[R] = []
        for index in _tickets(tickets_out):
            results.extend(work(items[index]))
            if not workers and time.perf_counter() - started > _FORK_AFTER:
                workers = [_Worker.start(work, items, tickets_out) for _ in range(count - 1)]
        for worker in workers:
            results.extend(cast(list[R], worker.results()))
        return results
    finally:
        os.close(tickets_out)
        for worker in workers:
            worker.stop()


def _tickets(read_end: int) -> Iterator[int]:
    """The indices this process takes from the shared queue, until it is empty."""
    while len(ticket := os.read(read_end, _TICKET)) == _TICKET:
        yield int.from_bytes(ticket, "little")


class Background(Generic[R]):
    """``work()`` computed beside the caller — in a forked process when ``jobs`` allows it (the
    caller keeps its core and the GIL), else in a thread — until ``result()`` is asked for.
    ``stop()`` ends it early (the caller failed or was interrupted)."""

    def __init__(self, work: Callable[[], R]) -> None:
        self._thread: ThreadPoolExecutor | None = None
        self._worker: _Worker | None = None
        self._future: Future[R] | None = None
        if jobs(2) > 1:
            tickets = _one_ticket()
            try:
                self._worker = _Worker.start(lambda _: [work()], [None], tickets)
            finally:
                os.close(tickets)
        else:
            from concurrent.futures import ThreadPoolExecutor

            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
            self._future = self._thread.submit(work)

    @property
    def forked(self) -> bool:
        """Whether ``work`` runs in another process (this one's memory is then its own)."""
        return self._worker is not None

    def result(self) -> R:
        if self._worker is not None:
            (value,) = self._worker.results()
            return cast(R, value)
        assert self._future is not None
        return self._future.result()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
        if self._thread is not None:
            self._thread.shutdown(wait=True, cancel_futures=True)


def _one_ticket() -> int:
    """A queue holding one ticket (index 0): the read end, for one worker."""
    read_end, write_end = os.pipe()
    os.write(write_end, (0).to_bytes(_TICKET, "little"))
    os.close(write_end)
    return read_end


class _Worker:
    """One forked process working through the shared queue; its results come back pickled."""

    def __init__(self, pid: int, results_in: int) -> None:
        self._pid = pid
        self._results_in = results_in
        self._reaped = False

    @classmethod
    def start(cls, work: Callable[[T], list[R]], items: Sequence[T], tickets: int) -> _Worker:
        import pickle  # noqa: F401 - imported once, here: the worker inherits it

        results_in, results_out = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            os.close(results_in)
            _work_and_exit(work, items, tickets, results_out)
        os.close(results_out)
        return cls(pid, results_in)

    def results(self) -> list[object]:
        import pickle

        with os.fdopen(self._results_in, "rb") as stream:
            self._results_in = -1
            data = stream.read()
        _, status = os.waitpid(self._pid, 0)
        self._reaped = True
        if not data or os.waitstatus_to_exitcode(status) != 0:
            raise LocalError(
                "a validation worker process ended without its findings (exit status "
                f"{os.waitstatus_to_exitcode(status)}); run again with {JOBS_VARIABLE}=1"
            )
        outcome, value = pickle.loads(data)
        if outcome == "raised":
            raise value
        return list(value)

    def stop(self) -> None:
        """Reap the worker; kill it first when the parent stops early (an error, Ctrl-C)."""
        if self._results_in >= 0:
            os.close(self._results_in)
            self._results_in = -1
        if not self._reaped:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._reaped = True


def _work_and_exit(
    work: Callable[[T], list[R]], items: Sequence[T], tickets: int, results_out: int
) -> None:
    """The body of a worker process: results (or the exception) to the pipe, then exit without
    running the parent's exit handlers or flushing its buffered output."""
    _ThisProcess.in_worker = True
    code = 0
    try:
        import pickle

        try:
            found = [r for index in _tickets(tickets) for r in work(items[index])]
            message = pickle.dumps(("returned", found), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # handed to the parent, which raises it
            message = _pickled_exception(exc)
        with os.fdopen(results_out, "wb") as stream:
            stream.write(message)
    except BaseException:  # nobody to tell: the parent sees no findings
        code = 1
    finally:
        os._exit(code)


def _pickled_exception(exc: BaseException) -> bytes:
    import pickle

    try:
        return pickle.dumps(("raised", exc), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # one that does not pickle: its text does
        return pickle.dumps(("raised", LocalError(str(exc))), protocol=pickle.HIGHEST_PROTOCOL)
