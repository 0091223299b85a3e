"""Tokens of the small part of Ruby that cookbook ``metadata.rb`` files use.

The lexer never raises out of :func:`tokenize`: it returns the tokens read so far and the
:class:`MetadataSyntaxError` that stopped it (unterminated string, unbalanced bracket, ...).
"""

from __future__ import annotations

import re
from typing import NoReturn

MAX_NESTING = 32
MAX_TOKENS = 50_000  # the largest of 759 real metadata.rb files has 987
MAX_WORDS = 10_000  # in one %w() / %i()


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


class MetadataSyntaxError(Exception):
    """Ruby source that cannot be parsed, with a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class UnsupportedRuby(MetadataSyntaxError):
    """Valid Ruby that a static reader cannot evaluate (the statement is skipped)."""


class MetadataTooLarge(MetadataSyntaxError):
    """Beyond the reader's limits (tokens, elements of a literal): reading stops there."""


class Interp:
    """``#{...}`` inside a string: its tokens, for the parser."""

    __slots__ = ("col", "line", "tokens")

    def __init__(self, tokens: tuple[Token, ...], line: int, col: int) -> None:
        self.tokens = tokens
        self.line = line
        self.col = col


class Token:
    """kind: name label const symbol string words xstring regexp int float op kw ivar gvar nl
    eof."""

    __slots__ = ("col", "kind", "line", "parts", "spaced", "text", "words")

    def __init__(self, kind: str, text: str, line: int, col: int, spaced: bool = False,
                 parts: list[str | Interp] | None = None, words: list[str] | None = None,
                 ) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.col = col
        self.spaced = spaced  # whitespace before the token
        self.parts: list[str | Interp] = parts or []  # string contents
        self.words: list[str] = words or []  # %w / %i contents

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, {self.line}, {self.col})"


