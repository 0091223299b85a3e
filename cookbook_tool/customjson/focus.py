"""Where the explaining pass needs to look: only where the fast pass found errors.

jsonschema (Python) explains a failing document; walking all of a 60 KB document costs
milliseconds per file. jsonschema-rs has already said where its errors are (their instance
paths). Below a member that is neither on the way to an error nor inside one, every value is
valid — both passes match patterns with the same engines and check no formats — so the
explaining pass does not descend there (``properties``, ``patternProperties`` and
``additionalProperties`` ask :func:`wanted`). Inside an error's location everything is walked,
so ``oneOf``/``anyOf`` alternatives are still compared in full. Schemas with
``unevaluatedProperties``/``unevaluatedItems`` (whose verdict depends on what was walked) are
always walked in full.

The focus is per document and per thread (a context variable), set by :func:`focused`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from cookbook_tool.metadata.jsonindex import Pointer


@dataclass
class Focus:
    on_way: set[int] = field(default_factory=set)  # ids of values on the way to an error
    inside: set[int] = field(default_factory=set)  # ids of values at or inside an error


_FOCUS: ContextVar[Focus | None] = ContextVar("cookbook_tool_focus", default=None)


def focus_of(document: object, error_paths: Iterable[Pointer]) -> Focus:
    """The values on the way to (and at) each error path of ``document``."""
    focus = Focus()
    paths = list(error_paths)
    for path in paths:
        node = document
        focus.on_way.add(id(node))
        for part in path:
            try:
                node = node[part]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                break
            focus.on_way.add(id(node))
        else:
            focus.inside.add(id(node))
    if () in paths or not paths:
        focus.inside.add(id(document))
    return focus


@contextmanager
def focused(focus: Focus | None) -> Iterator[None]:
    token = _FOCUS.set(focus)
    try:
        yield
    finally:
        _FOCUS.reset(token)


def wanted(parent: object, child: object) -> bool:
    """Whether the explaining pass should descend from ``parent`` into ``child``."""
    focus = _FOCUS.get()
    if focus is None:
        return True
    if id(parent) in focus.inside:
        focus.inside.add(id(child))
        return True
    return id(child) in focus.on_way or id(child) in focus.inside
