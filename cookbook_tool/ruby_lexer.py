"""Tokens of the small part of Ruby that cookbook ``metadata.rb`` files use.

The lexer never raises out of :func:`tokenize`: it returns the tokens read so far and the
:class:`MetadataSyntaxError` that stopped it (unterminated string, unbalanced bracket, ...).
"""

from __future__ import annotations

import re

from cookbook_tool.ruby_strings import BRACKETS, StringScanner
from cookbook_tool.ruby_tokens import (
    MAX_NESTING,
    Interp,
    MetadataSyntaxError,
    Token,
    UnsupportedRuby,
    word_set,
)

__all__ = ["MAX_NESTING", "Interp", "MetadataSyntaxError", "Token", "UnsupportedRuby",
           "tokenize", "word_set"]


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
        """Skip ``=begin``/``=end`` comments; ``True`` at ``__END__``."""
        text = self.text
        if text[self.pos:self.pos + 1] not in ("=", "_"):
            return False
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
