"""The manifest is ``json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)`` byte
for byte, whatever the names hold, though its file list is written from a template."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cookbook_tool.archive.manifest import (
    Manifest,
    ManifestCookbook,
    ManifestFile,
    parse_manifest,
    render_manifest,
)

names = st.text(min_size=1, max_size=12)  # any character: quotes, backslashes, control, non-BMP


def _reference(manifest: Manifest) -> bytes:
    document = {
        "manifest_version": 1,
        "bundle": {"name": manifest.name, "version": manifest.version, "layout": manifest.layout},
        "cookbooks": [
            {"name": c.name, "version": c.version, "path": c.path,
             "dependencies": dict(sorted(c.dependencies.items()))}
            for c in sorted(manifest.cookbooks, key=lambda c: c.name)
        ],
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256}
                  for f in sorted(manifest.files, key=lambda f: f.path)],
    }
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


manifests = st.builds(
    Manifest,
    name=names, version=names, layout=st.sampled_from(["cookbooks", "flat"]),
    cookbooks=st.lists(st.builds(ManifestCookbook, name=names, version=st.none() | names,
                                 path=names, dependencies=st.dictionaries(names, names,
                                                                          max_size=3)),
                       max_size=3).map(tuple),
    files=st.lists(st.builds(ManifestFile, path=names, size=st.integers(0, 2**40),
                             sha256=st.text("0123456789abcdef", min_size=64, max_size=64)),
                   max_size=6, unique_by=lambda f: f.path).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(manifests)
def test_render_is_the_reference_json_byte_for_byte(manifest: Manifest) -> None:
    assert render_manifest(manifest) == _reference(manifest)


def test_a_rendered_manifest_reads_back() -> None:
    manifest = Manifest("stack", "1.0.0", "cookbooks",
                        (ManifestCookbook("a", "1.0.0", "cookbooks/a", {"b": ">= 1.0"}),),
                        (ManifestFile('cookbooks/a/"x"\n.rb', 3, "0" * 64),))
    assert parse_manifest(render_manifest(manifest)).files == manifest.files
