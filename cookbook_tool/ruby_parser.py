"""A parser for the statements and expressions that ``metadata.rb`` files use.

It builds a small tree (:mod:`cookbook_tool.ruby_ast`) for the evaluator. Valid Ruby beyond that
subset raises :class:`UnsupportedRuby`; the statement is then skipped and reported, and parsing
goes on. Broken Ruby raises :class:`MetadataSyntaxError`.
"""

from __future__ import annotations

from cookbook_tool.ruby_ast import Assign, ExprStmt, If, Skip, Stmt
from cookbook_tool.ruby_expr_parser import ExprParser
from cookbook_tool.ruby_tokens import (
    MAX_NESTING,
    MetadataSyntaxError,
    Token,
    UnsupportedRuby,
    word_set,
)

_ASSIGN_OPS = word_set("= ||= &&= += -= *=")
_BLOCK_KWS = word_set("def class module case while until begin for")
_OPENERS = _BLOCK_KWS | {"do", "if", "unless"}


def parse(tokens: list[Token], lex_error: MetadataSyntaxError | None,
          ) -> tuple[list[Stmt], MetadataSyntaxError | None]:
    """Statements up to the first syntax error, and that error (``None`` when all is well)."""
    return _Parser(tokens, lex_error).program()


class _Parser(ExprParser):
    def program(self) -> tuple[list[Stmt], MetadataSyntaxError | None]:
        body: list[Stmt] = []
        try:
            self.body(body, ())
            if self.lex_error is not None:
                raise self.lex_error
        except MetadataSyntaxError as exc:
            return body, exc
        return body, None

    def body(self, out: list[Stmt], closers: tuple[str, ...]) -> list[Stmt]:
        while True:
            self.skip_nl()
            tok = self.tok
            if tok.kind == "eof" or (tok.text in closers and tok.kind in ("kw", "op")):
                return out
            try:
                out.append(self.statement())
            except UnsupportedRuby as exc:
                out.append(Skip(exc.line, exc.column, exc.message))
                self.skip_statement()

    def skip_statement(self) -> None:
        """After an unsupported construct: skip to the end of the line, brackets balanced."""
        depth = 0
        while not (self.tok.kind == "eof" or (self.tok.kind == "nl" and depth <= 0)):
            tok = self.advance()
            if tok.kind == "op" and tok.text in "([{":
                depth += 1
            elif tok.kind == "op" and tok.text in ")]}":
                depth -= 1

    def statement(self) -> Stmt:
        tok = self.tok
        if tok.kind == "kw" and tok.text in _BLOCK_KWS:
            return self.skip_construct()
        if tok.kind == "kw" and tok.text in ("if", "unless"):
            stmt: Stmt = self.if_block()
        elif tok.kind in ("name", "const") and self.peek().kind == "op" and \
                self.peek().text in _ASSIGN_OPS:
            self.advance()
            op = self.advance().text
            self.skip_nl()
            self.locals.add(tok.text)
            stmt = Assign(tok.line, tok.col, tok.text, op, self.expr_stmt())
        else:
            stmt = ExprStmt(tok.line, tok.col, self.expr_stmt())
        modifiers = 0
        while self.at("kw", "if", "unless", "while", "until", "rescue"):
            mod = self.advance()
            if mod.text not in ("if", "unless"):
                raise UnsupportedRuby(f"the {mod.text!r} modifier", mod.line, mod.col)
            cond = self.expr_stmt()
            modifiers += 1
            if modifiers > MAX_NESTING:
                self.fail(mod, f"more than {MAX_NESTING} statement modifiers")
            stmt = If(mod.line, mod.col, cond, mod.text == "unless", [stmt], [], True)
        if not (self.tok.kind in ("nl", "eof") or self.at("kw", "end", "else", "elsif")
                or self.at("op", "}")):
            self.unexpected()
        return stmt

    def skip_construct(self) -> Stmt:
        start = self.tok
        depth, prev, loop_line = 0, None, 0
        while True:
            tok = self.advance()
            if tok.kind == "eof":
                self.fail(start, f"{start.text!r} on line {start.line} is never closed "
                          "with 'end'")
            if tok.kind == "kw" and tok.text in ("while", "until", "for"):
                loop_line = tok.line
            if tok.kind == "kw" and tok.text == "do" and tok.line == loop_line:
                loop_line = 0  # the optional 'do' of a loop opens nothing
            elif tok.kind == "kw" and tok.text in _OPENERS and (
                    tok.text not in ("if", "unless", "while", "until") or prev is None
                    or prev.kind == "nl" or (prev.kind == "op" and prev.text in "(=[{,")):
                depth += 1
            elif tok.kind == "kw" and tok.text == "end":
                depth -= 1
                if depth == 0:
                    return Skip(start.line, start.col, f"a Ruby {start.text!r} block")
            prev = tok

    def if_block(self) -> If:
        start = self.advance()
        self.enter()
        cond = self.expr_stmt()
        self.accept("kw", "then")
        then = self.body([], ("end", "else", "elsif"))
        orelse: list[Stmt] = []
        if self.at("kw", "elsif"):
            self.tok.text = "if"  # an elsif chain is a nested if sharing the same 'end'
            orelse = [self.if_block()]
            self.depth -= 1
            return If(start.line, start.col, cond, start.text == "unless", then, orelse, False)
        if self.accept("kw", "else"):
            orelse = self.body([], ("end",))
        self.expect("kw", "end", start)
        self.depth -= 1
        return If(start.line, start.col, cond, start.text == "unless", then, orelse, False)
