""" "Did you mean …?" suggestions for misspelt names."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches


def closest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    matches = get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    match = closest(word, choices, cutoff)
    return f" (did you mean {match!r}?)" if match else ""