BRACKETS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_PERCENT_RE = re.compile(r"%([qQwWiIxrs]?)([(\[{<|!/^])")
_SINGLE_ESCAPE = re.compile(r"\\([\\'])")
_SINGLE_RE = re.compile(r"'((?:[^'\\]|\\.)*)'", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "r": "\r", "0": "\0", "e": "\x1b",
                   "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


class StringScanner:
    """Position and line bookkeeping, and the scanning of string literals."""

    def __init__(self, text: str, line: int = 1, depth: int = 0) -> None:
        self.text = text
        self.pos = 0
        self.line = line
        self.line_start = 0
        self.depth = depth
        self.count = 0  # tokens read, interpolations included
        self.tokens: list[Token] = []
        self.heredocs: list[tuple[Token, str, str, bool]] = []

    def col(self, pos: int | None = None) -> int:
        return (self.pos if pos is None else pos) - self.line_start + 1

    def fail(self, message: str, line: int | None = None, col: int | None = None) -> NoReturn:
        raise MetadataSyntaxError(message, line or self.line, col or self.col())

    def newline(self, pos: int) -> None:
        self.line += 1
        self.line_start = pos + 1

    def track_newlines(self, chunk: str) -> None:
        count = chunk.count("\n")
        if count:
            self.line += count
            self.line_start = self.pos + chunk.rfind("\n") + 1

    def run(self, out: list[Token], interpolation: bool) -> None:
        raise NotImplementedError

    def single_quoted(self) -> str:
        match = _SINGLE_RE.match(self.text, self.pos)
        if match is None:
            self.fail("unterminated string: missing closing '")
        body = match.group(1)
        if "\n" in body:
            self.track_newlines(match.group())
        self.pos = match.end()
        return _SINGLE_ESCAPE.sub(r"\1", body) if "\\" in body else body

    def percent(self, spaced: bool, out: list[Token], line: int, col: int) -> Token | None:
        match = _PERCENT_RE.match(self.text, self.pos)
        if match is None:
            return None
        letter, opener = match.groups()
        prev = out[-1] if out else None
        is_value = prev is not None and (prev.kind in ("int", "float", "string", "ivar")
                                         or (prev.kind == "op" and prev.text in ")]}"))
        if not letter and is_value and (not spaced or self.text[match.end():match.end() + 1]
                                        in (" ", "")):
            return None  # the modulo operator
        closer = BRACKETS.get(opener, opener)
        self.pos = match.end()
        if letter in ("", "Q", "W", "I", "x", "r"):
            parts = self.double_quoted(closer, opener if opener != closer else None, line, col)
        else:
            parts = [self.raw_until(closer, opener if opener != closer else None, line, col)]
        if letter in ("q", "Q", ""):
            return Token("string", "%", line, col, parts=parts)
        if letter == "x":
            return Token("xstring", "%x", line, col, parts=parts)
        if letter == "r":
            return Token("regexp", "%r", line, col, parts=parts)
        if letter == "s":
            return Token("symbol", "".join(p for p in parts if isinstance(p, str)), line, col)
        if any(isinstance(p, Interp) for p in parts):
            return Token("xstring", "%W", line, col, parts=parts)
        words = "".join(p for p in parts if isinstance(p, str))
        items = [w.replace("\0", " ") for w in words.replace("\\ ", "\0").split()]
        if len(items) > MAX_WORDS:
            raise MetadataTooLarge(f"more than {MAX_WORDS} words in one %{letter}() list",
                                   line, col)
        return Token("words", "%" + letter, line, col, words=items)

    def raw_until(self, closer: str, opener: str | None, line: int, col: int) -> str:
        """The body of ``%q``/``%w``: only ``\\\\`` and escaped delimiters are escapes."""
        text, depth, buf = self.text, 0, []
        while self.pos < len(text):
            ch = text[self.pos]
            self.pos += 1
            if ch == "\\" and self.pos < len(text) and text[self.pos] in (closer, opener, "\\"):
                buf.append(text[self.pos])
                self.pos += 1
                continue
            if ch == "\n":
                self.newline(self.pos - 1)
            elif ch == opener:
                depth += 1
            elif ch == closer:
                if depth == 0:
                    return "".join(buf)
                depth -= 1
            buf.append(ch)
        self.fail(f"unterminated %-literal: missing closing {closer!r}", line, col)
        return ""

    def double_quoted(self, closer: str | None, opener: str | None, line: int,
                      col: int) -> list[str | Interp]:
        """A double-quoted body up to ``closer`` (``None``: to the end of the text)."""
        text, depth = self.text, 0
        parts: list[str | Interp] = []
        buf: list[str] = []
        while self.pos < len(text):
            ch = text[self.pos]
            self.pos += 1
            if ch == "\\":
                buf.append(self.escape())
            elif ch == "#" and text[self.pos:self.pos + 1] in ("{", "@", "$"):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.interpolation())
            elif ch == opener:
                depth += 1
                buf.append(ch)
            elif ch == closer:
                if depth == 0:
                    parts.append("".join(buf))
                    return parts
                depth -= 1
                buf.append(ch)
            else:
                if ch == "\n":
                    self.newline(self.pos - 1)
                buf.append(ch)
        if closer is not None:
            self.fail(f"unterminated string: missing closing {closer}", line, col)
        parts.append("".join(buf))
        return parts

    def escape(self) -> str:
        text = self.text
        ch = text[self.pos:self.pos + 1]
        self.pos += 1
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch == "\n":
            self.newline(self.pos - 1)
            return ""
        number = None
        if ch == "u":
            number = re.match(r"\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4})", text[self.pos:])
        elif ch == "x":
            number = re.match(r"()([0-9a-fA-F]{1,2})", text[self.pos:])
        if ch in ("u", "x"):
            if number is None:
                self.fail(f"invalid \\{ch} escape")
                return ""
            self.pos += number.end()
            value = int(number.group(1) or number.group(2), 16)
            return chr(value) if value <= 0x10FFFF else "\ufffd"
        if ch == "":
            self.fail("unterminated string")
        return ch

    def interpolation(self) -> Interp:
        line, col = self.line, self.col() - 1
        if self.text[self.pos] != "{":  # "#@var" / "#$var"
            match = re.compile(r"[@$]@?\w+").match(self.text, self.pos)
            end = match.end() if match else self.pos + 1
            token = Token("ivar", self.text[self.pos:end], line, col + 1)
            self.pos = end
            return Interp((token,), line, col)
        if self.depth >= MAX_NESTING:
            self.fail(f"string interpolation nested more than {MAX_NESTING} levels deep")
        self.pos += 1
        self.depth += 1
        tokens: list[Token] = []
        self.run(tokens, interpolation=True)
        self.depth -= 1
        tokens.append(Token("eof", "", self.line, self.col(), True))
        return Interp(tuple(tokens), line, col)

    def read_heredoc_bodies(self) -> None:
        pending, self.heredocs = self.heredocs, []
        for token, tag, flavour, raw in pending:
            start_line = self.line
            end = re.compile(rf"^[ \t]*{tag}\r?$" if flavour else rf"^{tag}\r?$", re.M)
            match = end.search(self.text, self.pos)
            if match is None:
                self.fail(f"heredoc <<{flavour}{tag} is never terminated", token.line, token.col)
                return
            body = self.text[self.pos:match.start()]
            if flavour == "~":
                body = _dedent(body)
            stop = self.text.find("\n", match.end())
            stop = len(self.text) if stop < 0 else stop + 1
            self.track_newlines(self.text[self.pos:stop])
            self.pos = stop
            if raw:
                token.parts = [body]
            else:
                sub = type(self)(body, start_line, self.depth + 1)
                token.parts = sub.double_quoted(None, None, start_line, 1)


