"""The cookbook rules shared over forked worker processes (``validate/parallel.py``): the same
findings and the same archive bytes as one process, errors of a worker raised by the parent,
a dying worker never a silent pass. The worker paths run in real child processes of a fresh
interpreter (no test-runner threads), as a user's command does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.cli import ROOT

_RUNNER = textwrap.dedent(
    """
    import json, os, sys, time
    from cookbook_tool.errors import LocalError
    from cookbook_tool.validate.parallel import Background, jobs, shared_map

    def work(item):
        time.sleep(0.01)  # long enough that every process takes some items
        if item == int(os.environ.get("RAISE_AT", "-1")):
            raise LocalError(f"item {item} cannot be read")
        if item == int(os.environ.get("DIE_AT", "-1")) and os.getpid() != PARENT:
            os._exit(7)
        return [(item, os.getpid())]

    PARENT = os.getpid()
    try:
        if sys.argv[1] == "map":
            found = shared_map(work, list(range(40)))
            print(json.dumps({"jobs": jobs(40), "items": sorted(i for i, _ in found),
                              "pids": len({p for _, p in found}), "parent": PARENT}))
        else:
            pending = Background(lambda: (os.getpid(), sum(range(1000))))
            pid, total = pending.result()
            pending.stop()
            print(json.dumps({"forked": pid != PARENT, "total": total}))
    except LocalError as exc:
        print(json.dumps({"error": str(exc)}))
    """
)


def _run(mode: str, **env: str) -> dict[str, object]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, mode], capture_output=True, text=True, check=True,
        env=environment, timeout=60,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_the_items_are_shared_between_two_processes_and_none_is_lost_or_doubled() -> None:
    result = _run("map", COOKBOOK_TOOL_JOBS="2")
    assert result["jobs"] == 2
    assert result["items"] == list(range(40))
    assert result["pids"] == 2


def test_one_job_keeps_everything_in_this_process() -> None:
    result = _run("map", COOKBOOK_TOOL_JOBS="1")
    assert result["jobs"] == 1
    assert result["items"] == list(range(40))
    assert result["pids"] == 1


def test_an_error_in_a_worker_is_raised_by_the_parent() -> None:
    for item in range(0, 40, 7):  # wherever it falls, parent's share or the worker's
        assert _run("map", COOKBOOK_TOOL_JOBS="2", RAISE_AT=str(item)) == {
            "error": f"item {item} cannot be read"
        }


def test_a_worker_that_dies_fails_the_run() -> None:
    outcomes = [_run("map", COOKBOOK_TOOL_JOBS="2", DIE_AT=str(item)) for item in range(0, 40, 3)]
    died = [o for o in outcomes if "error" in o]
    assert died, "the worker took none of the items it should have died on"
    for outcome in died:
        assert "ended without its findings (exit status 7)" in str(outcome["error"])
        assert "COOKBOOK_TOOL_JOBS=1" in str(outcome["error"])
    for outcome in outcomes:  # the parent took that item: a complete, normal result
        if "error" not in outcome:
            assert outcome["items"] == list(range(40))


def test_a_background_call_runs_in_a_forked_process_or_a_thread() -> None:
    assert _run("background", COOKBOOK_TOOL_JOBS="2") == {"forked": True, "total": 499500}
    assert _run("background", COOKBOOK_TOOL_JOBS="1") == {"forked": False, "total": 499500}


def test_a_jobs_setting_that_is_no_number_is_an_error() -> None:
    result = _run("map", COOKBOOK_TOOL_JOBS="many")
    assert result == {"error": "COOKBOOK_TOOL_JOBS='many': not a number of processes "
                               "(1 checks in this process alone)"}


def _repository(root: Path) -> Path:
    """Twelve cookbooks with findings of the content rules in several of them."""
    root.mkdir(exist_ok=True)
    (root / "cookbook-tool.toml").write_text('[bundle]\nname = "par"\nversion = "1.0.0"\n')
    for index in range(12):
        folder = root / "cookbooks" / f"cb{index}"
        (folder / "recipes").mkdir(parents=True)
        depends = f"depends 'cb{index - 1}'\n" if index else ""
        (folder / "metadata.rb").write_text(
            f"name 'cb{index}'\nversion '1.{index}.0'\n{depends}"
        )
        recipe = "".join(f"include_recipe 'cb{index - 1}::r{n}'\n" for n in range(3)) if index else ""
        if index % 4 == 1:
            recipe += "include_recipe 'nowhere'\n"
        if index % 5 == 2:
            recipe += "key = 'AKIA" + "ABCDEFGHIJKLMNOP'\n"
        (folder / "recipes" / "default.rb").write_text(recipe + "log 'x'\n")
        for n in range(3):
            (folder / "recipes" / f"r{n}.rb").write_text("log 'r'\n")
    return root


# The CLI with workers forked at once (not after 0.01 s of work: these repositories are small),
# saying on stderr how many were forked.
_CLI = textwrap.dedent(
    """
    import atexit, os, sys
    from cookbook_tool.validate import parallel
    parallel._FORK_AFTER = 0
    started = []
    start = parallel._Worker.start
    parallel._Worker.start = lambda *a: started.append(1) or start(*a)
    parent = os.getpid()
    atexit.register(lambda: os.getpid() == parent and sys.stderr.write(f"forked {len(started)}\\n"))
    from cookbook_tool.cli.app import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _cli(args: list[str], cwd: Path, jobs: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COOKBOOK_TOOL_JOBS": jobs}
    done = subprocess.run(
        [sys.executable, "-c", _CLI, *args], cwd=cwd, capture_output=True, text=True,
        env=env, timeout=120, check=False,
    )
    forked = 0 if jobs == "1" else 2  # one for the metadata, one for the rules (or validation)
    assert done.stderr.endswith(f"forked {forked}\n"), done.stderr
    return done


@pytest.mark.parametrize("output", ["json", "text"])
def test_validate_says_the_same_with_one_process_or_two(tmp_path: Path, output: str) -> None:
    repo = _repository(tmp_path)
    alone = _cli(["validate", ".", "--format", output], repo, "1")
    shared = _cli(["validate", ".", "--format", output], repo, "2")
    assert alone.returncode == shared.returncode == 1
    assert alone.stdout == shared.stdout
    if output == "json":
        rules = {f["rule"] for f in json.loads(shared.stdout)["findings"]}
        assert {"include-recipe-missing", "secret-aws-access-key"} <= rules
        assert "AKIAABCDEFGHIJKLMNOP" not in shared.stdout


def test_bundle_writes_the_same_bytes_and_refuses_the_same_errors(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    refused = [_cli(["bundle", ".", "-o", str(tmp_path / f"r{j}")], repo, j) for j in "12"]
    assert refused[0].returncode == refused[1].returncode != 0
    assert refused[0].stdout == refused[1].stdout
    assert not list(tmp_path.glob("r*/*.tar.gz"))  # nothing written when validation refuses
    for cookbook in repo.glob("cookbooks/*/recipes/default.rb"):
        text = cookbook.read_text().replace("include_recipe 'nowhere'\n", "")
        cookbook.write_text(text.replace("AKIA" + "ABCDEFGHIJKLMNOP", "none"))
    written = [_cli(["bundle", ".", "-o", str(tmp_path / f"o{j}")], repo, j) for j in "12"]
    assert [w.returncode for w in written] == [0, 0], written[1].stderr
    archives = [(tmp_path / f"o{j}" / "par-1.0.0.tar.gz").read_bytes() for j in "12"]
    assert archives[0] == archives[1]
