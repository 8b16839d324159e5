"""Leetspeak: inside a word that mixes letters with digits or symbols ("J4n3", "@usten"),
4→a, 3→e, 0→o, 1→i (or l), 5→s, 7→t, @→a, $→s …"""

from __future__ import annotations

import re

__all__ = ["LEET", "fold_leet", "has_leet"]

LEET: dict[str, str] = {
    "0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l", "¢": "c",
}  # fmt: skip
"""Leetspeak substitutions, applied only inside words that also hold a letter."""

_LEET_CLASS = re.escape("".join(LEET))
_LEET_WORD = re.compile(rf"(?=[\w{_LEET_CLASS}]*[^\W\d_])[\w{_LEET_CLASS}]*[{_LEET_CLASS}][\w{_LEET_CLASS}]*")
_LEET_CHAR = re.compile(rf"[^\W\d_][{_LEET_CLASS}]|[{_LEET_CLASS}][^\W\d_]")  # cheap pre-check
_LEET_ONE = str.maketrans(LEET)
_LEET_ALT = str.maketrans({**LEET, "1": "l", "|": "i", "!": "l"})


def fold_leet(text: str, *, one_as: str = "i") -> str:
    """``text`` with leetspeak undone inside words that mix letters and digits/symbols.

    ``one_as``: what 1, | and ! read as (``"i"``, or ``"l"`` for the other reading).
    """
    table = _LEET_ONE if one_as == "i" else _LEET_ALT
    return _LEET_WORD.sub(lambda m: m.group().translate(table), text)


def has_leet(text: str) -> bool:
    """True when some word of ``text`` mixes letters with leetspeak digits or symbols."""
    return bool(_LEET_CHAR.search(text) and _LEET_WORD.search(text))
