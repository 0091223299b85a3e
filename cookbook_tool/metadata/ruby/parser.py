"""A parser for the statements and expressions that ``metadata.rb`` files use: the tree
(``Node`` and its kinds), the token cursor, expressions and statements.

It builds a small tree for the evaluator. Valid Ruby beyond that subset raises
:class:`UnsupportedRuby`; the statement is then skipped and reported, and parsing
goes on. Broken Ruby raises :class:`MetadataSyntaxError`.
"""

from __future__ import annotations

from typing import NoReturn

from cookbook_tool.metadata.ruby.lexer import (
    MAX_NESTING,
    MetadataSyntaxError,
    MetadataTooLarge,
    Token,
    UnsupportedRuby,
    word_set,
)


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


class Shell(Opaque):
    """A shell command (backticks, ``%x()``): reported wherever it appears, never run."""

    __slots__ = ()


class RescueExpr(Node):
    """``(body rescue fallback)`` or the value of ``x = body rescue fallback``."""

    __slots__ = ("body", "fallback")

    def __init__(self, line: int, col: int, body: Expr, fallback: Expr) -> None:
        super().__init__(line, col)
        self.body = body
        self.fallback = fallback


Expr = (Lit | Str | Array | HashLit | Name | Const | Call | Index | Chain | Unary | Opaque
        | RescueExpr)


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


class Rescue(Node):
    """``statement rescue fallback``: when the statement raises, Ruby skips the rest of it and
    runs ``fallback`` instead."""

    __slots__ = ("body", "fallback")

    def __init__(self, line: int, col: int, body: Stmt, fallback: Expr) -> None:
        super().__init__(line, col)
        self.body = body
        self.fallback = fallback


class Case(Node):
    """``case subject when a, b then ... else ... end`` (``subject`` may be absent)."""

    __slots__ = ("orelse", "subject", "whens")

    def __init__(self, line: int, col: int, subject: Expr | None,
                 whens: list[tuple[list[Expr], list[Stmt]]], orelse: list[Stmt] | None) -> None:
        super().__init__(line, col)
        self.subject = subject
        self.whens = whens
        self.orelse = orelse


Stmt = ExprStmt | Assign | If | Skip | Rescue | Case


UNSUPPORTED_OPS = word_set("? =~ !~ <=> === << >> & | ^ -> = , ~")
MAX_ITEMS = 10_000  # elements of one array, hash or argument list
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
        self.after_comma = False  # parsing an argument that follows a comma

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
        if kind == "xstring" and tok.text in ("`", "%x"):
            return Shell(tok.line, tok.col, f"a shell command ({tok.text}...), which the tool "
                          "never runs")
        if kind in ("ivar", "gvar", "regexp", "xstring"):
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
            outer, self.after_comma = self.after_comma, False  # a statement again
            node: Expr = Lit(tok.line, tok.col, None)
            if not self.at("op", ")"):
                node = self.expr_stmt()
                if self.at("kw", "rescue"):
                    mod = self.advance()
                    node = RescueExpr(mod.line, mod.col, node, self.expr_stmt())
                self.skip_nl()
            self.expect("op", ")", tok)
            self.after_comma = outer
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


_LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))
_PREC = {op: level for level, ops in enumerate(_LEVELS) for op in ops}
_ARG_START_KINDS = word_set("string words xstring regexp int float symbol name const label "
                             "ivar gvar")


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
        """A range (``1..3``, ``1...3``) or an operator expression."""
        left = self.binary(0)
        tok = self.toks[self.i]
        if tok.kind == "op" and tok.text in ("..", "..."):
            self.advance()
            endless = self.tok.kind in ("nl", "eof") or self.at("op", ")", "]", "}", ",")
            right = Opaque(tok.line, tok.col, "an endless range") if endless else self.binary(0)
            left = Chain(left.line, left.col, left, [(tok.text, right)])
        return left

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
        return self.power()

    def power(self) -> Expr:
        """``a ** b``: right-associative, tighter than a unary minus (``-2 ** 2`` is -4)."""
        base = self.postfix(self.primary())
        tok = self.toks[self.i]
        if tok.text != "**" or tok.kind != "op":
            return base
        self.advance()
        self.skip_nl()
        self.enter()
        exponent = self.unary()
        self.depth -= 1
        return Chain(base.line, base.col, base, [("**", exponent)])

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
            if self.after_comma and tok.text != "(":  # `a, b (1)`: Ruby may accept it
                self.fail(tok, f"`{name.text}` with arguments but no parentheses after a "
                          "comma (does a trailing comma on the line before join two lines?)")
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
        outer = self.after_comma
        try:
            self.after_comma = False
            self.items(closer, args, pairs)
        finally:
            self.after_comma = outer
        return args, pairs

    def items(self, closer: str | None, args: list[Expr],
              pairs: list[tuple[Expr, Expr]]) -> None:
        """The comma-separated items of an argument list, an array or a hash."""
        count = 0
        while True:
            count += 1
            if count > MAX_ITEMS:
                raise MetadataTooLarge(f"more than {MAX_ITEMS} elements in one list",
                                       self.tok.line, self.tok.col)
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
            self.after_comma = True

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
        outer, self.after_comma = self.after_comma, False  # the body holds statements
        body = self.body([], (closer,))
        self.after_comma = outer
        self.expect("kw" if closer == "end" else "op", closer, tok)
        self.depth -= 1
        return Block(tok.line, tok.col, params, body)


_ASSIGN_OPS = word_set("= ||= &&= += -= *=")
_BLOCK_KWS = word_set("def class module while until begin for")
_OPENERS = _BLOCK_KWS | {"do", "if", "unless", "case"}


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
        if tok.kind == "kw" and tok.text == "case":
            stmt: Stmt = self.case_block()
        elif tok.kind == "kw" and tok.text in ("if", "unless"):
            stmt = self.if_block()
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
            if mod.text not in ("if", "unless", "rescue"):
                raise UnsupportedRuby(f"the {mod.text!r} modifier", mod.line, mod.col)
            cond = self.expr_stmt()
            modifiers += 1
            if modifiers > MAX_NESTING:
                self.fail(mod, f"more than {MAX_NESTING} statement modifiers")
            if mod.text != "rescue":
                stmt = If(mod.line, mod.col, cond, mod.text == "unless", [stmt], [], True)
            elif isinstance(stmt, Assign) and modifiers == 1:  # x = a rescue b: x = (a rescue b)
                stmt.value = RescueExpr(mod.line, mod.col, stmt.value, cond)
            else:
                stmt = Rescue(mod.line, mod.col, stmt, cond)
        if not (self.tok.kind in ("nl", "eof") or self.at("kw", "end", "else", "elsif")
                or self.at("op", "}")):
            self.unexpected()
        return stmt

    def skip_construct(self) -> Skip:
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

    def case_block(self) -> Case | Skip:
        """``case [subject] when a, b [then] ... [else ...] end``; at least one ``when``, as
        Ruby requires. ``case ... in`` (pattern matching) is skipped whole."""
        begin = self.i
        start = self.advance()
        self.enter()
        subject = None if self.at("nl") else self.expr_stmt()
        self.skip_nl()
        if self.at("kw", "in"):
            self.i = begin
            self.depth -= 1
            return self.skip_construct()
        whens: list[tuple[list[Expr], list[Stmt]]] = []
        while self.at("kw", "when"):
            self.advance()
            values, pairs = self.arg_list(None)
            if pairs or not values:
                self.fail(message=f"a `when` of the `case` on line {start.line} needs values")
            self.accept("kw", "then")
            whens.append((values, self.body([], ("when", "else", "end"))))
        if not whens:
            self.fail(message=f"`case` on line {start.line} has no `when`")
        orelse = self.body([], ("end",)) if self.accept("kw", "else") else None
        self.expect("kw", "end", start)
        self.depth -= 1
        return Case(start.line, start.col, subject, whens, orelse)

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
