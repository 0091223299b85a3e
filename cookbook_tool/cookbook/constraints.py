"""Chef cookbook versions and version constraints, exactly as Chef defines them.

A version is ``X.Y`` or ``X.Y.Z`` with non-negative integers (``X.Y`` means ``X.Y.0``).
A constraint is an optional operator (``=``, ``>``, ``<``, ``>=``, ``<=``, ``~>``; none means
``=``) and a version. ``~> 1.2`` means ``>= 1.2, < 2.0``; ``~> 1.2.3`` means ``>= 1.2.3, < 1.3.0``.

In a constraint, Chef 12 and later also accept a single integer (``'< 7'`` is ``< 7.0.0``,
``'~> 7'`` is ``>= 7.0.0, < 8.0.0``); Chef 11 refuses it. ``Constraint.single_integer`` tells
such a constraint, so that a rule can refuse it for Chef 11. A cookbook's own version stays
``X.Y`` or ``X.Y.Z``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION_RE = re.compile(r"(0|[1-9]\d*|\d+)\.(\d+)(?:\.(\d+))?")
_CONSTRAINT_RE = re.compile(r"\s*(~>|>=|<=|=|>|<)?\s*(\S+)\s*")
_INTEGER_RE = re.compile(r"\d+")
OPERATORS = ("=", ">", "<", ">=", "<=", "~>")


class ConstraintError(ValueError):
    """A version or constraint string that Chef would refuse."""


class Version(NamedTuple):
    """A cookbook version, ``MAJOR.MINOR[.PATCH]``, compared by its numbers.

    Versions and constraints are NamedTuples, not dataclasses: every run imports them, and a
    dataclass's methods are generated from source text at import (about 1 ms each)."""

    major: int
    minor: int
    patch: int = 0
    parts: int = 3  # how many parts were written (1 to 3); matters only for ``~>``

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION_RE.fullmatch(text.strip())
        if not match:
            raise ConstraintError(
                f"invalid version {text!r}: Chef versions are X.Y or X.Y.Z with integers only"
            )
        major, minor, patch = match.groups()
        return cls(int(major), int(minor), int(patch or 0), 3 if patch is not None else 2)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def is_valid_version(text: str) -> bool:
    return _VERSION_RE.fullmatch(text.strip()) is not None


class Constraint(NamedTuple):
    """A version constraint (``~> 1.2``, ``>= 2.0``): an operator and a version."""

    operator: str
    version: Version

    @classmethod
    def parse(cls, text: str) -> Constraint:
        match = _CONSTRAINT_RE.fullmatch(text)
        if not match:
            raise ConstraintError(
                f"invalid version constraint {text!r}: use an operator "
                f"({', '.join(OPERATORS)}) followed by a version such as 1.2 or 1.2.3"
            )
        operator, version = match.groups()
        if _INTEGER_RE.fullmatch(version):  # Chef >= 12: '< 7' is '< 7.0.0'
            return cls(operator or "=", Version(int(version), 0, 0, 1))
        return cls(operator or "=", Version.parse(version))

    @property
    def single_integer(self) -> bool:
        """Whether the version was a single integer (``'< 7'``), which Chef 11 refuses."""
        return self.version.parts == 1

    @classmethod
    def any(cls) -> Constraint:
        return cls(">=", Version(0, 0, 0))

    def allows(self, version: Version) -> bool:
        have, want = version.key, self.version.key
        if self.operator == "=":
            return have == want
        if self.operator == ">":
            return have > want
        if self.operator == "<":
            return have < want
        if self.operator == ">=":
            return have >= want
        if self.operator == "<=":
            return have <= want
        return want <= have < self.pessimistic_upper_bound()

    def pessimistic_upper_bound(self) -> tuple[int, int, int]:
        """The exclusive upper bound of ``~>``: bump the next-to-last written part."""
        v = self.version
        if v.parts <= 2:
            return (v.major + 1, 0, 0)
        return (v.major, v.minor + 1, 0)

    def __str__(self) -> str:
        v = self.version
        written = {1: f"{v.major}", 2: f"{v.major}.{v.minor}"}.get(v.parts, str(v))
        return f"{self.operator} {written}"
