"""The hooks in ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` tool against a
temporary Git repository holding a copy of ``sample_cookbooks/opsworks-stack``.

pre-commit installs a hook from a Git repository at a given commit, so the project tree (with
any uncommitted changes: the code under test) is copied into a throwaway repository and
committed. ``pre-commit try-repo`` builds its own hook environment on every call (it uses a
temporary store), so it is run twice; every other run shares one ``PRE_COMMIT_HOME``, whose hook
environment pip builds once per test session (shared by xdist workers under a file lock). The
three environment builds are started together, once per session, so that they overlap.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

from tests.conftest import ROOT, SAMPLES
from tests.samples import copy_sample

pytestmark = pytest.mark.integration

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
HOOK_IDS = re.findall(r"^- id: (\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text(), re.M)
_IGNORED = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", ".*_cache", "*.egg-info", ".venv", "venv", "build", "dist", "out"
)
# one reported finding in cookbook-tool's text output: "  7: error [rule] ..." under its file
_FINDING = re.compile(r"^  (?:(\d+)(?::\d+)?: )?(?:/\S*: )?(?:error|warning) \[([a-z0-9-]+)\]")


@dataclass(frozen=True)
class HookSource:
    repo: Path  # a Git repository holding the project tree
    rev: str  # its commit
    env: dict[str, str]  # HOME, PRE_COMMIT_HOME and Git identity of the test session


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _commit_all(repo: Path, env: dict[str, str], message: str) -> str:
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", message)
    return _git(repo, env, "rev-parse", "HEAD")


def _session_env(shared: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "PYTHONPATH"}
    home = shared / "home"
    home.mkdir(exist_ok=True)
    return {
        **env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
        "PRE_COMMIT_HOME": str(shared / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Hook Tester",
        "GIT_AUTHOR_EMAIL": "hooks@example.com", "GIT_COMMITTER_NAME": "Hook Tester",
        "GIT_COMMITTER_EMAIL": "hooks@example.com",
        # pip in the hook environments: no .pyc for every installed module (botocore's alone
        # take seconds); the hooks compile what they import. pip reads this variable as the
        # value of `compile` itself, so "0" is what means --no-compile.
        "PIP_NO_COMPILE": "0",
    }


@pytest.fixture(scope="session")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> HookSource:
    """The project tree committed to a throwaway repository, shared by all xdist workers."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "precommit"
    shared.mkdir(exist_ok=True)
    with FileLock(str(shared / "setup.lock")):
        env = _session_env(shared)
        repo = shared / "cookbook-tool"
        if not (repo / ".git").is_dir():
            shutil.copytree(ROOT, repo, ignore=_IGNORED, dirs_exist_ok=True)
            _git(repo, env, "init", "-q")
            _commit_all(repo, env, "cookbook-tool under test")
        return HookSource(repo, _git(repo, env, "rev-parse", "HEAD"), env)


@dataclass(frozen=True)
class TryRepo:
    """The two ``pre-commit try-repo`` runs: exit code and output of each, and what the bad
    change changed (file names and lines)."""

    good: tuple[int, str]
    bad: tuple[int, str]
    changed: dict[str, str]


@pytest.fixture(scope="session")
def try_repo(tmp_path_factory: pytest.TempPathFactory, hooks: HookSource) -> TryRepo:
    """Both try-repo runs and the build of the shared hook environment (``install-hooks``),
    started together: each builds a hook environment with pip, the slowest step here."""
    good = _git_stack(tmp_path_factory.mktemp("try-good") / "stack", hooks)
    bad = _git_stack(tmp_path_factory.mktemp("try-bad") / "stack", hooks)
    recipe, recipe_line = _include_missing(bad)
    metadata = _drop_version(bad)
    custom, custom_line = _string_port(bad)
    _git(bad, hooks.env, "add", "-A")
    changed = {"recipe": recipe, "recipe_line": recipe_line, "metadata": metadata,
               "custom": custom, "custom_line": custom_line}
    runs = [
        _start(good, hooks.env, *PRE_COMMIT, "try-repo", str(hooks.repo), "--all-files",
               "--verbose"),
        _start(bad, hooks.env, *PRE_COMMIT, "try-repo", str(hooks.repo), "--files", recipe,
               metadata, custom),
        _start(good, hooks.env, *PRE_COMMIT, "install-hooks"),
    ]
    (good_code, good_out), (bad_code, bad_out), (code, out) = (_finish(run) for run in runs)
    assert code == 0, out
    return TryRepo((good_code, good_out), (bad_code, bad_out), changed)


