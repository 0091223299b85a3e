"""Expressions of the ``metadata.rb`` parser: operators, calls, arguments, blocks.

Valid Ruby beyond the supported subset raises :class:`UnsupportedRuby` (the statement is then
skipped and reported); broken Ruby raises :class:`MetadataSyntaxError`.
"""

from __future__ import annotations

from cookbook_tool.ruby_ast import (
    Block,
    Call,
    Chain,
    Const,
    Expr,
    HashLit,
    Index,
    Lit,
    Name,
    Unary,
)
from cookbook_tool.ruby_parse_base import ParserBase
from cookbook_tool.ruby_tokens import (
    MAX_NESTING,
    Token,
    UnsupportedRuby,
    word_set,
)

_LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))
_PREC = {op: level for level, ops in enumerate(_LEVELS) for op in ops}
_ARG_START_KINDS = word_set("string words xstring int float symbol name const label ivar "
                             "gvar")


class ExprParser(ParserBase):
    """Operators, calls with their arguments and blocks."""

    def expr_stmt(self) -> Expr:
        """``not``/``and``/``or`` level."""
        if self.at("kw", "not"):
            tok = self.advance()
            self.enter()
            operand = self.expr_stmt()
            self.depth -= 1
            return Unary(tok.line, tok.col, "!", operand)
        first = self.expr()
        if not self.at("kw", "and", "or"):
            return first
        rest: list[tuple[str, Expr]] = []
        while self.at("kw", "and", "or"):
            op = "&&" if self.advance().text == "and" else "||"
            self.skip_nl()
            rest.append((op, self.expr()))
        return Chain(first.line, first.col, first, rest)

    def expr(self) -> Expr:
        return self.binary(0)

    def binary(self, min_prec: int) -> Expr:
        """Precedence climbing; operators of one level form one flat :class:`Chain`."""
        left = self.unary()
        while True:
            tok = self.toks[self.i]
            prec = _PREC.get(tok.text, -1) if tok.kind == "op" else -1
            if prec < min_prec:
                return left
            rest: list[tuple[str, Expr]] = []
            while tok.kind == "op" and _PREC.get(tok.text) == prec:
                self.advance()
                self.skip_nl()
                rest.append((tok.text, self.binary(prec + 1)))
                tok = self.toks[self.i]
            left = Chain(left.line, left.col, left, rest)

    def unary(self) -> Expr:
        tok = self.tok
        if tok.kind == "op" and tok.text in ("!", "-", "+"):
            self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Unary(tok.line, tok.col, tok.text, operand)
        return self.postfix(self.primary())

    def postfix(self, node: Expr) -> Expr:
        for _ in range(MAX_NESTING * 2):
            tok = self.tok
            if tok.kind == "op" and tok.text in (".", "&."):
                self.advance()
                self.skip_nl()
                name = self.advance()
                if name.kind not in ("name", "const", "kw", "label"):
                    self.fail(name)
                if name.kind == "label":  # `x.foo a: 1` was read as a label
                    raise UnsupportedRuby("keyword arguments on a method call", name.line,
                                          name.col)
                node = self.call_rest(node, name)
            elif tok.kind == "op" and tok.text == "::":
                self.advance()
                name = self.advance()
                if name.kind == "const" and isinstance(node, Const) and not self.at("op", "("):
                    node = Const(node.line, node.col, f"{node.path}::{name.text}")
                elif name.kind in ("name", "const"):
                    node = self.call_rest(node, name)
                else:
                    self.fail(name)
            elif tok.kind == "op" and tok.text == "[" and not tok.spaced:
                self.advance()
                node = Index(tok.line, tok.col, node, self.args("]", tok))
            else:
                return node
        self.fail(message=f"more than {MAX_NESTING * 2} method calls in one chain")

    def call_rest(self, recv: Expr | None, name: Token) -> Expr:
        """Arguments and block of a method call whose name was just read."""
        args: list[Expr] = []
        tok = self.tok
        if tok.kind == "op" and tok.text == "(" and not tok.spaced:
            self.advance()
            args = self.args(")", tok)
        elif tok.spaced and self.starts_command_arg(tok):
            args = self.command_args()
        block = self.block()
        if recv is None and not args and block is None:
            return Name(name.line, name.col, name.text)
        return Call(name.line, name.col, recv, name.text, args, block)

    def starts_command_arg(self, tok: Token) -> bool:
        if tok.kind in _ARG_START_KINDS:
            return True
        if tok.kind == "kw":
            return tok.text in ("true", "false", "nil", "__FILE__", "self", "not")
        nxt = self.peek()
        if tok.kind == "op" and tok.text in ("-", "!", "*", "&", "::", "->"):
            return not nxt.spaced
        return tok.kind == "op" and tok.text in ("[", "(")

    def command_args(self) -> list[Expr]:
        args, pairs = self.arg_list(None)
        if pairs:
            args.append(HashLit(pairs[0][0].line, pairs[0][0].col, pairs))
        return args

    def args(self, closer: str, opener: Token) -> list[Expr]:
        self.enter()
        args, pairs = self.arg_list(closer)
        if pairs:
            args.append(HashLit(pairs[0][0].line, pairs[0][0].col, pairs))
        self.expect("op", closer, opener)
        self.depth -= 1
        return args

    def arg_list(self, closer: str | None) -> tuple[list[Expr], list[tuple[Expr, Expr]]]:
        args: list[Expr] = []
        pairs: list[tuple[Expr, Expr]] = []
        while True:
            if closer is not None:
                self.skip_nl()
                if self.at("op", closer):
                    break
            key = self.hash_key()
            if key is not None:
                pairs.append((key, self.arg_value(closer)))
            else:
                if self.at("op", "*", "**", "&"):
                    raise UnsupportedRuby("a splat argument", self.tok.line, self.tok.col)
                value = self.expr()
                if self.accept("op", "=>"):
                    pairs.append((value, self.arg_value(closer)))
                else:
                    args.append(value)
            if closer is not None:
                self.skip_nl()
            if not self.accept("op", ","):
                break
        return args, pairs

    def arg_value(self, closer: str | None) -> Expr:
        if closer is not None:
            self.skip_nl()
        return self.expr()

    def hash_key(self) -> Expr | None:
        """``key:`` or ``'key':`` (the ``=>`` form is handled by the caller)."""
        tok = self.tok
        if tok.kind == "label":
            self.advance()
            return Lit(tok.line, tok.col, tok.text)
        nxt = self.peek()
        if tok.kind == "string" and nxt.kind == "op" and nxt.text == ":" and not nxt.spaced:
            node = self.primary()
            self.advance()
            return node
        return None

    def block(self) -> Block | None:
        tok = self.tok
        if not (self.at("kw", "do") or self.at("op", "{")):
            return None
        self.advance()
        self.enter()
        closer = "end" if tok.text == "do" else "}"
        self.skip_nl()
        params: list[str] = []
        if self.accept("op", "||"):
            pass
        elif self.accept("op", "|"):
            while not self.accept("op", "|"):
                name = self.advance()
                if name.kind in ("eof", "nl"):
                    self.fail(name)
                if name.kind != "name":
                    raise UnsupportedRuby("block parameters other than plain names",
                                          name.line, name.col)
                params.append(name.text)
                self.accept("op", ",")
        self.locals.update(params)
        body = self.body([], (closer,))
        self.expect("kw" if closer == "end" else "op", closer, tok)
        self.depth -= 1
        return Block(tok.line, tok.col, params, body)
