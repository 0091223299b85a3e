"""Finding and loading schemas: the built-in ones by name or ``$id``, users' by path.

Built-in schemas live in the package's ``schemas`` folder in a wheel (hatch force-includes the
repository's top-level ``schemas/`` there) and in ``<repository>/schemas`` in a source checkout.
A user schema is loaded with every schema it ``$ref``s: built-ins by ``$id``, other files by
relative path. Nothing is ever fetched from the network; a reference to anything else is a
``LocalError`` naming the schema file and the reference.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from cookbook_tool.config.builtin_schemas import builtin_schema_dir
from cookbook_tool.customjson.jsonpos import parse_json_bytes
from cookbook_tool.errors import LocalError
from cookbook_tool.text import did_you_mean

BUILTIN_NAMES = (
    "opsworks-custom-json",
    "opsworks-deploy-app",
    "cookbook-metadata",
    "cookbook-tool-config",
)
KNOWN_METASCHEMAS = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-04/schema",
    }
)
# Keys whose values are data, not subschemas: a "$ref" inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "examples", "default"})

Schema = dict[str, Any]


@dataclass(frozen=True)
class SchemaInfo:
    name: str
    title: str
    id: str
    description: str


@dataclass
class SchemaBundle:
    """A root schema and every resource it references, keyed by URI."""

    uri: str
    label: str
    root: Schema
    resources: dict[str, Schema] = field(default_factory=dict)
    builtin: str | None = None


def schemas_dir() -> Path:
    """Where the built-in schemas are: inside the installed package, else the checkout."""
    return builtin_schema_dir()


@functools.cache
def _builtins() -> dict[str, Schema]:
    folder = schemas_dir()
    found = {}
    for name in BUILTIN_NAMES:
        path = folder / f"{name}.json"
        try:
            found[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LocalError(
                f"built-in schema {name} is missing or broken at {path}: {exc}"
            ) from exc
    return found


def _builtin_ids() -> dict[str, str]:
    return {schema["$id"]: name for name, schema in _builtins().items()}


def list_schemas() -> list[SchemaInfo]:
    return [
        SchemaInfo(name, s.get("title", ""), s["$id"], s.get("description", ""))
        for name, s in _builtins().items()
    ]


def builtin_name(ref: str) -> str | None:
    """The built-in schema's name for a name or an ``$id``, else None."""
    if ref in BUILTIN_NAMES:
        return ref
    return _builtin_ids().get(urldefrag(ref).url)


def load_schema(name: str) -> Schema:
    """A built-in schema by name or ``$id`` (a copy is not made: do not modify it)."""
    found = builtin_name(name)
    if found is None:
        hint = did_you_mean(name, BUILTIN_NAMES)
        raise LocalError(f"unknown schema {name!r}{hint}; built-in schemas: "
                         + ", ".join(BUILTIN_NAMES))
    return _builtins()[found]


def resolve_schema(ref: str, base_dir: Path) -> SchemaBundle:
    """Load a schema given as a built-in name, a built-in ``$id`` or a path (relative to
    ``base_dir`` unless absolute), with everything it references."""
    name = builtin_name(ref)
    if name is not None:
        schema = _builtins()[name]
        bundle = SchemaBundle(schema["$id"], name, schema, builtin=name)
        bundle.resources[bundle.uri] = schema
    else:
        scheme = urlsplit(ref).scheme
        if scheme and len(scheme) > 1 and scheme != "file":
            raise LocalError(f"unknown schema {ref!r}: not the $id of a built-in schema, and "
                             "remote schemas are never fetched")
        path = Path(unquote(urlsplit(ref).path)) if scheme == "file" else Path(ref)
        path = path if path.is_absolute() else base_dir / path
        if not path.is_file():
            hint = did_you_mean(ref, BUILTIN_NAMES)
            raise LocalError(f"unknown schema {ref!r}{hint}: not a built-in schema "
                             f"({', '.join(BUILTIN_NAMES)}) and no such file {path}")
        uri, schema = _load_user_schema(path)
        bundle = SchemaBundle(uri, str(path), schema)
        _register(bundle, uri, schema)
    _crawl(bundle)
    return bundle


