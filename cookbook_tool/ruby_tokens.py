"""Tokens and errors shared by the Ruby lexer and parser used for ``metadata.rb``."""

from __future__ import annotations

MAX_NESTING = 32


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


class Interp:
    """``#{...}`` inside a string: its tokens, for the parser."""

    __slots__ = ("col", "line", "tokens")

    def __init__(self, tokens: tuple[Token, ...], line: int, col: int) -> None:
        self.tokens = tokens
        self.line = line
        self.col = col


class Token:
    """kind: name label const symbol string words xstring int float op kw ivar gvar nl eof."""

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