def _git_stack(repo: Path, hooks: HookSource, folder: str = ".") -> Path:
    """A Git repository at ``repo`` holding the good sample stack in ``folder`` and a
    .pre-commit-config.yaml using every hook of the project under test, all committed."""
    copy_sample(SAMPLES / "opsworks-stack", repo / folder)
    listed = "".join(f"      - id: {hook}\n" for hook in HOOK_IDS)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.repo}\n    rev: {hooks.rev}\n    hooks:\n{listed}"
    )
    _git(repo, hooks.env, "init", "-q")
    _commit_all(repo, hooks.env, "good stack")
    return repo


@pytest.fixture
def stack(tmp_path: Path, hooks: HookSource) -> Path:
    return _git_stack(tmp_path / "stack", hooks)


def _run(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    return _finish(_start(cwd, env, *args))


def _start(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = process.communicate()
    return process.returncode, out


def _sections(output: str) -> dict[str, str]:
    """pre-commit's output per hook id (the text after ``- hook id: X``)."""
    parts = re.split(r"^- hook id: (\S+)$", output, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _findings(text: str) -> set[tuple[str, str | None, str]]:
    """(file, line, rule) of each finding in cookbook-tool's text output."""
    found: set[tuple[str, str | None, str]] = set()
    current = ""
    for line in text.splitlines():
        match = _FINDING.match(line)
        if match:
            found.add((current, match[1], match[2]))
        elif line and not line.startswith(" "):
            current = line.strip()
    return found


# -- bad changes a commit may carry ---------------------------------------------------------

RECIPE = "cookbooks/webapp/recipes/default.rb"
DB_METADATA = "cookbooks/db_connect/metadata.rb"
CUSTOM_JSON = "stack/custom.json"


def _include_missing(repo: Path) -> tuple[str, str]:
    """Append ``include_recipe 'missing_cb::x'`` to a recipe; returns (file, line)."""
    recipe = repo / RECIPE
    text = recipe.read_text()
    recipe.write_text(text + ("" if text.endswith("\n") else "\n") + "include_recipe 'missing_cb::x'\n")
    return RECIPE, str(len(recipe.read_text().splitlines()))


def _drop_version(repo: Path) -> str:
    metadata = repo / DB_METADATA
    lines = metadata.read_text().splitlines(keepends=True)
    metadata.write_text("".join(line for line in lines if not line.startswith("version")))
    return DB_METADATA


def _string_port(repo: Path) -> tuple[str, str]:
    custom = repo / CUSTOM_JSON
    lines = custom.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if '"port": 3306' in line)
    lines[number] = lines[number].replace('"port": 3306', '"port": "3306"')
    custom.write_text("".join(lines))
    return CUSTOM_JSON, str(number + 1)


# -- pre-commit try-repo, as a hook author tries the hooks ----------------------------------


def test_try_repo_passes_good_stack_with_every_hook(try_repo: TryRepo) -> None:
    code, out = try_repo.good
    assert code == 0, out
    sections = _sections(out)
    assert sorted(sections) == sorted(HOOK_IDS), out
    assert "3 cookbook(s) checked: 0 error(s)" in sections["cookbook-validate"]
    assert "1 JSON file(s) checked: 0 error(s)" in sections["custom-json"]
    # files outside every cookbook and mapping are noted, never failed
    assert "not checked: .pre-commit-config.yaml" in sections["cookbook-validate"]


def test_try_repo_blocks_bad_change_with_findings(try_repo: TryRepo) -> None:
    code, out = try_repo.bad
    changed = try_repo.changed
    recipe, recipe_line, metadata = changed["recipe"], changed["recipe_line"], changed["metadata"]
    custom, custom_line = changed["custom"], changed["custom_line"]
    assert code == 1, out
    sections = _sections(out)
    cookbook_findings = _findings(sections["cookbook-validate"])
    assert (recipe, recipe_line, "include-recipe-missing") in cookbook_findings, out
    assert (metadata, None, "metadata-missing-version") in cookbook_findings, out
    assert not any(f[0] == custom for f in cookbook_findings), out
    assert _findings(sections["custom-json"]) == {(custom, custom_line, "schema-violation")}, out


# -- pre-commit run with .pre-commit-config.yaml (one shared hook environment) -------------


def test_cookbook_validate_blocks_metadata_without_version(stack: Path, hooks: HookSource) -> None:
    metadata = _drop_version(stack)
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-validate", "--files", metadata)
    assert code == 1, out
    assert (metadata, None, "metadata-missing-version") in _findings(out), out


def test_cookbook_lock_blocks_a_new_community_dependency_without_lock(
    stack: Path, hooks: HookSource
) -> None:
    config = stack / "cookbook-tool.toml"
    config.write_text(config.read_text() + '\n[dependencies]\napt = ">= 7.0"\n')
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-lock",
                     "--files", "cookbook-tool.toml")
    assert code == 1, out
    assert "no cookbook-tool.lock" in out and "run `cookbook-tool lock`" in out, out
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-lock", "--files", RECIPE)
    assert code == 0, out  # a recipe is not what the lock depends on: the hook is skipped


def test_cookbook_validate_checks_dependents_of_changed_cookbook(
    stack: Path, hooks: HookSource
) -> None:
    metadata = stack / DB_METADATA
    metadata.write_text(re.sub(r"(?m)^version .*$", "version '2.0.0'", metadata.read_text()))
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-validate",
                     "--files", DB_METADATA)
    assert code == 1, out
    rules = {(f[0], f[2]) for f in _findings(out)}
    assert ("cookbooks/webapp/metadata.rb", "dependency-unsatisfied") in rules, out


