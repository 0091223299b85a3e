"""A publish stopped by SIGTERM cleans up like Ctrl-C, and what a killed folder publish left
behind (a hidden ``.tmp`` beside the release) is removed by the next run (issue 12 item 17).
Real processes, real signals."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cookbook_tool.publish.base import TargetOptions
from cookbook_tool.publish.store.folder import FolderPublisher
from tests.cli import ROOT, cli_environment
from tests.contract.artifacts import make_artifact, make_bundle
from tests.fixtures_git import make_remote, remote_refs

PADDING = 48 << 20  # incompressible bytes: the publish takes long enough to be caught in it


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = cli_environment({"TMPDIR": str(tmp_path / "tmp")})
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "cookbook_tool", *args, "--no-progress"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(found: Callable[[], list[Path]], process: subprocess.Popen[bytes]) -> list[Path]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if paths := found():
            return paths
        time.sleep(0.005)
    raise AssertionError(f"never saw the temporary files (exit {process.poll()})")


def _temporaries(folder: Path) -> Callable[[], list[Path]]:
    return lambda: sorted(folder.rglob(".*.tmp")) if folder.exists() else []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def test_sigterm_during_a_git_publish_removes_its_temporary_repository(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    bundle = make_bundle(tmp_path / "b", "1.0.0", padding=PADDING)
    process = _start(tmp_path, "publish", str(bundle), "--to", f"git+file://{remote}")
    _wait_for(lambda: sorted((tmp_path / "tmp").glob("cookbook-tool-git-*/repo.git/objects/??")),
              process)

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert list((tmp_path / "tmp").iterdir()) == []
    assert remote_refs(remote) == {}


def test_sigterm_during_a_folder_publish_leaves_no_temporary_file(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b", "1.0.0", padding=PADDING)
    out = tmp_path / "out"
    process = _start(tmp_path, "publish", str(bundle), "--to", str(out))
    _wait_for(_temporaries(out), process)

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert _temporaries(out)() == []


def test_what_a_killed_folder_publish_left_is_removed_by_the_next(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b", "1.0.0", padding=PADDING)
    out = tmp_path / "out"
    process = _start(tmp_path, "publish", str(bundle), "--to", str(out))
    written = _temporaries(out)
    leftovers = _wait_for(lambda: [p for p in written() if _size(p) > 0], process)
    process.kill()  # SIGKILL: nothing can clean up
    process.communicate(timeout=60)
    assert all(path.exists() for path in leftovers)

    FolderPublisher(str(out), TargetOptions()).publish(make_artifact(tmp_path / "b", "1.0.0"))

    assert _temporaries(out)() == []
    assert (out / "cookbooks/1.0.0/cookbooks-1.0.0.tar.gz").is_file()


def test_a_temporary_file_a_live_publisher_holds_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    version_folder = out / "cookbooks/1.0.0"
    version_folder.mkdir(parents=True)
    busy = version_folder / ".cookbooks-1.0.0.tar.gz.live.tmp"
    busy.write_bytes(b"x" * 1024)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'rb'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)", str(busy)],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        FolderPublisher(str(out), TargetOptions()).publish(make_artifact(tmp_path / "b", "1.0.0"))
        assert busy.exists()
    finally:
        holder.kill()
        holder.communicate()
    with busy.open("rb") as handle:  # released with the process
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert os.path.getsize(busy) == 1024
