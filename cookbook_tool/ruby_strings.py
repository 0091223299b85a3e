"""String literals of the Ruby lexer: quotes, escapes, ``#{}``, ``%``-literals, heredocs."""

from __future__ import annotations

import re
from typing import NoReturn

from cookbook_tool.ruby_tokens import MAX_NESTING, Interp, MetadataSyntaxError, Token

BRACKETS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_PERCENT_RE = re.compile(r"%([qQwWiI]?)([(\[{<|!/^])")
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
        if letter in ("", "Q", "W", "I"):
            parts = self.double_quoted(closer, opener if opener != closer else None, line, col)
        else:
            parts = [self.raw_until(closer, opener if opener != closer else None, line, col)]
        if letter in ("q", "Q", ""):
            return Token("string", "%", line, col, parts=parts)
        if any(isinstance(p, Interp) for p in parts):
            return Token("xstring", "%W", line, col, parts=parts)
        words = "".join(p for p in parts if isinstance(p, str))
        items = [w.replace("\0", " ") for w in words.replace("\\ ", "\0").split()]
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