def _load_user_schema(path: Path) -> tuple[str, Schema]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LocalError(f"{path}: cannot read schema: {exc.strerror or exc}") from exc
    read = parse_json_bytes(data)
    if read.problems or read.document is None:
        problem = read.problems[0]
        where = f":{problem.line}:{problem.column}" if problem.line else ""
        raise LocalError(f"{path}{where}: schema is not valid JSON: {problem.message}")
    schema = read.document.value
    if not isinstance(schema, dict):
        raise LocalError(f"{path}: a schema must be a JSON object")
    meta = schema.get("$schema")
    if meta is not None and urldefrag(str(meta)).url not in KNOWN_METASCHEMAS:
        raise LocalError(f"{path}: unsupported $schema {meta!r}; use draft 2020-12, 2019-09, "
                         "7, 6 or 4")
    uri = path.absolute().as_uri()
    # Relative references resolve against the file: give it its file URI as its id.
    id_key = "id" if str(meta or "").startswith("http://json-schema.org/draft-04/") else "$id"
    if id_key not in schema:
        schema = {id_key: uri, **schema}
    _check_metaschema(path, schema)
    return uri, schema


def _check_metaschema(path: Path, schema: Schema) -> None:
    import jsonschema_rs

    try:
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ValidationError as exc:
        where = "/" + "/".join(str(p) for p in exc.instance_path)
        raise LocalError(f"{path}: invalid schema at {where}: {exc.message}") from exc
    except jsonschema_rs.ReferencingError as exc:
        raise LocalError(f"{path}: invalid schema: {exc}") from exc


def _crawl(bundle: SchemaBundle) -> None:
    """Load every resource the bundle's schemas reference, never from the network."""
    files = {bundle.uri: Path(bundle.label)} if bundle.builtin is None else {}
    queue = [(bundle.uri, bundle.root)]
    while queue:
        uri, schema = queue.pop()
        for ref, base in _references(schema, uri):
            target = urldefrag(urljoin(base, ref)).url
            if not target or target in bundle.resources:
                continue
            loaded = _fetch(target, ref, files.get(uri), label=files.get(uri) or uri)
            loaded_uri, contents = loaded
            bundle.resources[target] = contents
            if loaded_uri.startswith("file:"):
                files[target] = Path(unquote(urlsplit(loaded_uri).path))
                _register(bundle, loaded_uri, contents)
            queue.append((target, contents))


def _register(bundle: SchemaBundle, uri: str, schema: Schema) -> None:
    """Known by its file URI and by its own ``$id``, whichever a reference uses."""
    bundle.resources.setdefault(uri, schema)
    own = schema.get("$id", schema.get("id"))
    if isinstance(own, str):
        bundle.resources.setdefault(urldefrag(urljoin(uri, own)).url, schema)


def _fetch(target: str, ref: str, from_file: Path | None, label: object) -> tuple[str, Schema]:
    name = builtin_name(target)
    if name is not None:
        return target, _builtins()[name]
    if target.startswith("file:"):
        return _load_referenced(Path(unquote(urlsplit(target).path)), ref, label)
    if from_file is not None and not urlsplit(ref).scheme and not ref.startswith("#"):
        return _load_referenced(from_file.parent / unquote(urldefrag(ref).url), ref, label)
    raise LocalError(f"{label}: cannot resolve $ref {ref!r} ({target}): not a built-in schema "
                     "and not a local file; remote schemas are never fetched")


def _load_referenced(path: Path, ref: str, label: object) -> tuple[str, Schema]:
    if not path.is_file():
        raise LocalError(f"{label}: $ref {ref!r} points to {path}, which does not exist")
    return _load_user_schema(path)


def _references(schema: object, uri: str) -> list[tuple[str, str]]:
    """Every ``$ref``/``$dynamicRef`` in a schema with the base URI it resolves against."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[object, str]] = [(schema, uri)]
    while stack:
        node, base = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                base = urljoin(base, node["$id"])
            for key in ("$ref", "$dynamicRef"):
                if isinstance(node.get(key), str):
                    found.append((node[key], base))
            stack.extend((v, base) for k, v in node.items() if k not in _DATA_KEYWORDS)
        elif isinstance(node, list):
            stack.extend((v, base) for v in node)
    return found
