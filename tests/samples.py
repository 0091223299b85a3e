"""The sample repositories, copied for a test without what running them generated."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_cookbooks"
# What the README's main command (`cookbook-tool release sample_cookbooks/opsworks-stack`) and
# other local runs leave inside a sample: never part of the sample itself.
GENERATED = shutil.ignore_patterns("out", "__pycache__", ".pytest_cache")


def copy_sample(source: Path, target: Path) -> Path:
    """A private copy of the sample at ``source`` (symbolic links kept as links)."""
    shutil.copytree(source, target, symlinks=True, ignore=GENERATED)
    return target
