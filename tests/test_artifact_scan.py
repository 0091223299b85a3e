"""``open_artifact`` and ``checked_artifact`` read a .tar.gz once: the manifest, the identity
(sha256 of the uncompressed tar) and the file's own sha256 must equal what separate passes
give; ``artifact_from_bundle`` gives the same artifact without reading the file."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from cookbook_tool.archive.manifest import find_manifest
from cookbook_tool.archive.read import Limits, scan_archive
from cookbook_tool.artifact import artifact_from_bundle, checked_artifact, open_artifact
from cookbook_tool.bundle.build import ArchiveFormat, BundleSettings, build_bundle
from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.discovery import discover
from tests.cli import run_cli


def test_single_pass_matches_separate_passes(sample_repo: Path, tmp_path: Path):
    big = sample_repo / "cookbooks/webapp/files/default/blob.bin"
    big.parent.mkdir(parents=True)
    big.write_bytes(os.urandom(3 << 20))  # several reads of the 1 MiB chunk
    assert run_cli("bundle", sample_repo, "-o", tmp_path / "out").code == 0
    path = tmp_path / "out/cookbooks-1.4.0.tar.gz"
    with gzip.open(path, "rb") as stream:
        identity = hashlib.sha256(stream.read()).hexdigest()
    archive_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with tarfile.open(path, "r:gz") as archive:
        member = archive.extractfile("cookbooks/.manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    for artifact in (open_artifact(path), checked_artifact(path)):
        assert (
            (artifact.name, artifact.version)
            == (manifest["bundle"]["name"], manifest["bundle"]["version"])
            == ("cookbooks", "1.4.0")
        )
        assert (artifact.sha256, artifact.archive_sha256) == (identity, archive_sha)


def test_archive_without_manifest_uses_the_file_name(tmp_path: Path):
    path = tmp_path / "berks-2.0.1.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = b"name 'x'\nversion '1.0.0'\n"
        info = tarfile.TarInfo("cookbooks/x/metadata.rb")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    artifact = open_artifact(path)
    assert (artifact.name, artifact.version) == ("berks", "2.0.1")
    assert find_manifest(scan_archive(path, lambda name, size: True, Limits()).entries) is None


@pytest.mark.parametrize("archive_format", ["tar.gz", "zip"])
def test_artifact_from_the_bundle_result_equals_reading_the_file(
    sample_repo: Path, tmp_path: Path, archive_format: ArchiveFormat
):
    repo = discover(sample_repo, Config().cookbook_dirs)
    settings = BundleSettings(tmp_path / "out", "cookbooks", "1.4.0", archive_format=archive_format)
    result = build_bundle(sample_repo, repo.cookbooks, settings)
    assert result.path is not None
    built = artifact_from_bundle(result, source_commit="ab" * 20)
    assert built == open_artifact(result.path, source_commit="ab" * 20)
    assert built.archive_format == archive_format
