"""Benchmark: `cookbook-tool bundle` against `tar --sort=name ... | gzip -6` on the same tree.

Generates a realistic cookbook repository (hundreds of cookbooks, recipes, attributes,
templates, text files and incompressible binaries) in a temporary folder, then times both whole
processes (best of --runs, page cache warm), and prints time, archive size, the ratios and the
peak RSS of the cookbook-tool process.

    python benchmarks/bundle.py [--size-mb 150] [--cookbooks 200] [--runs 3] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TEXT_SUFFIXES = (".py", ".txt", ".json", ".html", ".rst", ".cfg", ".xml", ".csv")


def real_text(limit: int = 48 << 20) -> bytes:
    """Real source code and documentation to cut text files from: this interpreter's standard
    library (code compresses like code; generated text would flatter one compressor or another).
    """
    library = Path(sysconfig.get_paths()["stdlib"])
    parts: list[bytes] = []
    total = 0
    for path in sorted(library.rglob("*")):
        if path.suffix in _TEXT_SUFFIXES and "site-packages" not in path.parts and path.is_file():
            parts.append(path.read_bytes())
            total += len(parts[-1])
            if total >= limit:
                break
    return b"".join(parts)


def _text(rng: random.Random, corpus: bytes, size: int) -> bytes:
    start = rng.randrange(0, max(1, len(corpus) - size))
    return corpus[start : start + size]


def generate(repo: Path, total_mb: int, cookbooks: int, text_kb: int = 150, seed: int = 42) -> int:
    """Write the corpus; return its size in bytes.

    Each cookbook has about ``text_kb`` KB of text (recipes, attributes, libraries, templates,
    data files: real source text); the rest of the requested size is payloads (vendored
    packages, jars, images: incompressible) carried by some of the cookbooks, as in real
    repositories whose size comes from such files.
    """
    rng = random.Random(seed)
    code = real_text()
    payload_budget = max(0, (total_mb << 20) - cookbooks * (text_kb << 10))
    carriers = sorted(rng.sample(range(cookbooks), k=max(1, cookbooks * 2 // 5)))
    weights = [rng.uniform(0.2, 1.8) for _ in carriers]
    payloads = {
        c: int(payload_budget * w / sum(weights)) for c, w in zip(carriers, weights, strict=True)
    }
    (repo / "cookbook-tool.toml").write_text('[bundle]\nname = "bench"\nversion = "1.0.0"\n')
    written = 0
    for index in range(cookbooks):
        folder = repo / "cookbooks" / f"cb_{index:03d}"
        written += _cookbook(folder, index, rng, code, text_kb << 10)
        if payloads.get(index):
            written += _write(folder / "files/default/payload.bin", rng.randbytes(payloads[index]))
    return written


def _cookbook(folder: Path, index: int, rng: random.Random, code: bytes, text: int) -> int:
    for sub in ("recipes", "attributes", "templates/default", "files/default", "libraries"):
        (folder / sub).mkdir(parents=True)
    deps = "".join(f"depends 'cb_{d:03d}'\n" for d in range(max(0, index - 2), index))
    (folder / "metadata.rb").write_text(
        f"name 'cb_{index:03d}'\nmaintainer 'Bench'\nmaintainer_email 'b@example.com'\n"
        f"license 'Apache-2.0'\ndescription 'bench'\nversion '1.{index}.0'\n{deps}"
    )
    written = _write(folder / "recipes/default.rb", _text(rng, code, text // 8))
    files = rng.randint(3, 12)
    for n in range(files):
        kind = rng.choice(("recipes", "attributes", "libraries", "templates/default"))
        suffix = ".erb" if kind.startswith("templates") else ".rb"
        written += _write(folder / kind / f"f{n}{suffix}", _text(rng, code, text // (2 * files)))
    written += _write(folder / "files/default/data.json", _text(rng, code, text // 4))
    written += _write(folder / "README.md", _text(rng, code, text // 8))
    return written


def _write(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    return len(data)


def _timed(command: list[str] | str, *, check: bool = True, **kwargs: object) -> Timing:
    """Wall time and CPU time (user + system, all child processes) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=check, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def _row(label: str, timing: Timing, tail: str) -> str:
    return f"{label:<19}: {timing.wall:6.2f} s wall {timing.cpu:6.2f} s CPU  {tail}"


@dataclass(frozen=True, order=True)
class Timing:
    wall: float
    cpu: float


def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="cookbook-bench-"))
    try:
        repo = work / "repo"
        repo.mkdir()
        size = generate(repo, args.size_mb, args.cookbooks, args.text_kb)
        print(f"corpus: {args.cookbooks} cookbooks, {size / 1e6:.1f} MB in {repo}")
        ours_out, tar_out = work / "ours", work / "tar.tar.gz"
        # Like an installed tool: bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = str(ROOT)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "cookbook-tool-pycache")
        ours_command = [
            sys.executable,
            "-m",
            "cookbook_tool",
            "bundle",
            str(repo),
            "-o",
            str(ours_out),
        ]
        pipeline = (
            f"tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner "
            f"-C {repo} -c cookbooks | gzip -6 > {tar_out}"
        )
        _timed(["tar", "-C", str(repo), "-cf", "/dev/null", "cookbooks"])  # warm the cache
        ours = min(_timed(ours_command, env=env) for _ in range(args.runs))
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        tar = min(_timed(pipeline, shell=True) for _ in range(args.runs))
        check = [sys.executable, "-m", "cookbook_tool", "validate", str(repo), "--skip-json", "-q"]
        validate = min(_timed(check, env=env, check=False) for _ in range(args.runs))
        ours_size = (ours_out / "bench-1.0.0.tar.gz").stat().st_size
        tar_size = tar_out.stat().st_size
        print(f"load average       : {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(_row("tar | gzip -6", tar, f"{tar_size / 1e6:8.2f} MB"))
        print(_row("cookbook-tool", ours, f"{ours_size / 1e6:8.2f} MB"))
        print(_row("  of which validate", validate, "(`cookbook-tool validate` alone)"))
        bundling = max(ours.wall - validate.wall, 1e-3)
        print(f"speed-up (wall)    : {tar.wall / ours.wall:6.2f} x   (target >= 5)")
        print(f"speed-up, bundling : {tar.wall / bundling:6.2f} x   (wall time minus validate)")
        print(f"size vs gzip -6    : {100 * (ours_size / tar_size - 1):+6.2f} %  (target <= +5)")
        print(f"peak RSS (ours)    : {rss_mb:6.1f} MB")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=150, help="corpus size (default 150)")
    parser.add_argument("--cookbooks", type=int, default=200, help="number of cookbooks")
    parser.add_argument(
        "--text-kb", type=int, default=150,
        help="text per cookbook in KB (default 150, like real cookbooks); the rest of --size-mb "
        "is incompressible payloads. --text-kb 750 with the defaults: an all-text corpus",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each, best is kept")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and archives")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
