"""Benchmark: `cookbook-tool validate` and `bundle` against `tar --sort=name ... | gzip -6` on
the same tree.

Generates a cookbook repository in a temporary folder, then times the three whole processes
side by side in one run (median of --runs, page cache warm), and prints time, archive size,
the ratios against their targets and the peak RSS of each cookbook-tool process.

Two shapes of tree (deterministic, seeded):

- ``--shape mixed`` (default): hundreds of cookbooks of real source text (recipes, attributes,
  templates, data files cut from the standard library) plus incompressible payloads.
- ``--shape recipes``: recipe-heavy, as users' repositories are (issue 14): 200 cookbooks of
  many recipes of 30-300 resources with include_recipe lines, ERB templates, attributes,
  minified JavaScript, numeric CSV and binary blobs (``benchmarks/recipe_tree.py``).

    python benchmarks/bundle.py [--shape mixed|recipes] [--size 150M] [--cookbooks 200]
                                [--runs 5] [--keep]
    python benchmarks/bundle.py --shape recipes --size 1G --runs 3   # the RSS target
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from measured import measure
from recipe_tree import generate_recipes

ROOT = Path(__file__).resolve().parent.parent
VALIDATE_TARGET, BUNDLE_TARGET, SIZE_TARGET, RSS_TARGET_MB = 0.15, 0.25, 1.01, 100
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


def _timed(command: list[str] | str, *, check: bool = True, env: dict[str, str] | None = None
           ) -> Timing:
    """Wall time, CPU time (user + system) and peak RSS of one run of ``command`` (a shell
    pipeline counts the CPU of all its processes and the RSS of its largest)."""
    run = measure(command, env=env)
    if check and run.code != 0:
        raise SystemExit(f"{command} failed with exit code {run.code}")
    return Timing(run.wall, run.cpu, run.rss_mb)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    rss_mb: float


def _median(runs: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in runs),
        statistics.median(t.cpu for t in runs),
        max(t.rss_mb for t in runs),
    )


def _row(label: str, runs: list[Timing], tail: str) -> str:
    m = _median(runs)
    spread = f"[{min(t.wall for t in runs):.2f}-{max(t.wall for t in runs):.2f}]"
    return (f"{label:<15}: {m.wall:6.2f} s wall {spread:<12} {m.cpu:6.2f} s CPU "
            f"{m.rss_mb:7.1f} MB RSS  {tail}")


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def parse_size(text: str) -> int:
    """``150M``, ``1G``, ``100`` (MB) -> bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(float(text) * units["M"])


def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="cookbook-bench-"))
    try:
        repo = work / "repo"
        repo.mkdir()
        total = parse_size(args.size) if args.size else args.size_mb << 20
        if args.shape == "recipes":
            size = generate_recipes(repo, total, args.cookbooks)
        else:
            size = generate(repo, total >> 20, args.cookbooks, args.text_kb)
        files = sum(1 for p in repo.rglob("*") if p.is_file())
        print(f"corpus ({args.shape}): {args.cookbooks} cookbooks, {files} files, "
              f"{size / 1e6:.1f} MB in {repo}")
        compare(repo, work, args.runs)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work)


