"""Values of the static Ruby evaluation: plain Python data, :class:`Unknown` and
:data:`ASSUMED`, and the operators and methods applied to them."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

COOKBOOK = "\ue000"  # stands for the cookbook folder in paths built from __FILE__
MAX_TEXT = 4_000_000
MAX_WORK = 20_000_000  # characters produced by operators, over the whole file
MAX_NUMBER = 10**100
_STR_METHODS: dict[str, Callable[[str], str]] = {
    "strip": str.strip, "chomp": lambda s: s.removesuffix("\n").removesuffix("\r"),
    "lstrip": str.lstrip, "rstrip": str.rstrip, "downcase": str.lower, "upcase": str.upper,
    "to_s": str, "to_str": str, "to_sym": str, "freeze": str, "dup": str,
}


class Unknown:
    """A value only Ruby could compute, and why."""

    __slots__ = ("reason", "reported")

    def __init__(self, reason: str, reported: bool = False) -> None:
        self.reason = reason
        self.reported = reported  # a finding was already made for it


class EvaluationBudget(Exception):
    """Evaluation did more work than any metadata.rb needs (a loop gone wild)."""


class _Assumed:
    def __repr__(self) -> str:
        return "ASSUMED"


ASSUMED = _Assumed()


def truthy(value: object) -> bool:
    return value is not None and value is not False


def plain(value: object) -> bool:
    return not isinstance(value, Unknown | _Assumed)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_unknown(value: object) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown("respond_to?/defined? used as a value")


def logic(left: object, right: object) -> object:
    for side in (left, right):
        if isinstance(side, Unknown):
            return side
    if ASSUMED in (left, right):
        return ASSUMED
    return right


def operate(op: str, left: object, right: object) -> object:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    both_numbers = is_number(left) and is_number(right)
    try:
        if op == "+" and (both_numbers or (type(left) is type(right) and isinstance(
                left, str | list))):
            result = left + right  # type: ignore[operator]
        elif op in ("<", ">", "<=", ">=") and (both_numbers or (
                isinstance(left, str) and isinstance(right, str))):
            result = {"<": left < right, ">": left > right,  # type: ignore[operator]
                      "<=": left <= right, ">=": left >= right}[op]  # type: ignore[operator]
        elif both_numbers and op in ("-", "*"):
            result = left - right if op == "-" else left * right  # type: ignore[operator]
        else:
            return Unknown(f"the operator {op} on {type(left).__name__} and "
                           f"{type(right).__name__}")
    except (OverflowError, ValueError):
        return Unknown(f"the operator {op} overflows")
    if isinstance(result, str | list) and len(result) > MAX_TEXT:
        return Unknown("a value too large to evaluate")
    if isinstance(result, int | float) and not -MAX_NUMBER < result < MAX_NUMBER:
        return Unknown("a number too large to evaluate")
    return result


def call_method(recv: object, name: str, args: list[object], line: int) -> object:
    if isinstance(recv, str) and name in _STR_METHODS and not args:
        return str(_STR_METHODS[name](recv))
    if name in ("freeze", "dup", "to_a") and not args and isinstance(recv, list):
        return recv
    if isinstance(recv, list) and not args and name in ("first", "last"):
        return (recv[0] if name == "first" else recv[-1]) if recv else None
    if isinstance(recv, list) and name == "join" and len(args) <= 1 and all(
            isinstance(x, str) for x in [*recv, *args]):
        return (str(args[0]) if args else "").join(str(x) for x in recv)
    if name == "to_s" and not args and (is_number(recv) or recv is None):
        return to_s(recv)
    return Unknown(f"the method `.{name}` on line {line}")


def expand_path(path: str, base: str) -> str:
    if path.startswith("/") or not base.startswith(COOKBOOK):
        return posixpath.normpath(posixpath.join(base, path))
    relative = posixpath.normpath(posixpath.join("." + base[len(COOKBOOK):], path))
    return COOKBOOK if relative == "." else f"{COOKBOOK}/{relative}"


def to_s(value: object) -> str:
    """Ruby's ``to_s`` for nil, booleans, numbers and strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
