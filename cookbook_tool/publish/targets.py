"""Pick the publisher for a target URL, as ``config.target_kinds`` declares it. Publisher modules
are imported lazily, so that commands that never publish never import boto3 or git."""

from __future__ import annotations

import importlib

from cookbook_tool.config.target_kinds import KINDS, target_kind
from cookbook_tool.publish.base import Publisher, TargetOptions


def open_publisher(url: str, options: TargetOptions | None = None) -> Publisher:
    module_name, _, class_name = KINDS[target_kind(url)].publisher.partition(":")
    publisher_class = getattr(importlib.import_module(module_name), class_name)
    publisher: Publisher = publisher_class(url, options or TargetOptions())
    return publisher
