"""A schema compiled once and reused for every file.

Two validators per schema: a fast one (jsonschema-rs, compiled Rust) that only says valid or
not, and the reference one (jsonschema) that explains, used only for documents that fail.
Both are built lazily, and both resolve ``$ref`` from the bundle's resources only: no network.
Both match the schema's patterns with jsonschema-rs's engines (:mod:`patterns`), never with
Python's backtracking ``re``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cookbook_tool.customjson.focus import Focus, focus_of, focused
from cookbook_tool.customjson.nesting import depth_levels
from cookbook_tool.customjson.patterns import keyword_overrides, pattern_options
from cookbook_tool.customjson.schemastore import SchemaBundle, builtin_name, resolve_schema
from cookbook_tool.customjson.unknownkeys import KeyRule, KeyTree, key_rules
from cookbook_tool.errors import LocalError

if TYPE_CHECKING:
    from cookbook_tool.customjson.messages import Violation

CUSTOM_JSON_SCHEMA = "opsworks-custom-json"
_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_WRAPPER_URI = "urn:cookbook-tool:schema-within-depth"


class CompiledSchema:
    def __init__(self, bundle: SchemaBundle) -> None:
        self.bundle = bundle
        self.key_rules: list[KeyRule] = key_rules(bundle)
        self.key_tree = KeyTree(self.key_rules)
        self.is_custom_json = _is_custom_json(bundle)
        self._fast: Any = None
        self._slow: Any = None
        self._fast_within: dict[int, Any] = {}  # max depth -> the fast pass and the depth
        self._walk_all: bool | None = None

    @property
    def label(self) -> str:
        return self.bundle.builtin or self.bundle.label

    def is_valid(self, instance: object) -> bool:
        if self._fast is None:
            self._fast = self._compile_fast()
        try:
            return bool(self._fast.is_valid(instance))
        except (ValueError, TypeError):  # not a JSON value (a TOML date): let jsonschema explain
            return False

    def is_valid_within(self, instance: object, max_depth: int) -> bool:
        """Whether ``instance`` is valid *and* nests at most ``max_depth`` levels, in one
        Rust walk (one conversion of the document instead of two); False when either fails
        or cannot be told (the caller then asks each question on its own)."""
        if max_depth not in self._fast_within:
            self._fast_within[max_depth] = self._compile_fast_within(max_depth)
        validator = self._fast_within[max_depth]
        try:
            return validator is not None and bool(validator.is_valid(instance))
        except (ValueError, TypeError, OverflowError):
            return False

    def violations(self, instance: object) -> list[Violation]:
        if self._slow is None:
            self._slow = self._compile_slow()
        from referencing.exceptions import Unresolvable

        from cookbook_tool.customjson.messages import violations  # only for failing documents

        try:
            with focused(self._focus(instance)):
                return list(violations(self._slow.iter_errors(instance)))
        except Unresolvable as exc:
            raise LocalError(f"schema {self.label}: cannot resolve {exc}") from exc
        except RecursionError as exc:
            raise LocalError(f"schema {self.label}: recursion too deep while validating") from exc

    def _focus(self, instance: object) -> Focus | None:
        """Where the fast pass found errors; None (walk everything) when that cannot be used."""
        if self._walk_all is None:
            text = json.dumps(list(self.bundle.resources.values()), default=str)
            self._walk_all = "unevaluatedProperties" in text or "unevaluatedItems" in text
        if self._walk_all:
            return None
        if self._fast is None:
            self._fast = self._compile_fast()
        try:
            paths = [tuple(e.instance_path) for e in self._fast.iter_errors(instance)]
        except (ValueError, TypeError):
            return None
        return focus_of(instance, paths)

    def _compile_fast(self) -> Any:
        import jsonschema_rs

        registry = jsonschema_rs.Registry(list(self.bundle.resources.items()))
        try:
            return jsonschema_rs.validator_for(
                self.bundle.root, registry=registry, offline=True, validate_formats=False,
                base_uri=self.bundle.uri, pattern_options=pattern_options(),
            )
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as exc:
            message = str(exc).splitlines()[0]
            raise LocalError(f"schema {self.label} cannot be compiled: {message}") from exc

    def _compile_fast_within(self, max_depth: int) -> Any:
        """``allOf`` the schema (by its URI, from the same registry) and the depth limit; None
        for a root of another dialect than 2020-12, whose ``$ref`` from a 2020-12 wrapper
        might be read otherwise, or when the wrapper cannot be compiled."""
        import jsonschema_rs

        if self.bundle.root.get("$schema", _DRAFT_2020_12) != _DRAFT_2020_12:
            return None
        if self.bundle.resources.get(self.bundle.uri) is not self.bundle.root:
            return None
        wrapper = {"$schema": _DRAFT_2020_12, "$defs": depth_levels(max_depth),
                   "allOf": [{"$ref": self.bundle.uri}, {"$ref": f"#/$defs/{max_depth}"}]}
        registry = jsonschema_rs.Registry(list(self.bundle.resources.items()))
        try:
            return jsonschema_rs.validator_for(
                wrapper, registry=registry, offline=True, validate_formats=False,
                base_uri=_WRAPPER_URI, pattern_options=pattern_options(),
            )
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
            return None

    def _compile_slow(self) -> Any:
        # Lazy: jsonschema costs ~70 ms to import and is needed only for failing documents.
        from jsonschema.validators import Draft202012Validator, extend, validator_for
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        resources = [
            (uri, Resource.from_contents(contents, default_specification=DRAFT202012))
            for uri, contents in self.bundle.resources.items()
        ]
        registry: Registry[Any] = Registry(
            retrieve=_never_retrieve,  # type: ignore[call-arg]
        ).with_resources(resources)
        cls = validator_for(self.bundle.root, default=Draft202012Validator)
        # Patterns are matched by the same engine as the fast pass: never catastrophic.
        safe = extend(cls, keyword_overrides())  # type: ignore[no-untyped-call]
        return safe(self.bundle.root, registry=registry)


def _never_retrieve(uri: str) -> Any:
    raise LocalError(f"{uri} is not a known schema; remote schemas are never fetched")


def _is_custom_json(bundle: SchemaBundle) -> bool:
    """The built-in custom JSON schema, or a schema that ``$ref``s it at its root."""
    if bundle.builtin == CUSTOM_JSON_SCHEMA:
        return True
    root = bundle.root
    refs = [root.get("$ref")] + [s.get("$ref") for s in root.get("allOf") or []
                                 if isinstance(s, dict)]
    return any(isinstance(r, str) and builtin_name(r) == CUSTOM_JSON_SCHEMA for r in refs)


@functools.cache
def compiled_builtin(name: str) -> CompiledSchema:
    """Built-in schemas never change during a run: compile each once per process."""
    return CompiledSchema(resolve_schema(name, Path(".")))


def compile_schema(ref: str, base_dir: Path) -> CompiledSchema:
    name = builtin_name(ref)
    if name is not None:
        return compiled_builtin(name)
    return CompiledSchema(resolve_schema(ref, base_dir))
