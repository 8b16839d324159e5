"""Sound skeletons: a folded phrase's consonants, with the spellings romanizations of
one name vary between made equal."""

from __future__ import annotations

import re

__all__ = ["sound_skeleton"]

# Sound skeleton: spellings that romanizations of one name vary between, made equal.
_SKELETON_RULES = [
    (re.compile(r"x"), "ks"),
    (re.compile(r"g(?=e\b)"), "j"),  # "cage", "george"
    (
        re.compile(r"r(?![aeiouy])"),
        "",
    ),  # non-rhotic renderings drop it: "kadashian", "teira"
    (re.compile(r"dzh|dj|zh|tzs?|dz|g(?=[ei][aeou])"), "j"),
    (re.compile(r"t?sch|t?sh|t?ch"), "s"),
    (re.compile(r"kh"), "h"),  # Cyrillic writes English "h" as х: "Khilton" Hilton
    (re.compile(r"ck|q|c(?![eiy])|gh|t(?=k)"), "k"),
    (re.compile(r"ph|p|b|v"), "f"),
    (re.compile(r"th|dt|d"), "t"),
    (re.compile(r"c|z|x"), "s"),
    (re.compile(r"ng"), "n"),
    (re.compile(r"g"), "k"),
    (re.compile(r"l"), "r"),
]
_VOWELISH = re.compile(r"[^bcdfgjklmnpqrstvxz]")
_REPEATS = re.compile(r"(.)\1+")


def sound_skeleton(phrase: str) -> str:
    """A folded phrase's consonants, with the spellings romanizations mix up made equal.

    "jane austen" → "jnstn"; so do "dzheyn ostin" (Russian), "jien osutein" (Japanese),
    "jian aositing" (Chinese), "jen osten" (Hindi), "jein oseutin" (Korean). Word breaks
    are dropped ("kardash yan", "di kaprio"). Lossy on purpose: used only for text in a
    non-Latin script, and only to compare whole names.
    """
    word = phrase.lower()
    for pattern, repl in _SKELETON_RULES:
        word = pattern.sub(repl, word)
    word = _VOWELISH.sub("", word)
    return _REPEATS.sub(r"\1", word)
