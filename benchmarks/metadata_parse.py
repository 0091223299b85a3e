"""Print how long reading metadata takes: per metadata.rb / metadata.json, and import time.

Run: python benchmarks/metadata_parse.py   (from the repository root)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cookbook_tool.metadata import read_metadata  # noqa: E402

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


def per_call(folder: Path, rounds: int = 2000) -> float:
    read_metadata(folder)
    start = time.perf_counter()
    for _ in range(rounds):
        read_metadata(folder)
    return (time.perf_counter() - start) / rounds * 1000


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
              f"{per_call(rb):.3f} ms per cookbook (file read included)")
        print(f"read_metadata, metadata.json: {per_call(js):.3f} ms per cookbook")
    code = "import cookbook_tool.metadata"
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        timings.append(time.perf_counter() - start)
    base = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - start)
    print(f"import cookbook_tool.metadata: {(min(timings) - min(base)) * 1000:.1f} ms "
          "over a bare interpreter start")


if __name__ == "__main__":
    main()