def _dedent(body: str) -> str:
    lines = body.split("\n")
    widths = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
    cut = min(widths, default=0)
    return "\n".join(x[cut:] for x in lines)


__all__ = ["MAX_NESTING", "MAX_TOKENS", "Interp", "MetadataSyntaxError", "MetadataTooLarge",
           "Token", "UnsupportedRuby", "tokenize", "word_set"]


KEYWORDS = word_set(
    "alias and begin break case class def do else elsif end ensure false for if in module next "
    "nil not or redo rescue retry return self super then true undef unless until when while "
    "yield __FILE__ __LINE__ __ENCODING__ BEGIN END")
# A newline after one of these continues the statement.
CONTINUE_OPS = word_set(
    ", ( [ { => . &. :: + - * / % ** = == != < > <= >= && || ! ? : += -= *= ||= &&= | &")
_SPECIAL_START = frozenset("'\"`%:<")

_TOKEN_RE = re.compile(
    r"""
    (?P<pre>(?:[ \t\r\f\v]|\\\r?\n)*)
  (?:
    (?P<comment>\#[^\n]*)
  | (?P<num>\d[\d_]*(?P<frac>\.\d[\d_]*)?(?:[eE][+-]?\d+)?)
  | (?P<label>[A-Za-z_]\w*[?!]?:(?!:))
  | (?P<name>[A-Za-z_]\w*(?:[?!](?![=~]))?)
  | (?P<ivar>@@?[A-Za-z_]\w*)
  | (?P<gvar>\$(?:[A-Za-z_]\w*|[0-9~!@&`'+*$?:"<>,./\\;=]))
  | (?P<symbol>:(?:[A-Za-z_]\w*[?!=]?|\[\]=?|[+\-*/%<>=!~^&|]+))
  | (?P<op>\*\*=?|===?|!=|!~|=~|<=>|>=|<=|&&=?|\|\|=?|<<=?|>>=?|=>|->|::|\.\.\.?|&\.
         |[-+*/%^|&]=|[-+*/%=<>!&|^~?:;,.()\[\]{}])
  )?
    """,
    re.VERBOSE,
)
_HEREDOC_RE = re.compile(r"<<([~-]?)([\"'`]?)([A-Za-z_]\w*)\2")
_LEADING_DOT_RE = re.compile(r"(?:[ \t\r]*(?:#[^\n]*)?\n)*[ \t\r]*&?\.(?![.\d])")
_CONFLICT_RE = re.compile(r"(?:<{7}|={7}|>{7})(?=[ \t\r\n]|$)")


def tokenize(text: str) -> tuple[list[Token], MetadataSyntaxError | None]:
    lexer = _Lexer(text)
    error: MetadataSyntaxError | None = None
    try:
        lexer.run(lexer.tokens, interpolation=False)
    except MetadataSyntaxError as exc:
        error = exc
    lexer.tokens.append(Token("eof", "", lexer.line, lexer.col(), True))
    return lexer.tokens, error


