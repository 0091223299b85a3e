"""Expressions of the ``metadata.rb`` parser: literals, calls, blocks, operators.

Valid Ruby beyond the supported subset raises :class:`UnsupportedRuby` (the statement is then
skipped and reported); broken Ruby raises :class:`MetadataSyntaxError`.
"""

from __future__ import annotations

from typing import NoReturn

from cookbook_tool.ruby_ast import (
    Array,
    Block,
    Call,
    Chain,
    Const,
    Expr,
    HashLit,
    Index,
    Lit,
    Name,
    Opaque,
    Stmt,
    Str,
    Unary,
)
from cookbook_tool.ruby_tokens import (
    MAX_NESTING,
    MetadataSyntaxError,
    Token,
    UnsupportedRuby,
    word_set,
)

_LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))
_PREC = {op: level for level, ops in enumerate(_LEVELS) for op in ops}
_UNSUPPORTED_OPS = word_set("? .. ... =~ !~ <=> === << >> ** & | ^ -> = , ~")
_ARG_START_KINDS = word_set("string words xstring int float symbol name const label ivar "
                             "gvar")
_NAMED_KWS = {"true": True, "false": False, "nil": None}
_UNSUPPORTED_KWS = word_set("yield return break next redo retry super alias undef __LINE__ "
                             "__ENCODING__ BEGIN END if unless while until case begin def "
                             "class module for lambda proc")


class ExprParser:
    """Token helpers and expression rules; subclasses parse statement bodies."""

    def __init__(self, tokens: list[Token], lex_error: MetadataSyntaxError | None) -> None:
        self.toks = tokens
        self.i = 0
        self.lex_error = lex_error
        self.depth = 0
        self.locals: set[str] = set()

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        tok = self.toks[self.i]
        return tok.kind == kind and (not texts or tok.text in texts)

    def accept(self, kind: str, text: str) -> bool:
        if self.at(kind, text):
            self.advance()
            return True
        return False

    def skip_nl(self) -> None:
        while self.toks[self.i].kind == "nl":
            self.i += 1

    def fail(self, tok: Token | None = None, message: str | None = None) -> NoReturn:
        tok = tok or self.tok
        if tok.kind == "eof" and self.lex_error is not None:
            raise self.lex_error
        if message is None:
            what = {"eof": "end of file", "nl": "end of line"}.get(tok.kind, repr(tok.text))
            message = f"unexpected {what}"
        raise MetadataSyntaxError(message, tok.line, tok.col)

    def expect(self, kind: str, text: str, opener: Token) -> None:
        if not self.accept(kind, text):
            self.fail(message=f"expected {text!r} to close {opener.text!r} opened on line "
                      f"{opener.line}, column {opener.col}; found "
                      f"{'end of file' if self.tok.kind == 'eof' else repr(self.tok.text)}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(message=f"nested more than {MAX_NESTING} levels deep")

    def unexpected(self) -> NoReturn:
        tok = self.tok
        if (tok.kind == "op" and tok.text in _UNSUPPORTED_OPS) or (
                tok.kind == "kw" and tok.text in _UNSUPPORTED_KWS):
            raise UnsupportedRuby(f"Ruby syntax {tok.text!r}", tok.line, tok.col)
        self.fail(tok)

    def body(self, out: list[Stmt], closers: tuple[str, ...]) -> list[Stmt]:
        raise NotImplementedError

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

    def primary(self) -> Expr:
        tok = self.tok
        kind = tok.kind
        if kind == "string":
            return self.string()
        if kind in ("eof", "nl", "label"):
            self.unexpected()
        self.advance()
        if kind == "words":
            return Lit(tok.line, tok.col, list(tok.words))
        if kind in ("int", "float"):
            number = tok.text.replace("_", "")
            return Lit(tok.line, tok.col, int(number) if kind == "int" else float(number))
        if kind == "symbol":
            return Lit(tok.line, tok.col, tok.text)
        if kind == "name":
            if tok.text in self.locals:
                return Name(tok.line, tok.col, tok.text)
            return self.call_rest(None, tok)
        if kind == "const":
            if self.at("op", "(") and not self.tok.spaced:
                return self.call_rest(None, tok)
            return Const(tok.line, tok.col, tok.text)
        if kind == "kw":
            return self.keyword(tok)
        if kind in ("ivar", "gvar", "xstring"):
            return Opaque(tok.line, tok.col, f"{tok.text!r} is only known when Ruby runs")
        if kind == "op":
            return self.bracketed(tok)
        self.i -= 1
        self.unexpected()

    def keyword(self, tok: Token) -> Expr:
        if tok.text in _NAMED_KWS:
            return Lit(tok.line, tok.col, _NAMED_KWS[tok.text])
        if tok.text == "__FILE__":
            return Name(tok.line, tok.col, "__FILE__")
        if tok.text == "self":
            return Opaque(tok.line, tok.col, "'self'")
        self.i -= 1
        self.unexpected()

    def bracketed(self, tok: Token) -> Expr:
        if tok.text == "(":
            self.enter()
            self.skip_nl()
            node: Expr = Lit(tok.line, tok.col, None)
            if not self.at("op", ")"):
                node = self.expr_stmt()
                self.skip_nl()
            self.expect("op", ")", tok)
            self.depth -= 1
            return node
        if tok.text == "[":
            return Array(tok.line, tok.col, self.args("]", tok))
        if tok.text == "{":
            self.enter()
            args, pairs = self.arg_list("}")
            if args:
                self.fail(message=f"a hash entry needs 'key => value' or 'key: value' "
                          f"(hash opened on line {tok.line})")
            self.expect("op", "}", tok)
            self.depth -= 1
            return HashLit(tok.line, tok.col, pairs)
        if tok.text == "::" and self.at("const"):
            name = self.advance()
            return Const(name.line, name.col, name.text)
        self.i -= 1
        self.unexpected()

    def string(self) -> Expr:
        """A string literal; adjacent literals are one string, as in Ruby."""
        first = self.tok
        parts: list[str | Expr] = []
        while self.at("string"):
            for part in self.advance().parts:
                if isinstance(part, str):
                    parts.append(part)
                else:
                    parts.append(self.interpolated(part.tokens, part.line, part.col))
        if len(parts) == 1 and isinstance(parts[0], str):
            return Lit(first.line, first.col, parts[0])
        return Str(first.line, first.col, parts)

    def interpolated(self, tokens: tuple[Token, ...], line: int, col: int) -> Expr:
        self.enter()
        sub = type(self)(list(tokens), None)
        sub.depth, sub.locals = self.depth, self.locals
        sub.skip_nl()
        node: Expr = Lit(line, col, "")
        if not sub.at("eof"):
            node = sub.expr_stmt()
            sub.skip_nl()
            if not sub.at("eof"):
                raise UnsupportedRuby("several statements in a string interpolation",
                                      sub.tok.line, sub.tok.col)
        self.depth -= 1
        return node
