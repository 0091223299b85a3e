"""Token helpers and primary expressions (literals, names, brackets, strings) of the
``metadata.rb`` parser."""

from __future__ import annotations

from typing import NoReturn

from cookbook_tool.ruby_ast import (
    Array,
    Const,
    Expr,
    HashLit,
    Lit,
    Name,
    Opaque,
    Stmt,
    Str,
)
from cookbook_tool.ruby_tokens import (
    MAX_NESTING,
    MetadataSyntaxError,
    Token,
    UnsupportedRuby,
    word_set,
)

UNSUPPORTED_OPS = word_set("? .. ... =~ !~ <=> === << >> ** & | ^ -> = , ~")
_NAMED_KWS = {"true": True, "false": False, "nil": None}
_UNSUPPORTED_KWS = word_set("yield return break next redo retry super alias undef __LINE__ "
                            "__ENCODING__ BEGIN END if unless while until case begin def "
                            "class module for lambda proc")


class ParserBase:
    """Token helpers and the primary expressions; subclasses provide the rest of the grammar."""

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
        if (tok.kind == "op" and tok.text in UNSUPPORTED_OPS) or (
                tok.kind == "kw" and tok.text in _UNSUPPORTED_KWS):
            raise UnsupportedRuby(f"Ruby syntax {tok.text!r}", tok.line, tok.col)
        self.fail(tok)

    def body(self, out: list[Stmt], closers: tuple[str, ...]) -> list[Stmt]:
        raise NotImplementedError

    def expr_stmt(self) -> Expr:
        raise NotImplementedError

    def call_rest(self, recv: Expr | None, name: Token) -> Expr:
        raise NotImplementedError

    def args(self, closer: str, opener: Token) -> list[Expr]:
        raise NotImplementedError

    def arg_list(self, closer: str | None) -> tuple[list[Expr], list[tuple[Expr, Expr]]]:
        raise NotImplementedError

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
            if len(number) > 100:  # Python refuses to convert huge integer strings
                return Opaque(tok.line, tok.col, f"a {len(number)}-digit number")
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
