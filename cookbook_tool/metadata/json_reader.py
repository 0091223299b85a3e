"""Read a cookbook's ``metadata.json`` (as ``knife``/Berkshelf write it) into :class:`Metadata`.

Wrong types are ``metadata-json-invalid`` findings with the line of the key and a JSON pointer;
an invalid ``dependencies`` constraint is ``metadata-invalid-constraint``.
"""

from __future__ import annotations

import json
from pathlib import Path

from cookbook_tool.cookbook.constraints import Constraint, ConstraintError
from cookbook_tool.cookbook.model import Dependency, Metadata
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.dsl import ANY_VERSION, RULES
from cookbook_tool.metadata.jsonindex import MAX_DEPTH, Indexer, Pointer
from cookbook_tool.text import mask_aws_key_ids

STRING_KEYS = ("name", "version", "description", "long_description", "maintainer",
               "maintainer_email", "license", "source_url", "issues_url")
# metadata.json key -> Metadata field, for the "cookbook name -> constraint" objects
TABLE_KEYS = {"platforms": "supports", "recommendations": "recommends",
              "suggestions": "suggests", "conflicting": "conflicts", "replacing": "replaces",
              "recipes": "recipes"}


def parse_metadata_json(text: str, path: Path, cookbook: str | None,
                        ) -> tuple[Metadata, list[Finding]]:
    """Never raises: syntax errors and wrong types are findings."""
    reader = _JsonReader(text, path, cookbook)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.report("metadata-json-invalid", f"invalid JSON: {exc.msg}", exc.lineno,
                      exc.colno)
        return reader.metadata, reader.findings
    except RecursionError:
        reader.report("metadata-json-invalid", "JSON nested too deeply to read", 1, 1)
        return reader.metadata, reader.findings
    except ValueError as exc:  # e.g. an integer with thousands of digits
        reader.report("metadata-json-invalid", f"invalid JSON: {exc}", 1, 1)
        return reader.metadata, reader.findings
    if not isinstance(data, dict):
        reader.report("metadata-json-invalid", "metadata.json must hold a JSON object, not "
                      f"{_json_type(data)}", 1, 1)
        return reader.metadata, reader.findings
    reader.read(data)
    return reader.metadata, reader.findings


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), "a value")


def key_offsets(text: str) -> dict[Pointer, int]:
    """Offsets of the object keys by path (``("dependencies", "apt") -> offset``); a key given
    twice is placed where it first appears."""
    index = Indexer(text, MAX_DEPTH).run()
    first = {path: offset for path, _, offset in reversed(index.duplicates)}
    return {**index.keys, **first}


class _JsonReader:
    def __init__(self, text: str, path: Path, cookbook: str | None) -> None:
        self.text = text
        self.file = path.as_posix()
        self.cookbook = cookbook
        self.metadata = Metadata(source=path)
        self.findings: list[Finding] = []
        self._offsets: dict[Pointer, int] | None = None

    def line(self, *where: str) -> int | None:
        if self._offsets is None:
            self._offsets = key_offsets(self.text)
        offset = self._offsets.get(where)
        if offset is None and len(where) > 1:
            offset = self._offsets.get(where[:1])
        return None if offset is None else self.text.count("\n", 0, offset) + 1

    def report(self, rule: str, message: str, line: int | None, col: int | None = None,
               pointer: str | None = None) -> None:
        self.findings.append(Finding(self.file, line, col, rule, RULES[rule],
                                     mask_aws_key_ids(message), self.cookbook,
                                     mask_aws_key_ids(pointer) if pointer else None))

    def wrong(self, where: tuple[str, ...], expected: str, value: object) -> None:
        pointer = "/" + "/".join(w.replace("~", "~0").replace("/", "~1") for w in where)
        self.report("metadata-json-invalid", f"{pointer} must be {expected}, not "
                    f"{_json_type(value)}", self.line(*where), None, pointer)

    def read(self, data: dict[str, object]) -> None:
        md = self.metadata
        for key in STRING_KEYS:
            value = data.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                setattr(md, key, value)
                self.mark(key, key)
            else:
                self.wrong((key,), "a string", value)
        privacy = data.get("privacy")
        if isinstance(privacy, bool):
            md.privacy = privacy
            self.mark("privacy", "privacy")
        elif privacy is not None:
            self.wrong(("privacy",), "true or false", privacy)
        for key, field in TABLE_KEYS.items():
            table = self.table(data, key)
            getattr(md, field).update(table)
            for name in table:
                self.mark(f"{field}:{name}", key, name)
            if table:
                self.mark(field, key)
        md.provides = list(self.table(data, "providing"))
        md.depends = self.dependencies(data)
        md.chef_version = self.requirements(data, "chef_versions", "chef_version")
        md.ohai_version = self.requirements(data, "ohai_versions", "ohai_version")
        md.gems = self.gems(data)
        attributes = data.get("attributes")
        if isinstance(attributes, dict):
            md.attributes = dict(attributes)
        elif attributes is not None:
            self.wrong(("attributes",), "an object", attributes)
        if data.get("groupings") is not None and not isinstance(data["groupings"], dict):
            self.wrong(("groupings",), "an object", data["groupings"])

    def mark(self, field: str, *where: str) -> None:
        line = self.line(*where)
        if line is not None:
            self.metadata.lines[field] = line

    def table(self, data: dict[str, object], key: str) -> dict[str, str]:
        """An object of name -> constraint/description strings (``[]``/``["c"]`` allowed)."""
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong((key,), "an object", value)
            return {}
        table: dict[str, str] = {}
        for name, entry in value.items():
            item = entry
            if isinstance(item, list) and len(item) <= 1 and all(isinstance(i, str)
                                                                  for i in item):
                item = item[0] if item else ANY_VERSION  # Chef's old array form
            if isinstance(item, str):
                table[name] = item
            else:
                self.wrong((key, name), "a string", item)
        return table

    def dependencies(self, data: dict[str, object]) -> list[Dependency]:
        deps: list[Dependency] = []
        for name, raw in self.table(data, "dependencies").items():
            line = self.line("dependencies", name)
            try:
                constraint = Constraint.parse(raw)
            except ConstraintError as exc:
                self.report("metadata-invalid-constraint", f"dependency {name!r}: {exc}", line,
                            None, f"/dependencies/{name.replace('~', '~0').replace('/', '~1')}")
                constraint = Constraint.any()
            deps.append(Dependency(name, constraint, line, raw))
        if deps:
            self.mark("depends", "dependencies")
        return deps

    def requirements(self, data: dict[str, object], key: str, field: str) -> list[str]:
        """``[[">= 12.1", "< 15"]]`` (one list per call in metadata.rb), flattened."""
        value = data.get(key)
        if value is None:
            return []
        items = value if isinstance(value, list) else None
        flat: list[str] = []
        for item in items or []:
            group = item if isinstance(item, list) else [item]
            if not all(isinstance(g, str) for g in group):
                items = None
                break
            flat.extend(g for g in group if isinstance(g, str))
        if items is None:
            self.wrong((key,), "an array of arrays of strings", value)
            return []
        if flat:
            self.mark(field, key)
        return flat

    def gems(self, data: dict[str, object]) -> list[list[str]]:
        value = data.get("gems")
        if value is None:
            return []
        if isinstance(value, list) and all(
                isinstance(g, list) and all(isinstance(x, str) for x in g) for g in value):
            if value:
                self.mark("gems", "gems")
            return [list(g) for g in value]
        self.wrong(("gems",), "an array of arrays of strings", value)
        return []