class _Lexer(StringScanner):
    def run(self, out: list[Token], interpolation: bool) -> None:
        """Read tokens into ``out``; with ``interpolation``, stop after the closing ``}``."""
        stack: list[Token] = []
        spaced = True
        text = self.text
        if not interpolation:
            self.line_start_checks()
        end = len(text)
        while self.pos < end:
            match = _TOKEN_RE.match(text, self.pos)
            assert match is not None  # every group is optional
            start = match.end("pre")
            if start != self.pos:
                spaced = True
                self.track_newlines(match.group("pre"))
                self.pos = start
                if start >= end:
                    break
            ch = text[start]
            if ch == "\n":
                spaced = True
                if self.end_line(out):
                    break
                continue
            line, col = self.line, start - self.line_start + 1
            token = self.special(ch, spaced, out) if ch in _SPECIAL_START else None
            if token is None:
                kind = match.lastgroup
                if kind == "pre" or kind is None:
                    self.fail(f"unexpected character {ch!r}")
                if kind == "comment":
                    self.pos = match.end()
                    continue
                token = self.simple(kind, match, line, col, spaced)
                self.pos = match.end()
            token.spaced = spaced
            if token.kind == "op" and self.bracket(token, stack, interpolation):
                return
            out.append(token)
            spaced = False
            self.count += 1
            if self.count > MAX_TOKENS:
                raise MetadataTooLarge(f"more than {MAX_TOKENS} tokens", line, col)
        self.finish(stack, interpolation)

    def finish(self, stack: list[Token], interpolation: bool) -> None:
        """At the end of the text: whatever is still open is a syntax error."""
        if interpolation:
            self.fail("unterminated string interpolation '#{'")
        if stack:
            opener = stack[-1]
            self.fail(f"{opener.text!r} opened on line {opener.line} is never closed",
                      opener.line, opener.col)
        if self.heredocs:
            self.fail(f"heredoc <<{self.heredocs[0][1]} is never terminated")

    def line_start_checks(self) -> bool:
        """Skip ``=begin``/``=end`` comments; ``True`` at ``__END__``. A merge-conflict
        marker (``<<<<<<<``, ``=======``, ``>>>>>>>``) is a syntax error, as in Ruby."""
        text = self.text
        if text[self.pos:self.pos + 1] not in ("=", "_", "<", ">"):
            return False
        if _CONFLICT_RE.match(text, self.pos):
            self.fail(f"merge conflict marker {text[self.pos:self.pos + 7]!r} (resolve the "
                      "conflict)", self.line, 1)
        while text.startswith("=begin", self.pos) and text[self.pos + 6:self.pos + 7] in (
            "", " ", "\t", "\n", "\r"):
            line, col = self.line, self.col()
            end = re.compile(r"^=end(?:[ \t\r]|$)", re.M).search(text, self.pos)
            if end is None:
                self.fail("=begin comment is never closed with =end", line, col)
                return True
            stop = text.find("\n", end.start())
            stop = len(text) if stop < 0 else stop + 1
            self.track_newlines(text[self.pos:stop])
            self.pos = stop
        return re.match(r"__END__\r?(?:\n|$)", text[self.pos:self.pos + 9]) is not None and (
            self.pos == 0 or text[self.pos - 1] == "\n")

    def end_line(self, out: list[Token]) -> bool:
        """Past a newline: heredoc bodies, then a statement end unless the line continues.

        ``True`` at ``__END__``.
        """
        line, col = self.line, self.col()
        self.newline(self.pos)
        self.pos += 1
        if self.heredocs:
            self.read_heredoc_bodies()
        self.newline_token(out, line, col)
        return self.line_start_checks()

    def newline_token(self, out: list[Token], line: int, col: int) -> None:
        last = out[-1] if out else None
        if last is None or last.kind == "nl":
            return
        if (last.kind == "op" and last.text in CONTINUE_OPS) or (
                last.kind == "kw" and last.text in ("and", "or", "not")):
            return
        if _LEADING_DOT_RE.match(self.text, self.pos):
            return
        out.append(Token("nl", "\n", line, col))

    def bracket(self, token: Token, stack: list[Token], interpolation: bool) -> bool:
        """Keep brackets balanced; ``True`` when the ``}`` closing an interpolation is read."""
        if token.text in ("(", "[", "{"):
            stack.append(token)
        elif token.text in (")", "]", "}"):
            if not stack:
                if interpolation and token.text == "}":
                    return True
                self.fail(f"unexpected {token.text!r}: nothing to close", token.line, token.col)
            opener = stack.pop()
            if BRACKETS[opener.text] != token.text:
                self.fail(f"{token.text!r} does not close {opener.text!r} opened on line "
                          f"{opener.line}, column {opener.col}", token.line, token.col)
        elif token.text == ";":
            token.kind, token.text = "nl", "\n"
        return False

    def simple(self, kind: str, match: re.Match[str], line: int, col: int,
               spaced: bool) -> Token:
        text = match.group(kind)
        if kind == "num":
            kind = "float" if match.group("frac") or "e" in text.lower() else "int"
        elif kind == "name":
            if text in KEYWORDS:
                kind = "kw"
            elif text[0].isupper():
                kind = "const"
        elif kind == "label":
            text = text[:-1]
        elif kind == "symbol":
            text = text[1:]
        return Token(kind, text, line, col, spaced)

    def special(self, ch: str, spaced: bool, out: list[Token]) -> Token | None:
        """Strings, symbols with quotes, %-literals and heredocs; ``None`` for other tokens."""
        line, col = self.line, self.col()
        if ch == "'":
            return Token("string", "'", line, col, parts=[self.single_quoted()])
        if ch in "\"`":
            self.pos += 1
            kind = "string" if ch == '"' else "xstring"
            return Token(kind, ch, line, col, parts=self.double_quoted(ch, None, line, col))
        if ch == ":" and self.text[self.pos + 1:self.pos + 2] in ("'", '"'):
            self.pos += 1
            inner = self.special(self.text[self.pos], spaced, out)
            assert inner is not None
            return Token("symbol", "".join(p for p in inner.parts if isinstance(p, str)),
                         line, col, parts=inner.parts)
        if ch == "%":
            return self.percent(spaced, out, line, col)
        if ch == "<":
            heredoc = _HEREDOC_RE.match(self.text, self.pos)
            if heredoc:
                self.pos = heredoc.end()
                token = Token("string", "<<", line, col)
                self.heredocs.append((token, heredoc.group(3), heredoc.group(1),
                                      heredoc.group(2) == "'"))
                return token
        return None
