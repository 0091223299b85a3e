"""A golden release identity: a fixed tree bundled with fixed settings gives a fixed sha256 of
the uncompressed tar stream, on any machine and with any worker count.

What the constant pins: the bytes of every tar header (names, ustar prefix split and PAX records
for long or non-ASCII names, modes 0644/0755, uid/gid 0, empty owner names, the
SOURCE_DATE_EPOCH mtime), the member order, the padding and end blocks, and the manifest's JSON
(keys, order, formatting). Any of those changing changes the identity of every release: a
published version would then be refused as "already published with different bytes".

When it must change deliberately (a new manifest field, a header fix), say so in the change
log, because every consumer's next release identity changes; then print the new value with
``python -m pytest tests/test_bundle_identity.py`` (the assertion shows it) and update
``IDENTITY`` in the same commit.

The compressed file is not pinned: its bytes come from zlib-ng and ISA-L (deflate output is
implementation-defined and may change with either library's version). It is checked to be a
function of the tree only (same bytes with other worker counts) and to hold the pinned tar.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from cookbook_tool.bundle.build import BundleSettings, build_bundle
from tests.bundle_helpers import load_cookbooks
from tests.cli import run_cli

# Pinned: see the module docstring for what it covers and how to change it deliberately.
IDENTITY = "22be183f098684b789d5faf9b8cdf4496e080fe02268910ce2911218982420ce"
EPOCH = "1700000000"

TREE: dict[str, tuple[bytes, int]] = {
    "cookbooks/base/metadata.rb": (b"name 'base'\nversion '1.2.3'\n", 0o644),
    "cookbooks/base/recipes/default.rb": (b"package 'curl'\n", 0o600),
    "cookbooks/base/files/run.sh": (b"#!/bin/sh\necho ok\n", 0o755),
    "cookbooks/base/files/empty.txt": (b"", 0o644),
    "cookbooks/base/templates/" + "d" * 90 + "/" + "long-name-" * 8 + ".erb": (b"<%= 1 %>\n", 0o644),
    "cookbooks/base/files/" + "x" * 120 + ".txt": (b"a name no ustar header can hold\n", 0o644),
    "cookbooks/base/files/caf\u00e9-\u00fcber.txt": ("non-ASCII \u00e9\n".encode(), 0o664),
    "cookbooks/app/metadata.rb": (b"name 'app'\nversion '0.1.0'\ndepends 'base', '~> 1.2'\n", 0o644),
    "cookbooks/app/recipes/default.rb": (b"include_recipe 'base'\n", 0o644),
    "cookbooks/app/attributes/default.rb": (b"default['app']['port'] = 8080\n", 0o644),
}


def _write_tree(root: Path) -> Path:
    for name, (data, mode) in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    return root


def test_fixed_tree_gives_the_golden_identity(tmp_path: Path) -> None:
    repo = _write_tree(tmp_path / "repo")
    result = run_cli("bundle", repo, "--version", "1.0.0", "-o", tmp_path / "out", "--format",
                     "json", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.code == 0, result.stdout + result.stderr
    bundle = result.json()["bundle"]
    archive = Path(bundle["path"]).read_bytes()
    assert hashlib.sha256(gzip.decompress(archive)).hexdigest() == bundle["identity"]
    assert hashlib.sha256(archive).hexdigest() == bundle["sha256"]
    assert bundle["identity"] == IDENTITY, f"the release identity changed: {bundle['identity']}"


def test_compressed_bytes_depend_only_on_the_tree(tmp_path: Path) -> None:
    repo = _write_tree(tmp_path / "repo")
    built = [
        build_bundle(repo, load_cookbooks(repo), BundleSettings(
            output_dir=tmp_path / f"out{workers}", name="cookbooks", version="1.0.0",
            mtime=int(EPOCH), workers=workers,
        ))
        for workers in (1, 3)
    ]
    assert all(result.ok and result.path for result in built)
    assert built[0].identity == built[1].identity == IDENTITY, built[0].identity
    assert built[0].sha256 == built[1].sha256
