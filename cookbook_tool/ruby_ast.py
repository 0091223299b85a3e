"""The tree that :mod:`cookbook_tool.ruby_parser` builds for ``metadata.rb``.

Plain slotted classes rather than dataclasses: they cost nothing at import time, which matters
for a pre-commit hook.
"""

from __future__ import annotations


class Node:
    __slots__ = ("col", "line")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}(line={self.line}, {fields})"


class Lit(Node):
    """A literal value: str, int, float, bool, None, or a list of str (``%w``)."""

    __slots__ = ("value",)

    def __init__(self, line: int, col: int, value: object) -> None:
        super().__init__(line, col)
        self.value = value


class Str(Node):
    """A string with ``#{...}`` parts."""

    __slots__ = ("parts",)

    def __init__(self, line: int, col: int, parts: list[str | Expr]) -> None:
        super().__init__(line, col)
        self.parts = parts


class Array(Node):
    __slots__ = ("items",)

    def __init__(self, line: int, col: int, items: list[Expr]) -> None:
        super().__init__(line, col)
        self.items = items


class HashLit(Node):
    __slots__ = ("pairs",)

    def __init__(self, line: int, col: int, pairs: list[tuple[Expr, Expr]]) -> None:
        super().__init__(line, col)
        self.pairs = pairs


class Name(Node):
    """A bare identifier: a local variable or a method called without arguments."""

    __slots__ = ("name",)

    def __init__(self, line: int, col: int, name: str) -> None:
        super().__init__(line, col)
        self.name = name


class Const(Node):
    __slots__ = ("path",)

    def __init__(self, line: int, col: int, path: str) -> None:
        super().__init__(line, col)
        self.path = path  # "File", "Chef::VERSION"


class Block(Node):
    __slots__ = ("body", "params")

    def __init__(self, line: int, col: int, params: list[str], body: list[Stmt]) -> None:
        super().__init__(line, col)
        self.params = params
        self.body = body


class Call(Node):
    __slots__ = ("args", "block", "name", "recv")

    def __init__(self, line: int, col: int, recv: Expr | None, name: str, args: list[Expr],
                 block: Block | None) -> None:
        super().__init__(line, col)
        self.recv = recv
        self.name = name
        self.args = args
        self.block = block


class Index(Node):
    __slots__ = ("args", "recv")

    def __init__(self, line: int, col: int, recv: Expr, args: list[Expr]) -> None:
        super().__init__(line, col)
        self.recv = recv
        self.args = args


class Chain(Node):
    """``first op1 e1 op2 e2 ...``, left-associative, operators of one precedence level."""

    __slots__ = ("first", "rest")

    def __init__(self, line: int, col: int, first: Expr, rest: list[tuple[str, Expr]]) -> None:
        super().__init__(line, col)
        self.first = first
        self.rest = rest


class Unary(Node):
    __slots__ = ("op", "operand")

    def __init__(self, line: int, col: int, op: str, operand: Expr) -> None:
        super().__init__(line, col)
        self.op = op
        self.operand = operand


class Opaque(Node):
    """A value only known when Ruby runs (instance variables, backticks, ...)."""

    __slots__ = ("reason",)

    def __init__(self, line: int, col: int, reason: str) -> None:
        super().__init__(line, col)
        self.reason = reason


Expr = Lit | Str | Array | HashLit | Name | Const | Call | Index | Chain | Unary | Opaque


class ExprStmt(Node):
    __slots__ = ("expr",)

    def __init__(self, line: int, col: int, expr: Expr) -> None:
        super().__init__(line, col)
        self.expr = expr


class Assign(Node):
    __slots__ = ("name", "op", "value")

    def __init__(self, line: int, col: int, name: str, op: str, value: Expr) -> None:
        super().__init__(line, col)
        self.name = name
        self.op = op
        self.value = value


class If(Node):
    __slots__ = ("body", "cond", "modifier", "negate", "orelse")

    def __init__(self, line: int, col: int, cond: Expr, negate: bool, body: list[Stmt],
                 orelse: list[Stmt], modifier: bool) -> None:
        super().__init__(line, col)
        self.cond = cond
        self.negate = negate  # unless
        self.body = body
        self.orelse = orelse
        self.modifier = modifier


class Skip(Node):
    """A statement the reader does not evaluate (reported as dynamic)."""

    __slots__ = ("reason",)

    def __init__(self, line: int, col: int, reason: str) -> None:
        super().__init__(line, col)
        self.reason = reason


Stmt = ExprStmt | Assign | If | Skip
