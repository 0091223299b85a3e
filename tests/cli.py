"""Run the ``cookbook-tool`` CLI the way a user's shell does, and capture what it prints.

``run_cli`` calls the entry point's own ``main(argv)`` in this process, in the state a fresh
``python -m cookbook_tool`` process would have: the given working folder and environment, stdin
at end of file, stdout and stderr that are no terminal (pipes, as Python sets them up under this
locale), a temporary folder taken from that environment, and no module-level cache left by an
earlier run; signal handlers it installs are removed afterwards. The exit code is the one the
process would exit with (``SystemExit``, or 1 with a traceback on stderr for an exception that
escapes ``main``). ``run_process`` runs the real process, for what only a process shows: the
``cookbook-tool`` script, signals, timeouts, imports at start-up.
"""

from __future__ import annotations

import functools
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Caches of pure functions of the installation (built-in schemas, compiled globs): the same in
# every process, so kept between runs. Every other cache under cookbook_tool is cleared.
_PROCESS_CONSTANTS = frozenset({
    "cookbook_tool.config.builtin_schemas.builtin_schema_dir",
    "cookbook_tool.config.schema.config_schema",
    "cookbook_tool.config.mappings._compile",
    "cookbook_tool.config.mappings._component_regex",
    "cookbook_tool.customjson.compiled.compiled_builtin",
    "cookbook_tool.customjson.schemastore._builtins",
})
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def returncode(self) -> int:
        """As ``subprocess.CompletedProcess`` names it."""
        return self.code

    def json(self) -> Any:
        return json.loads(self.stdout)


def cli_environment(env: dict[str, str] | None = None,
                    base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI run: ``base`` (default: this process's) with ``env`` on top."""
    start = dict(os.environ) if base is None else base
    return {**start, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            base_env: dict[str, str] | None = None) -> Result:
    """``cookbook-tool ARGS`` in ``cwd`` (default: the project root) with ``env`` added to
    ``base_env`` (default: this process's environment), in this process."""
    from cookbook_tool.cli.app import main

    argv = [str(arg) for arg in args]
    with _fresh_process(cwd or ROOT, cli_environment(env, base_env)) as streams:
        code = _exit_code(lambda: main(argv), streams[2])
    return Result(code, *(_read(stream) for stream in streams[1:]))


def run_process(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
                base_env: dict[str, str] | None = None, timeout: float = 120,
                command: Sequence[str] = (sys.executable, "-m", "cookbook_tool"),
                ) -> Result:
    """``cookbook-tool ARGS`` as a real process (``command`` names the executable)."""
    done = subprocess.run(
        [*command, *map(str, args)], cwd=cwd or ROOT, env=cli_environment(env, base_env),
        capture_output=True, text=True, errors="surrogateescape", timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def _exit_code(call: Callable[[], object], stderr: io.TextIOWrapper) -> int:
    """The status a Python process exits with after ``call()``."""
    try:
        call()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        stderr.write(f"{exc.code}\n")
        return 1
    except Exception:  # the interpreter prints what escapes the entry point
        stderr.write(traceback.format_exc())
        return 1
    return 0


@contextmanager
def _fresh_process(cwd: Path, environment: dict[str, str]) -> Iterator[list[Any]]:
    streams = [
        io.StringIO(""),
        _pipe(sys.__stdout__.errors if sys.__stdout__ else "strict"),
        _pipe(sys.__stderr__.errors if sys.__stderr__ else "backslashreplace"),
    ]
    saved_streams = [sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__,
                     sys.__stderr__]
    saved_environ, saved_cwd, saved_tempdir = dict(os.environ), os.getcwd(), tempfile.tempdir
    saved_handlers = [(signum, signal.getsignal(signum)) for signum in _SIGNALS]
    os.chdir(cwd)
    _set_environ(environment)
    tempfile.tempdir = None  # chosen again from this environment's TMPDIR, as a process would
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    try:
        yield streams
    finally:
        sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__ = (
            saved_streams
        )
        os.chdir(saved_cwd)
        _set_environ(saved_environ)
        tempfile.tempdir = saved_tempdir
        for signum, handler in saved_handlers:
            signal.signal(signum, handler)
        _reset_module_state()


def _pipe(errors: str) -> io.TextIOWrapper:
    """A text stream like Python's stdout on a pipe: UTF-8, no terminal."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, newline="\n")


def _read(stream: io.TextIOWrapper) -> str:
    """What the parent reads from the pipe in text mode (universal newlines)."""
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    text = buffer.getvalue().decode("utf-8", errors="surrogateescape")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _set_environ(values: dict[str, str]) -> None:
    for key in set(os.environ) - set(values):
        del os.environ[key]
    os.environ.update(values)


def _reset_module_state() -> None:
    """Forget what a run left in module globals, as the end of its process would."""
    from cookbook_tool.cli.output import VERBOSITY

    VERBOSITY["level"] = 1
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "cookbook_tool":
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, functools._lru_cache_wrapper) and getattr(
                value, "__module__", None
            ) == name and f"{name}.{attribute}" not in _PROCESS_CONSTANTS:
                value.cache_clear()