def test_cookbook_validate_leaves_json_and_loose_files_alone(
    stack: Path, hooks: HookSource
) -> None:
    custom, _ = _string_port(stack)
    (stack / "NOTES.txt").write_text("not a cookbook file\n")
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-validate", "--verbose",
                     "--files", custom, "NOTES.txt", RECIPE)
    assert code == 0, out
    assert "1 cookbook(s) checked: 0 error(s)" in out
    assert "not checked: NOTES.txt" in out and "stack/custom.json" not in out


def test_custom_json_blocks_string_port(stack: Path, hooks: HookSource) -> None:
    custom, line = _string_port(stack)
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "custom-json", "--all-files")
    assert code == 1, out
    assert _findings(out) == {(custom, line, "schema-violation")}, out
    assert '"3306" is not of type integer' in out


def test_cookbook_json_belongs_to_cookbook_validate(stack: Path, hooks: HookSource) -> None:
    (stack / "cookbooks/webapp/metadata.json").write_text('{"name": "webapp", "version": "one"}')
    _git(stack, hooks.env, "add", "-A")
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "custom-json", "--verbose")
    assert code == 0, out
    assert "metadata.json" not in out  # neither checked nor noted by the custom JSON hook
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-validate")
    assert code == 1, out
    assert ("cookbooks/webapp/metadata.json", "1", "metadata-invalid-version") in _findings(out)


def test_stack_in_a_subfolder_of_the_git_repository(tmp_path: Path, hooks: HookSource) -> None:
    repo = _git_stack(tmp_path / "mono", hooks, "chef")
    recipe, line = _include_missing(repo / "chef")
    custom, custom_line = _string_port(repo / "chef")
    _git(repo, hooks.env, "add", "-A")
    code, out = _run(repo, hooks.env, *PRE_COMMIT, "run")  # the staged files, as on commit
    assert code == 1, out
    found = _findings(out)
    assert (f"chef/{recipe}", line, "include-recipe-missing") in found, out
    assert (f"chef/{custom}", custom_line, "schema-violation") in found, out


