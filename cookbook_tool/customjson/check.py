"""Checking JSON files (and already-parsed documents) against schemas, as findings.

Per file: strict reading (syntax, duplicates, NaN, encoding, size, depth), OpsWorks' own limits
for custom JSON, the fast validity pass and, only when it fails, the explaining pass; then the
unknown-key warnings and, on request, plaintext-secret warnings. All findings of a file are
reported, ordered by position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.config.mappings import SchemaMapping, schema_for
from cookbook_tool.customjson.compiled import CompiledSchema, compile_schema
from cookbook_tool.customjson.jsonpos import JsonDocument, Pointer, read_json_file
from cookbook_tool.customjson.nesting import within
from cookbook_tool.customjson.secrets import mask_credentials, plaintext_secrets, render
from cookbook_tool.customjson.unknownkeys import KeyRule, unknown_keys
from cookbook_tool.findings import Finding, error, sort_findings, warning

CUSTOM_JSON_MAX_BYTES = 120 * 1024

Locate = Callable[[Pointer], tuple[int | None, int | None]]


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    checked: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def pointer(path: Pointer) -> str:
    """RFC 6901 JSON pointer; ``""`` is the whole document. Credentials in keys are masked."""
    return "".join("/" + mask_credentials(str(p)).replace("~", "~0").replace("/", "~1")
                   for p in path)


def check_json_files(
    files: Sequence[Path],
    *,
    schema: str | None,
    mappings: Sequence[SchemaMapping],
    base_dir: Path,
    warn_plaintext_secrets: bool = False,
) -> CheckResult:
    """Check each file against ``schema`` (a built-in name, an ``$id`` or a path relative to
    ``base_dir``) or, without it, the first mapping whose globs match the file. Files matching no
    mapping are ``skipped``. A bad schema raises ``LocalError``; bad files are findings."""
    result = CheckResult()
    compiled: dict[str, CompiledSchema] = {}
    for path in files:
        ref = schema if schema is not None else schema_for(path, mappings, base_dir)
        if ref is None:
            result.skipped.append(path)
            continue
        if ref not in compiled:
            compiled[ref] = compile_schema(ref, base_dir)
        result.findings.extend(check_file(path, compiled[ref], warn_plaintext_secrets))
        result.checked.append(path)
    result.findings = sort_findings(result.findings)
    return result


def check_file(
    path: Path, schema: CompiledSchema, warn_plaintext_secrets: bool = False
) -> list[Finding]:
    """All findings for one file against one compiled schema, ordered by position."""
    name = path.as_posix()
    verdict: list[bool] = []  # [True]: the fast pass found the document valid, with its depth

    def within_depth(value: object, data: bytes, max_depth: int) -> bool:
        if schema.is_valid_within(value, max_depth):
            verdict.append(True)
            return True
        return within(value, data, max_depth)

    read = read_json_file(path, within_depth=within_depth)
    findings = [
        error(p.rule, p.message, name, p.line, p.column,
              path=pointer(p.path) if p.path is not None else None)
        for p in read.problems
    ]
    document = read.document
    if document is None:
        return findings
    if schema.is_custom_json:
        findings.extend(_custom_json_limits(document, name))
        if not isinstance(document.value, dict):
            return findings
    # A value already reported by the reader (NaN, a duplicate) is not reported twice.
    reported = {f.path for f in findings}
    findings.extend(f for f in _validate(document.value, schema, name, document.locate,
                                         document.locate_key, valid=bool(verdict))
                    if f.path not in reported)
    if warn_plaintext_secrets:
        findings.extend(_plaintext(document.value, name, document.locate))
    return sort_findings(findings)


def _custom_json_limits(document: JsonDocument, name: str) -> list[Finding]:
    findings = []
    if not isinstance(document.value, dict):
        line, column = document.locate(())
        kind = type(document.value).__name__ if document.value is not None else "null"
        findings.append(error("custom-json-not-object",
                              f"custom JSON must be a JSON object, not {_KINDS.get(kind, kind)}",
                              name, line, column, path=""))
    if document.size > CUSTOM_JSON_MAX_BYTES:
        findings.append(error("custom-json-too-large",
                              f"custom JSON is {document.size:,} bytes; OpsWorks accepts at most "
                              f"120 KB ({CUSTOM_JSON_MAX_BYTES:,} bytes)", name, 1, 1))
    return findings


_KINDS = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
          "bool": "a boolean", "null": "null"}


def _validate(value: object, schema: CompiledSchema, name: str, locate: Locate,
              locate_key: Locate, valid: bool = False) -> list[Finding]:
    """The schema's findings (``valid``: the fast pass already found ``value`` valid)."""
    findings = []
    if not valid and not schema.is_valid(value):
        for violation in schema.violations(value):
            line, column = (locate_key if violation.at_key else locate)(violation.path)
            findings.append(error("schema-violation", violation.message, name, line, column,
                                  path=pointer(violation.path)))
    for key_path, rule in _unknown(value, schema):
        line, column = locate_key(key_path)
        findings.append(warning("schema-unknown-key", _unknown_key_message(key_path, rule, schema),
                                name, line, column, path=pointer(key_path)))
    return findings


def _unknown_key_message(key_path: Pointer, rule: KeyRule, schema: CompiledSchema) -> str:
    from cookbook_tool.customjson.messages import key_hint  # only when a key is unknown

    key = str(key_path[-1])
    where = next((p for p in reversed(key_path[:-1]) if isinstance(p, str)), "the document")
    message = (f"unknown key {render(key)} in {mask_credentials(where)}"
               f"{key_hint(key, rule.known)}")
    if schema.is_custom_json:
        message += "; the OpsWorks cookbooks ignore keys they do not know"
    return message


def _unknown(value: object, schema: CompiledSchema) -> list[tuple[Pointer, KeyRule]]:
    return list(unknown_keys(value, schema.key_tree)) if schema.key_rules else []


def _plaintext(value: object, name: str, locate: Locate) -> list[Finding]:
    findings = []
    for path, what in plaintext_secrets(value):
        line, column = locate(path)
        holder = render(str(path[-1])) if path else "the document"
        held = f"holds {what} in plaintext" if what else "holds a plaintext secret"
        findings.append(warning(
            "json-plaintext-secret",
            f"{holder} {held} in a committed file; inject it at deploy "
            "time instead (for example from SSM Parameter Store or Secrets Manager)",
            name, line, column, path=pointer(path)))
    return findings


def validate_document(
    document: object,
    schema_name: str,
    *,
    file: str,
    locate: Locate | None = None,
    base_dir: Path | None = None,
) -> list[Finding]:
    """Validate an already-parsed document (e.g. the TOML configuration) against a schema
    (normally a built-in name). ``locate(path)`` gives the line and column of a value."""

    def unknown(_: Pointer) -> tuple[int | None, int | None]:
        return None, None

    where = locate or unknown
    schema = compile_schema(schema_name, base_dir or Path("."))
    return sort_findings(_validate(document, schema, file, where, where))
