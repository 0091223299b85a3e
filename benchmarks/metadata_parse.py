"""Print how long reading metadata takes: per metadata.rb / metadata.json, and import time.

Run: python benchmarks/metadata_parse.py [FOLDER...]
With folders, also reads every cookbook below them (a folder holding metadata.rb/.json) and
prints the time per cookbook and the findings by rule: a check against real repositories.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cookbook_tool.metadata.read import read_metadata  # noqa: E402

TYPICAL = """\
name              'nginx'
maintainer        'Chef Software, Inc.'
maintainer_email  'cookbooks@chef.io'
license           'Apache-2.0'
description       'Installs and configures nginx'
long_description  IO.read(File.join(File.dirname(__FILE__), 'README.md'))
version           '12.0.4'
chef_version      '>= 15.3' if respond_to?(:chef_version)

%w(amazon centos debian fedora oracle redhat scientific ubuntu).each do |os|
  supports os
end

depends 'yum-epel', '>= 3.0'
depends 'apt', '~> 7.0'
recipe 'nginx::default', "Installs nginx"
attribute 'nginx/port', display_name: 'Port', :type => 'string', default: '80'
source_url 'https://github.com/sous-chefs/nginx' if respond_to?(:source_url)
issues_url 'https://github.com/sous-chefs/nginx/issues' if respond_to?(:issues_url)
"""


def per_call(folder: Path, rounds: int = 2000) -> str:
    """Milliseconds per call: wall clock and CPU time (the CPU figure resists machine load)."""
    read_metadata(folder)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        read_metadata(folder)
    wall = (time.perf_counter() - start) / rounds * 1000
    used = (time.process_time() - cpu) / rounds * 1000
    return f"{wall:.3f} ms wall, {used:.3f} ms CPU"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rb = Path(tmp) / "nginx"
        rb.mkdir()
        (rb / "metadata.rb").write_text(TYPICAL)
        (rb / "README.md").write_text("# nginx\n" * 50)
        js = Path(tmp) / "apache2"
        js.mkdir()
        md, _ = read_metadata(rb)
        assert md is not None
        (js / "metadata.json").write_text(json.dumps({
            "name": md.name, "version": md.version, "platforms": md.supports,
            "dependencies": {d.name: d.raw_constraint or ">= 0.0.0" for d in md.depends},
            "long_description": md.long_description, "chef_versions": [md.chef_version]},
            indent=2))
        print(f"read_metadata, metadata.rb ({len(TYPICAL.splitlines())} lines): "
              f"{per_call(rb)} per cookbook (file read included)")
        print(f"read_metadata, metadata.json: {per_call(js)} per cookbook")
    shared = "import cookbook_tool.findings, cookbook_tool.cookbook.model, json, pathlib"
    for baseline, label in (("pass", "a bare interpreter"),
                            (shared, "findings, model, json and pathlib (imported anyway)")):
        wall, cpu = import_ms(baseline)
        print(f"import cookbook_tool.metadata.read: {wall:.1f} ms wall, {cpu:.1f} ms CPU over "
              f"{label}; bytecode cached")


def import_ms(baseline: str) -> tuple[float, float]:
    """Best of 5 whole-process times (wall, CPU) of the import, minus a bare interpreter's."""
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache

        def best(code: str) -> tuple[float, float]:
            walls, cpus = [], []
            for _ in range(6):  # the first run writes the bytecode cache
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
                walls.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            return min(walls[1:]), min(cpus[1:])

        module, bare = best(f"{baseline}; import cookbook_tool.metadata.read"), best(baseline)
        return (module[0] - bare[0]) * 1000, (module[1] - bare[1]) * 1000


def survey(folders: list[str]) -> None:
    from collections import Counter

    cookbooks = sorted({p.parent for f in folders for p in Path(f).rglob("metadata.*")
                        if p.name in ("metadata.rb", "metadata.json")})
    counts: Counter[str] = Counter()
    start = time.perf_counter()
    for cookbook in cookbooks:
        _, findings = read_metadata(cookbook)
        counts.update(f.rule for f in findings)
    elapsed = time.perf_counter() - start
    print(f"{len(cookbooks)} cookbooks read in {elapsed * 1000:.1f} ms "
          f"({elapsed / max(len(cookbooks), 1) * 1000:.3f} ms each); findings: {dict(counts)}")


if __name__ == "__main__":
    main()
    if len(sys.argv) > 1:
        survey(sys.argv[1:])
