"""Benchmark: `cookbook-tool lock` + `cookbook-tool bundle` for a 30-cookbook closure served by a
Supermarket-style mirror on 127.0.0.1 (http.server in a thread), with a cold cache (every
cookbook downloaded) and a warm one (`bundle` from the cache; `lock --update` re-resolves and
downloads again to record each sha256). Compared with `berks install` + `berks package` when
Berkshelf is installed (it is not on most CI machines: then only our figures are printed).

    python benchmarks/lock.py [--cookbooks 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_dependencies_mirror import Mirror, serve, tarball  # noqa: E402


def build_mirror(mirror: Mirror, count: int) -> list[str]:
    """``count`` cookbooks in layers of five, each depending on two of the layer below with
    ``~>`` and ``>=`` constraints; three versions each. Returns the top layer's names."""
    names = [f"lib{index:02d}" for index in range(count)]
    for index, name in enumerate(names):
        below = [names[j] for j in (index + 5, index + 6) if j < count]
        for version in ("1.0.0", "1.1.0", "2.0.0"):
            depends = {dep: "~> 1.0" if k == 0 else ">= 1.0" for k, dep in enumerate(below)}
            lines = [f"name '{name}'", f"version '{version}'",
                     *(f"depends '{d}', '{c}'" for d, c in depends.items())]
            files = {
                "metadata.rb": ("\n".join(lines) + "\n").encode(),
                "README.md": f"# {name}\n".encode() * 200,
                "recipes/default.rb": f"log '{name} {version}'\n".encode() * 50,
                "attributes/default.rb": f"default['{name}']['x'] = 1\n".encode() * 50,
            }
            mirror.publish(name, version, tarball(name, files), depends)
    return names[:5]


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cookbooks", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary, serve(Path(temporary) / "srv") as server:
        base = Path(temporary)
        (base / "srv").mkdir(exist_ok=True)
        mirror = server.new_mirror(filled=False)
        top = build_mirror(mirror, options.cookbooks)
        repo = base / "repo"
        (repo / "cookbooks" / "app" / "recipes").mkdir(parents=True)
        (repo / "cookbooks" / "app" / "metadata.rb").write_text(
            "name 'app'\nversion '1.0.0'\n" + "".join(f"depends '{n}'\n" for n in top))
        (repo / "cookbooks" / "app" / "recipes" / "default.rb").write_text("log 'app'\n")
        (repo / "cookbook-tool.toml").write_text(
            f'[sources]\ndefault = "{mirror.url}"\n[bundle]\nversion = "1.0.0"\n')
        tool = [sys.executable, "-m", "cookbook_tool"]
        rows: dict[str, list[float]] = {k: [] for k in ("lock cold", "bundle cold",
                                                         "lock --update warm", "bundle warm")}
        for _ in range(options.runs):
            cache = base / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            (repo / "cookbook-tool.lock").unlink(missing_ok=True)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache)}
            rows["lock cold"].append(timed([*tool, "lock", "--repo", str(repo)], base, env))
            shutil.rmtree(cache)  # the bundle downloads too
            rows["bundle cold"].append(timed([*tool, "bundle", str(repo)], base, env))
            rows["lock --update warm"].append(
                timed([*tool, "lock", "--update", "--repo", str(repo)], base, env))
            rows["bundle warm"].append(timed([*tool, "bundle", str(repo)], base, env))
        vendored = len((repo / "cookbook-tool.lock").read_text().split('"kind"')) - 1
        print(f"closure: {vendored} community cookbooks + 1 of the repository, "
              f"best of {options.runs}")
        peer = shutil.which("berks")
        for label, values in rows.items():
            print(f"  {label:<20} ours {min(values):6.3f} s   peer "
                  f"{'(berks not installed)' if peer is None else 'not measured'}")


if __name__ == "__main__":
    main()