def compare(repo: Path, work: Path, runs: int) -> None:
    ours_out, tar_out = work / "ours", work / "tar.tar.gz"
    # Like an installed tool: bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "cookbook-tool-pycache")
    tool = [sys.executable, "-m", "cookbook_tool"]
    bundle = [*tool, "bundle", str(repo), "-o", str(ours_out)]
    check = [*tool, "validate", str(repo), "--skip-json", "-q"]
    pipeline = (
        f"tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner "
        f"-C {repo} -c cookbooks | gzip -6 > {tar_out}"
    )
    _timed(["tar", "-C", str(repo), "-cf", "/dev/null", "cookbooks"])  # warm the cache
    plain = work / "plain.tar"
    _timed(f"tar --sort=name -C {repo} -cf {plain} cookbooks")
    deflate_only = [sys.executable, "-c", _DEFLATE_ONLY, str(plain)]
    _timed(check, env=env, check=False)  # and the bytecode
    tar: list[Timing] = []
    validate: list[Timing] = []
    ours: list[Timing] = []
    floor: list[Timing] = []
    for _ in range(runs):  # interleaved: a burst of load elsewhere hits all three alike
        tar.append(_timed(pipeline))
        validate.append(_timed(check, env=env, check=False))
        ours.append(_timed(bundle, env=env))
        floor.append(_timed(deflate_only, env=env))
    plain.unlink()
    ours_size = (ours_out / "bench-1.0.0.tar.gz").stat().st_size
    tar_size = tar_out.stat().st_size
    t, v, b = _median(tar).wall, _median(validate).wall, _median(ours).wall
    size_ratio = ours_size / tar_size
    rss = max(x.rss_mb for x in (*validate, *ours))
    print(f"load average   : {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"median of {runs} runs, [min-max] wall")
    print(_row("tar | gzip -6", tar, f"{tar_size / 1e6:8.2f} MB"))
    print(_row("validate", validate, "(--skip-json -q)"))
    print(_row("bundle", ours, f"{ours_size / 1e6:8.2f} MB"))
    print(_row("deflate only", floor, "(the tar stream through our compressor, no tar, "
               "no reading of the tree, no validation)"))
    cores = os.cpu_count() or 1
    least = max(_median(floor).wall, (_median(floor).cpu + _median(validate).cpu) / cores)
    print(f"floor          : bundle cannot beat {least / t:5.3f} x tar|gzip -6 on {cores} "
          f"cores at this compression (max of deflate wall, (deflate + validate CPU) / cores)")
    print(f"validate / tar : {v / t:6.3f} x   (target <= {VALIDATE_TARGET}: "
          f"{_verdict(v / t, VALIDATE_TARGET)})")
    print(f"bundle / tar   : {b / t:6.3f} x   (target <= {BUNDLE_TARGET}: "
          f"{_verdict(b / t, BUNDLE_TARGET)})")
    print(f"size / gzip -6 : {size_ratio:6.4f} x   (target <= {SIZE_TARGET}: "
          f"{_verdict(size_ratio, SIZE_TARGET)})")
    print(f"peak RSS (ours): {rss:6.1f} MB  (target <= {RSS_TARGET_MB} MB for a 1 GB tree: "
          f"{_verdict(rss, RSS_TARGET_MB)})")


# The compression alone: the tar stream of the tree, already written, through the compressor
# bundle uses (zlib-ng level 5 on every core, the same bytes), to /dev/null.
_DEFLATE_ONLY = """
import sys
from cookbook_tool.archive.gzip import ParallelGzipWriter
with open(sys.argv[1], "rb") as source, open("/dev/null", "wb") as out:
    sink = ParallelGzipWriter(out)
    while block := source.read(1 << 20):
        sink.write(block)
    sink.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("mixed", "recipes"), default="mixed",
                        help="mixed (default: real source text + payloads) or recipes "
                        "(recipe-heavy, issue 14)")
    parser.add_argument("--size", help="corpus size, e.g. 100M or 1G (default 150M; "
                        "100M for --shape recipes)")
    parser.add_argument("--size-mb", type=int, default=150, help="corpus size in MB (--size)")
    parser.add_argument("--cookbooks", type=int, default=200, help="number of cookbooks")
    parser.add_argument(
        "--text-kb", type=int, default=150,
        help="text per cookbook in KB (default 150, like real cookbooks); the rest of --size-mb "
        "is incompressible payloads. --text-kb 750 with the defaults: an all-text corpus",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each (median kept)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and archives")
    args = parser.parse_args()
    if args.shape == "recipes" and args.size is None and args.size_mb == 150:
        args.size = "100M"
    run(args)


if __name__ == "__main__":
    main()
