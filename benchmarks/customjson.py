"""Custom JSON validation speed: cookbook-tool vs check-jsonschema, whole process, side by side.

Generates a corpus of custom-JSON files in a temporary folder, then runs, alternately (so both
see the same load on a shared machine), each several times:

* ``check-jsonschema --schemafile <deploy schema> files...``
* ``python -m cookbook_tool validate --schema opsworks-custom-json files...``

and prints, for each: the median wall clock, the median CPU (user + system), the peak RSS of
the process; then the ratio (check-jsonschema's median / ours).

Shapes:

* ``--shape small``: 1,000 files of 4 apps each (about 7.7 MB).
* ``--shape large``: realistic stack files, 1-20 apps each with 3-30 environment variables
  (about 19 KB on average, the largest about 60 KB, 19 MB for 1,000 files).

Variants: ``valid`` (every file valid), ``invalid`` (5% of the files broken: a port given as a
string, an unknown ``application_type``, a trailing comma, a ``reconnect`` of ``"yes"``; both
tools exit 1, and ours must report every error with its line, column and JSON path, which is
checked once before timing). ``--variant both`` (the default) runs the two one after the other.

The schema given to check-jsonschema is the built-in one with the deploy-app schema inlined
(check-jsonschema would otherwise try to download it by its ``$id``).

Usage: python benchmarks/customjson.py [--shape large] [--variant both] [--files 1000] [--runs 5]
Needs the ``bench`` extra (check-jsonschema).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INVALID_SHARE = 0.05
Document = dict[str, object]


def variables(rng: random.Random, name: str, count: int) -> dict[str, str]:
    """Environment variables of the kinds apps have: service URLs, flags, sizes, keys."""
    found = {}
    for i in range(count):
        form = rng.randrange(4)
        if form == 0:
            found[f"SERVICE_{i}_URL"] = (f"https://{name}-svc{i}.internal.example.com:8443/api/"
                                        f"v{rng.randint(1, 3)}/{rng.getrandbits(48):012x}")
        elif form == 1:
            found[f"FEATURE_FLAG_{i}"] = rng.choice(["enabled", "disabled", "canary-10pct"])
        elif form == 2:
            found[f"WORKER_POOL_SIZE_{i}"] = str(rng.randint(1, 512))
        else:
            found[f"CACHE_NAMESPACE_{i}"] = f"{name}-cache-{rng.getrandbits(64):016x}"
    return found


def app(rng: random.Random, name: str, count: tuple[int, int] = (8, 16)) -> Document:
    kind = rng.choice(["java", "nodejs", "php", "rails", "web", "other"])
    return {
        "application": name,
        "application_type": kind,
        "deploy_to": f"/srv/www/{name}",
        "document_root": rng.choice([None, "public", "web"]),
        "domains": [f"{name}.example.com", f"www.{name}.example.com"],
        "keep_releases": rng.randint(2, 10),
        "migrate": rng.random() < 0.5,
        "ssl_support": False,
        "user": "deploy",
        "group": "www-data",
        "rails_env": "production" if kind == "rails" else None,
        "environment_variables": variables(rng, name, rng.randint(*count)),
        "database": {
            "adapter": "mysql",
            "data_source_provider": rng.choice(["mysql", "rds"]),
            "host": f"{name}-db.cluster-{rng.getrandbits(32):08x}.us-west-2.rds.amazonaws.com",
            "port": 3306,
            "database": name,
            "username": name,
            "password": f"{rng.getrandbits(64):016x}",
            "reconnect": True,
        },
        "scm": {
            "scm_type": "git",
            "repository": f"git@github.com:example/{name}.git",
            "revision": rng.choice(["main", "release-1.4", None]),
            "user": None,
            "password": None,
            "ssh_key": None,
        },
        "memcached": {"host": "10.0.3.7", "port": 11211},
        "symlinks": {"system": "public/system", "pids": "tmp/pids", "log": "log"},
        "symlink_before_migrate": {"config/database.yml": "config/database.yml"},
        "purge_before_symlink": ["log", "tmp/pids", "public/system"],
        "stack": {"needs_reload": True},
    }


def small_document(rng: random.Random, index: int) -> Document:
    names = [f"app{index}x{n}" for n in range(4)]
    return {
        "deploy": {name: app(rng, name) for name in names},
        "db_connect": {"config_dir": "/etc/app", "pool": 5},
        "monitoring": {"enabled": True, "interval": 30, "tags": ["prod", f"shard-{index % 8}"]},
    }


def certificate(rng: random.Random) -> str:
    """A PEM certificate's shape (random bytes, base64 lines of 64 characters)."""
    body = base64.b64encode(rng.randbytes(900)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def large_app(rng: random.Random, name: str) -> Document:
    found = app(rng, name, (3, 30))
    if rng.random() < 0.2:
        found.update(ssl_support=True, ssl_certificate=certificate(rng))
    return found


def large_document(rng: random.Random, index: int) -> Document:
    """A realistic stack file: 1-20 apps, 3-30 environment variables each, plus the
    attributes of the team's own cookbooks."""
    names = [f"{rng.choice(['api', 'web', 'worker', 'admin', 'billing'])}{index}x{n}"
             for n in range(round(rng.triangular(1, 20, 1)))]
    return {
        "deploy": {name: large_app(rng, name) for name in names},
        "db_connect": {"config_dir": "/etc/app", "pool": rng.randint(2, 20)},
        "nginx": {"worker_processes": 4, "client_max_body_size": "20m", "gzip": "on"},
        "monitoring": {"enabled": True, "interval": 30,
                       "tags": ["prod", f"shard-{index % 8}", f"team-{index % 5}"]},
    }


SHAPES: dict[str, Callable[[random.Random, int], Document]] = {
    "small": small_document,
    "large": large_document,
}


def break_document(rng: random.Random, document: Document) -> str:
    """The document's text with one to three errors a user makes."""
    deploy = document["deploy"]
    assert isinstance(deploy, dict)
    apps = list(deploy.values())
    for _ in range(rng.randint(1, 3)):
        target = rng.choice(apps)
        fault = rng.choice(["port", "type", "reconnect"])
        if fault == "port":
            target["database"]["port"] = "3306"
        elif fault == "type":
            target["application_type"] = "django"
        else:
            target["database"]["reconnect"] = "yes"
    text = json.dumps(document, indent=2) + "\n"
    if rng.random() < 0.25:  # a trailing comma: no schema check for that file
        text = text.replace('"stack": {', '"stack": {"needs_reload": true,}, "x": {', 1)
    return text


def generate(folder: Path, count: int, shape: str, invalid: bool) -> list[Path]:
    rng = random.Random(1234)
    broken = set(random.Random(99).sample(range(count), int(count * INVALID_SHARE))
                 if invalid else [])
    paths = []
    for i in range(count):
        path = folder / f"custom-{i:04d}.json"
        document = SHAPES[shape](rng, i)
        text = (break_document(rng, document) if i in broken
                else json.dumps(document, indent=2) + "\n")
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def bundled_schema(folder: Path) -> Path:
    """The built-in custom JSON schema with the deploy-app schema inlined under $defs."""
    schemas = ROOT / "schemas"
    root = json.loads((schemas / "opsworks-custom-json.json").read_text())
    deploy_app = json.loads((schemas / "opsworks-deploy-app.json").read_text())
    deploy_app.pop("$id")
    deploy_app.pop("$schema")
    root["$defs"] = {"app": deploy_app}
    root["properties"]["deploy"]["additionalProperties"] = {"$ref": "#/$defs/app"}
    path = folder / "deploy-schema.json"
    path.write_text(json.dumps(root, indent=2))
    return path


@dataclass
class Runs:
    label: str
    command: list[str]
    expected: int
    walls: list[float]
    cpus: list[float]
    rss: list[int]  # KiB

    def once(self) -> None:
        start = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            process = subprocess.Popen(self.command, env=_env(), stdout=out,
                                       stderr=subprocess.STDOUT, cwd=ROOT)
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            self.walls.append(time.perf_counter() - start)
            self.cpus.append(usage.ru_utime + usage.ru_stime)
            self.rss.append(usage.ru_maxrss)
            if process.returncode != self.expected:
                out.seek(0)
                sys.exit(f"{self.label}: exit {process.returncode}, expected {self.expected}\n"
                         + out.read()[-3000:].decode(errors="replace"))

    def line(self) -> str:
        return (f"{statistics.median(self.walls):7.3f} s wall {statistics.median(self.cpus):7.3f}"
                f" s CPU {max(self.rss) / 1024:6.1f} MB peak RSS  {self.label}")


def check_our_findings(paths: list[str], broken: int) -> str:
    """Every error of the broken files is reported with line, column and JSON path."""
    command = [sys.executable, "-m", "cookbook_tool", "validate", "--schema",
               "opsworks-custom-json", "--format", "json", *paths]
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, cwd=ROOT,
                          check=False)
    report = json.loads(done.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    files = {f["file"] for f in errors}
    placed = [f for f in errors if f.get("line") and f.get("column")
              and (f.get("path") is not None or f["rule"] == "json-syntax")]
    if len(files) != broken or len(placed) != len(errors):
        sys.exit(f"ours: {len(files)} files with errors (expected {broken}), "
                 f"{len(errors) - len(placed)} error(s) without a place")
    return f"ours reports {len(errors)} errors in {len(files)} files, each with line, column, path"


def _env() -> dict[str, str]:
    """Like installed tools: bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "cookbook-tool-pycache")
    return env


def run_variant(args: argparse.Namespace, checker: str, invalid: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="cookbook-tool-bench-") as tmp:
        folder = Path(tmp)
        paths = [str(p) for p in generate(folder, args.files, args.shape, invalid)]
        sizes = [Path(p).stat().st_size for p in paths]
        broken = int(args.files * INVALID_SHARE) if invalid else 0
        schema = bundled_schema(folder)
        print(f"\n--shape {args.shape}, {'invalid' if invalid else 'valid'}: {len(paths)} files "
              f"({broken} broken), {sum(sizes) / 1e6:.1f} MB, average "
              f"{statistics.mean(sizes) / 1e3:.1f} KB, largest {max(sizes) / 1e3:.1f} KB; "
              f"whole process, median of {args.runs} runs")
        expected = 1 if invalid else 0
        peer = Runs("check-jsonschema --schemafile " + schema.name,
                    [checker, "--schemafile", str(schema), *paths], expected, [], [], [])
        ours = Runs("cookbook-tool validate --schema opsworks-custom-json",
                    [sys.executable, "-m", "cookbook_tool", "validate", "--schema",
                     "opsworks-custom-json", *paths], expected, [], [], [])
        if invalid:
            print("  " + check_our_findings(paths, broken))
        ours.once()  # warm the bytecode cache and the page cache
        ours.walls.clear(), ours.cpus.clear(), ours.rss.clear()
        for _ in range(args.runs):
            peer.once()
            ours.once()
        print("  " + peer.line())
        print("  " + ours.line())
        wall = statistics.median(peer.walls) / statistics.median(ours.walls)
        cpu = statistics.median(peer.cpus) / statistics.median(ours.cpus)
        print(f"  ratio: {wall:.1f}x faster (wall clock), {cpu:.1f}x (CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="large")
    parser.add_argument("--variant", choices=["valid", "invalid", "both"], default="both")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                      "check-jsonschema")
    for invalid in {"valid": [False], "invalid": [True], "both": [False, True]}[args.variant]:
        run_variant(args, checker, invalid)


if __name__ == "__main__":
    main()
