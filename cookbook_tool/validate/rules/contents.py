"""One pass over the bytes of every file a cookbook ships, for the rules that look inside
files: the secret scan (every file) and the ``include_recipe`` check (``recipes/*.rb``).

Each file's bytes are taken once from the loaded repository (``CookbookFiles.content``: read
from disk once, kept for the archive writer when bundling) and handed to both scanners, which
first test for a literal (``PRIVATE KEY``, ``AKIA``/``ASIA``, ``include_recipe``) in C before
any pattern or decoding. A file larger than ``CACHED_FILE_BYTES`` is streamed by the secret
scan, and the start of a large recipe read for its includes. This is the last read of the
rules: when nothing reads the files after them (``validate`` alone), it frees the bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.findings import Finding
from cookbook_tool.validate.rules.context import RuleContext
from cookbook_tool.validate.rules.recipes import IncludeCheck, is_recipe_source
from cookbook_tool.validate.rules.registry import finding
from cookbook_tool.validate.rules.secrets import file_secrets, unreadable


def check_contents(context: RuleContext, of: Cookbook) -> Iterator[Finding]:
    """The secret and ``include_recipe`` findings of a cookbook's files. An unreadable file
    fails the run (``unreadable``): it would ship unchecked."""
    walked = context.files_of(of)
    includes = IncludeCheck(context, of)
    final = context.loaded.rules_read_last
    for entry in walked.shipped():
        if not entry.is_file_like:
            continue
        try:
            kept = walked.content(entry, final=final)
            secrets = file_secrets(entry, kept)
        except OSError as exc:
            raise unreadable(entry.path, exc) from exc
        if is_recipe_source(entry.relpath):
            yield from includes.file(entry, kept)
        for rule, line, message in secrets:
            yield finding(rule, message, entry.path, line, cookbook=of.dirname)
