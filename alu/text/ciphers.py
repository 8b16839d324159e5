"""Ciphers: ROT13, base64 tokens and the NATO spelling alphabet."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

__all__ = ["NATO", "base64_texts", "nato_runs", "rot13"]

NATO: dict[str, str] = {
    word: word[0]
    for word in [
        "alfa",
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliett",
        "juliet",
        "kilo",
        "lima",
        "mike",
        "november",
        "oscar",
        "papa",
        "quebec",
        "romeo",
        "sierra",
        "tango",
        "uniform",
        "victor",
        "whiskey",
        "whisky",
        "xray",
        "yankee",
        "zulu",
    ]
}
"""The NATO spelling alphabet (folded words), each to its letter."""

_MIN_NATO_RUN = 3


def nato_runs(words: Sequence[str]) -> list[list[str]]:
    """Runs of three or more NATO alphabet words in folded ``words``, as their letters
    ("juliett alfa november echo" → j a n e)."""
    runs: list[list[str]] = []
    current: list[str] = []
    for word in (*words, ""):
        letter = NATO.get(word)
        if letter:
            current.append(letter)
            continue
        if len(current) >= _MIN_NATO_RUN:
            runs.append(current)
        current = []
    return runs


_ROT13 = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM",
)


def rot13(text: str) -> str:
    """``text`` with its ASCII letters rotated by 13 (ROT13 is its own inverse)."""
    return text.translate(_ROT13)


_BASE64 = re.compile(r"(?<![\w+/=])[A-Za-z0-9+/]{8,}={0,2}(?![\w+/=])")


def base64_texts(text: str) -> list[str]:
    """The texts that base64 tokens of ``text`` decode to (printable UTF-8 only, so that
    ordinary words that happen to be valid base64 give nothing)."""
    found: list[str] = []
    for match in _BASE64.finditer(text):
        token = match.group()
        if len(token) % 4 or (token.isalpha() and (token.islower() or token.isupper())):
            continue  # a plain word, not an encoding
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        if decoded.isprintable() and any(ch.isalpha() for ch in decoded):
            found.append(decoded)
    return found
