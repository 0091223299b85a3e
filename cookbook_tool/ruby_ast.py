"""The tree that :mod:`cookbook_tool.ruby_parser` builds for ``metadata.rb``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Node:
    line: int
    col: int


@dataclass(slots=True)
class Lit(Node):
    """A literal value: str, int, float, bool, None, or a list of str (``%w``)."""

    value: object


@dataclass(slots=True)
class Str(Node):
    """A string with ``#{...}`` parts."""

    parts: list[str | Expr]


@dataclass(slots=True)
class Array(Node):
    items: list[Expr]


@dataclass(slots=True)
class HashLit(Node):
    pairs: list[tuple[Expr, Expr]]


@dataclass(slots=True)
class Name(Node):
    """A bare identifier: a local variable or a method called without arguments."""

    name: str


@dataclass(slots=True)
class Const(Node):
    path: str  # "File", "Chef::VERSION"


@dataclass(slots=True)
class Block(Node):
    params: list[str]
    body: list[Stmt]


@dataclass(slots=True)
class Call(Node):
    recv: Expr | None
    name: str
    args: list[Expr]
    block: Block | None


@dataclass(slots=True)
class Index(Node):
    recv: Expr
    args: list[Expr]


@dataclass(slots=True)
class Chain(Node):
    """``first op1 e1 op2 e2 ...``, left-associative, operators of one precedence level."""

    first: Expr
    rest: list[tuple[str, Expr]]


@dataclass(slots=True)
class Unary(Node):
    op: str
    operand: Expr


@dataclass(slots=True)
class Opaque(Node):
    """A value only known when Ruby runs (instance variables, backticks, ...)."""

    reason: str


Expr = Lit | Str | Array | HashLit | Name | Const | Call | Index | Chain | Unary | Opaque


@dataclass(slots=True)
class ExprStmt(Node):
    expr: Expr


@dataclass(slots=True)
class Assign(Node):
    name: str
    op: str
    value: Expr


@dataclass(slots=True)
class If(Node):
    cond: Expr
    negate: bool  # unless
    body: list[Stmt]
    orelse: list[Stmt]
    modifier: bool


@dataclass(slots=True)
class Skip(Node):
    """A statement the reader does not evaluate (reported as dynamic)."""

    reason: str


Stmt = ExprStmt | Assign | If | Skip
