"""Custom JSON validation speed: cookbook-tool vs check-jsonschema, whole process.

Generates 1,000 valid custom-JSON files (about 7.7 MB, realistic ``deploy`` sections) in a
temporary folder, then times (median of several runs, whole process, wall clock):

* ``check-jsonschema --schemafile <deploy schema> files...``
* ``python -m cookbook_tool validate --schema opsworks-custom-json files...`` when the
  ``validate`` command has the ``--schema`` option, otherwise the same core call
  (``cookbook_tool.customjson.check_json_files``) through a tiny ``python -c`` driver.

The schema given to check-jsonschema is the built-in one with the deploy-app schema inlined
(check-jsonschema would otherwise try to download it by its ``$id``).

Usage: python benchmarks/customjson.py [--files 1000] [--runs 5]
Needs the ``bench`` extra (check-jsonschema).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRIVER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from cookbook_tool.customjson import check_json_files\n"
    "r = check_json_files([Path(a) for a in sys.argv[2:]], schema=sys.argv[1], mappings=[],"
    " base_dir=Path('.'))\n"
    "sys.exit(1 if any(f.is_error for f in r.findings) else 0)\n"
)


def app(rng: random.Random, name: str) -> dict[str, object]:
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
        "environment_variables": {
            f"VAR_{i}": f"value-{rng.getrandbits(48):012x}" for i in range(rng.randint(8, 16))
        },
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


def document(rng: random.Random, index: int) -> dict[str, object]:
    names = [f"app{index}x{n}" for n in range(4)]
    return {
        "deploy": {name: app(rng, name) for name in names},
        "db_connect": {"config_dir": "/etc/app", "pool": 5},
        "monitoring": {"enabled": True, "interval": 30, "tags": ["prod", f"shard-{index % 8}"]},
    }


def generate(folder: Path, count: int) -> list[Path]:
    rng = random.Random(1234)
    paths = []
    for i in range(count):
        path = folder / f"custom-{i:04d}.json"
        path.write_text(json.dumps(document(rng, i), indent=2) + "\n", encoding="utf-8")
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


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (user + system) seconds of the whole process."""
    env = _env()
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, check=False, env=env, capture_output=True, text=True,
                              cwd=ROOT)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(command[:4])} ...\n"
                     f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return statistics.median(walls), statistics.median(cpus)


def ours(schema: str, files: list[str]) -> tuple[str, list[str]]:
    helped = subprocess.run(
        [sys.executable, "-m", "cookbook_tool", "validate", "--help"], check=False,
        env=_env(), capture_output=True, text=True, cwd=ROOT,
    )
    if helped.returncode == 0 and "--schema" in helped.stdout:
        return ("cookbook-tool validate --schema",
                [sys.executable, "-m", "cookbook_tool", "validate", "--schema", schema, *files])
    return ("core via python -c driver", [sys.executable, "-c", DRIVER, schema, *files])


def _env() -> dict[str, str]:
    """Like installed tools: bytecode cached (this sandbox sets PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "cookbook-tool-pycache")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                      "check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="cookbook-tool-bench-") as tmp:
        folder = Path(tmp)
        paths = [str(p) for p in generate(folder, args.files)]
        size = sum(Path(p).stat().st_size for p in paths)
        schema = bundled_schema(folder)
        print(f"{len(paths)} files, {size / 1e6:.2f} MB; whole process, median of {args.runs} "
              "runs: wall clock / CPU (user+system)")
        base_wall, base_cpu = timed([checker, "--schemafile", str(schema), *paths], args.runs)
        print(f"  check-jsonschema --schemafile {schema.name}: "
              f"{base_wall:6.3f} s / {base_cpu:6.3f} s")
        for variant, ref in (("built-in opsworks-custom-json", "opsworks-custom-json"),
                             (f"--schema {schema.name}", str(schema))):
            label, command = ours(ref, paths)
            wall, cpu = timed(command, args.runs)
            print(f"  {label}, {variant}: {wall:6.3f} s / {cpu:6.3f} s"
                  f"  -> {base_wall / wall:4.1f}x / {base_cpu / cpu:4.1f}x faster")


if __name__ == "__main__":
    main()
