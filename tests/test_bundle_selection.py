"""Which cookbooks go into a bundle, and the settings the CLI resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from cookbook_tool.archive.tar import DEFAULT_MTIME
from cookbook_tool.bundle.settings import bundle_settings, parse_source_date_epoch
from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.selection import REASON_REQUESTED, select_cookbooks
from cookbook_tool.errors import UsageError
from tests.bundle_helpers import load_cookbooks, make_cookbook


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """app -> web -> base, tools alone, and a second version conflict free."""
    root = tmp_path / "repo"
    make_cookbook(root / "cookbooks/base", "base", "1.5.0")
    make_cookbook(root / "cookbooks/web", "web", "2.0.0", {"base": "~> 1.2"})
    make_cookbook(root / "cookbooks/app", "app", "0.1.0", {"web": ">= 2.0", "apache2": ">= 0.0"})
    make_cookbook(root / "cookbooks/tools", "tools")
    return root


def test_transitive_closure(chain):
    selection = select_cookbooks(load_cookbooks(chain), ["app"], external={"apache2"})
    assert [c.name for c in selection.cookbooks] == ["app", "base", "web"]
    assert selection.reasons == {
        "app": REASON_REQUESTED,
        "web": "dependency of app",
        "base": "dependency of web",
    }
    assert selection.findings == []


def test_all_by_default_and_unresolved_external(chain):
    selection = select_cookbooks(load_cookbooks(chain))
    assert [c.name for c in selection.cookbooks] == ["app", "base", "tools", "web"]
    assert [(f.rule, f.cookbook, f.line) for f in selection.findings] == [
        ("bundle-unresolved-dependency", "app", 4)
    ]


def test_unknown_name_is_a_usage_error(chain):
    with pytest.raises(UsageError, match="no cookbook named nosuch .*app, base, tools, web"):
        select_cookbooks(load_cookbooks(chain), ["nosuch"])


def test_duplicate_names(tmp_path):
    make_cookbook(tmp_path / "cookbooks/one", "same")
    make_cookbook(tmp_path / "site-cookbooks/two", "same")
    selection = select_cookbooks(load_cookbooks(tmp_path))
    assert [f.rule for f in selection.findings] == ["bundle-duplicate-cookbook"]


def test_settings_precedence(tmp_path):
    config = Config(bundle_name="stack", bundle_version="1.0.0", layout="flat")
    settings = bundle_settings(tmp_path, config, version="2.0.0", archive_format="zip")
    assert (settings.name, settings.version, settings.layout) == ("stack", "2.0.0", "flat")
    assert settings.filename == "stack-2.0.0.zip"
    assert settings.output_dir == tmp_path / "out"
    assert settings.mtime == DEFAULT_MTIME


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "no bundle version"),
        ({"version": "1.0/../x"}, "is not a version"),
        ({"version": "1.0", "name": "../up"}, "cannot be part of a file name"),
        ({"version": "1.0", "layout": "nested"}, "unknown layout"),
        ({"version": "1.0", "archive_format": "rar"}, "unknown archive format"),
    ],
)
def test_settings_usage_errors(tmp_path, kwargs, message):
    with pytest.raises(UsageError, match=message):
        bundle_settings(tmp_path, Config(), **kwargs)


def test_source_date_epoch_parsing():
    assert parse_source_date_epoch(None) == DEFAULT_MTIME
    assert parse_source_date_epoch("") == DEFAULT_MTIME
    assert parse_source_date_epoch(" 1700000000 ") == 1700000000
    for bad in ("soon", "-1", str(8**11)):
        with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
            parse_source_date_epoch(bad)
