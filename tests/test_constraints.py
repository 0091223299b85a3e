"""Chef version constraints, checked against Chef's definition with property-based tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cookbook_tool.cookbook.constraints import (
    Constraint,
    ConstraintError,
    Version,
    is_valid_version,
)

numbers = st.integers(min_value=0, max_value=30)
versions = st.tuples(numbers, numbers, numbers)
operators = st.sampled_from(["=", ">", "<", ">=", "<=", "~>"])


def _text(parts: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in parts)


def _defined(op: str, written: tuple[int, ...], have: tuple[int, int, int]) -> bool:
    """Chef's definition, spelt out independently of the implementation."""
    want = (*written, 0) if len(written) == 2 else written
    if op == "=":
        return have == want
    if op == ">":
        return have > want
    if op == "<":
        return have < want
    if op == ">=":
        return have >= want
    if op == "<=":
        return have <= want
    # ~> X.Y means >= X.Y, < (X+1).0 ; ~> X.Y.Z means >= X.Y.Z, < X.(Y+1).0
    upper = (written[0] + 1, 0, 0) if len(written) == 2 else (written[0], written[1] + 1, 0)
    return want <= have < upper


@given(operators, st.one_of(st.tuples(numbers, numbers), versions), versions)
def test_constraint_matches_chef_definition(op, written, have):
    constraint = Constraint.parse(f"{op} {_text(written)}")
    assert constraint.allows(Version.parse(_text(have))) == _defined(op, written, have)


@given(versions)
def test_version_round_trip(parts):
    assert Version.parse(_text(parts)).key == parts


@pytest.mark.parametrize(
    ("constraint", "allowed", "refused"),
    [
        ("~> 1.2", ["1.2.0", "1.9.9", "1.2"], ["2.0.0", "1.1.9"]),
        ("~> 1.2.3", ["1.2.3", "1.2.99"], ["1.3.0", "1.2.2"]),
        ("~> 0.0", ["0.5.0"], ["1.0.0"]),
        (">= 11.10", ["11.10.0", "12.0"], ["11.9.9"]),
        ("1.0", ["1.0.0"], ["1.0.1"]),
        ("= 1.0.1", ["1.0.1"], ["1.0.0"]),
        ("<1.0", ["0.9.9"], ["1.0.0"]),
    ],
)
def test_documented_examples(constraint, allowed, refused):
    parsed = Constraint.parse(constraint)
    assert all(parsed.allows(Version.parse(v)) for v in allowed)
    assert not any(parsed.allows(Version.parse(v)) for v in refused)


@pytest.mark.parametrize("text", ["1", "1.2.3.4", "v1.2", "1.2-beta", "1.a", "", " ", "1..2"])
def test_invalid_versions_refused(text):
    assert not is_valid_version(text)
    with pytest.raises(ConstraintError, match="Chef versions are X.Y or X.Y.Z"):
        Version.parse(text)


@pytest.mark.parametrize("text", ["=> 1.0", "~ 1.0", ">= 1.x", "!= 1.0", ">= 1.0 < 2.0", "== 1.0",
                                  "< -7", "< 7.", "~> 07a"])
def test_invalid_constraints_refused(text):
    with pytest.raises(ConstraintError):
        Constraint.parse(text)


def test_any_constraint_allows_everything():
    assert Constraint.any().allows(Version.parse("0.0.0"))
    assert str(Constraint.parse("~>1.2")) == "~> 1.2"


@pytest.mark.parametrize(
    ("text", "allowed", "refused", "shown"),
    [
        ("< 7", ["6.99.99", "0.1"], ["7.0.0", "7.0.1"], "< 7"),
        ("~> 7", ["7.0.0", "7.9.9"], ["8.0.0", "6.9.9"], "~> 7"),
        (">= 12", ["12.0.0", "18.1"], ["11.18.14"], ">= 12"),
        ("7", ["7.0.0"], ["7.0.1"], "= 7"),
    ],
)
def test_a_single_integer_is_accepted_as_chef_12_does(text, allowed, refused, shown):
    """Chef >= 12 reads ``depends 'x', '< 7'`` as ``< 7.0.0``; ``single_integer`` lets the
    dependency rule refuse it for Chef 11 only (issue 13, item 7)."""
    parsed = Constraint.parse(text)
    assert parsed.single_integer
    assert all(parsed.allows(Version.parse(v)) for v in allowed)
    assert not any(parsed.allows(Version.parse(v)) for v in refused)
    assert str(parsed) == shown


def test_versions_with_dots_are_not_single_integers():
    assert not Constraint.parse("< 7.0").single_integer
    assert not Constraint.any().single_integer
    with pytest.raises(ConstraintError):
        Version.parse("7")  # a cookbook's own version still needs X.Y or X.Y.Z