def test_changed_config_checks_layers(stack: Path, hooks: HookSource) -> None:
    config = stack / "cookbook-tool.toml"
    config.write_text(config.read_text().replace("webapp::deploy", "webapp::deplyo"))
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-validate",
                     "--files", "cookbook-tool.toml")
    assert code == 1, out
    assert "layer-recipe-missing" in out and "did you mean 'webapp::deploy'" in out


# -- git commit with the hooks installed ----------------------------------------------------


@pytest.fixture
def installed(stack: Path, hooks: HookSource) -> Iterator[Path]:
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "install")
    assert code == 0, out
    yield stack


def _commit(repo: Path, env: dict[str, str], message: str) -> tuple[int, str]:
    _git(repo, env, "add", "-A")
    return _run(repo, env, "git", "commit", "-m", message)


def test_git_commit_runs_installed_hooks(installed: Path, hooks: HookSource) -> None:
    env = hooks.env
    start = _git(installed, env, "rev-parse", "HEAD")
    recipe = installed / RECIPE
    recipe.write_text(recipe.read_text() + "# a harmless comment\n")
    code, out = _commit(installed, env, "good change")
    assert code == 0, out
    assert re.search(r"cookbook-tool validate \(cookbooks\)\.+Passed", out), out
    good = _git(installed, env, "rev-parse", "HEAD")
    assert good != start

    file, line = _include_missing(installed)
    code, out = _commit(installed, env, "bad recipe")
    assert code != 0, out
    assert (file, line, "include-recipe-missing") in _findings(out), out
    assert _git(installed, env, "rev-parse", "HEAD") == good  # the commit was blocked

    _git(installed, env, "checkout", "-q", "HEAD", "--", RECIPE)
    custom, custom_line = _string_port(installed)
    code, out = _commit(installed, env, "bad custom JSON")
    assert code != 0, out
    assert re.search(r"cookbook-tool validate \(cookbooks\)\.+Passed", out), out
    assert (custom, custom_line, "schema-violation") in _findings(out), out
    assert _git(installed, env, "rev-parse", "HEAD") == good


# -- what the hooks are given: configuration, user schemas, symbolic links ------------------


def test_custom_json_rechecks_mapped_files_when_config_or_schema_changes(
    stack: Path, hooks: HookSource
) -> None:
    config = stack / "cookbook-tool.toml"
    schema = stack / "strict.json"
    schema.write_text('{"type": "object", "required": ["deploy"]}')
    (stack / "stack/other.json").write_text('{"deploy": {}}')
    _commit_all(stack, hooks.env, "strict schema, unused")
    config.write_text(config.read_text().replace('"opsworks-custom-json"', '"strict.json"'))
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "custom-json", "--verbose",
                     "--files", "cookbook-tool.toml")
    assert code == 0, out
    assert "2 JSON file(s) checked: 0 error(s)" in out
    _commit_all(stack, hooks.env, "strict schema, used")
    schema.write_text('{"type": "object", "required": ["deploy", "opsworks"]}')
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "custom-json", "--files", "strict.json")
    assert code == 1, out
    assert {(f[0], f[2]) for f in _findings(out)} == {
        (CUSTOM_JSON, "schema-violation"), ("stack/other.json", "schema-violation")
    }, out


def test_cookbook_validate_is_given_symlinks(stack: Path, hooks: HookSource) -> None:
    (stack / "cookbooks/webapp/recipes/leak.rb").symlink_to("/etc/hostname")
    _git(stack, hooks.env, "add", "-A")
    code, out = _run(stack, hooks.env, *PRE_COMMIT, "run", "cookbook-validate")
    assert code == 1, out
    assert ("cookbooks/webapp/recipes/leak.rb", None, "symlink-escape") in _findings(out), out
