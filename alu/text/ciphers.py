"""Ciphers and letter games: letter substitutions (every Caesar shift, ROT13 among them;
Atbash; a keyboard shifted by one key), base64 tokens, spelling alphabets (NATO) and
letters written as words ("jay ay en ee"), pig latin, and words written backwards."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "KEYBOARD",
    "LETTER_NAMES",
    "NATO",
    "SUBSTITUTIONS",
    "base32_texts",
    "base64_texts",
    "keyboard_reads",
    "letter_name_runs",
    "nato_runs",
    "pig_latin_candidates",
    "rot13",
]

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
    return _letter_runs(words, NATO)


def _letter_runs(words: Iterable[str], alphabet: dict[str, str]) -> list[list[str]]:
    """Runs of three or more words of ``alphabet`` (word → letter), as their letters."""
    runs: list[list[str]] = []
    current: list[str] = []
    for word in (*words, ""):
        letter = alphabet.get(word)
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


_BASE32 = re.compile(r"(?<![\w=])[A-Z2-7]{8,}={0,6}(?![\w=])")


def base32_texts(text: str) -> list[str]:
    """The texts that base32 tokens of ``text`` decode to (printable UTF-8 only)."""
    found: list[str] = []
    for match in _BASE32.finditer(text):
        token = match.group()
        if len(token) % 8:
            continue
        try:
            decoded = base64.b32decode(token).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        if decoded.isprintable() and any(ch.isalpha() for ch in decoded):
            found.append(decoded)
    return found


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


# -- letter substitutions -----------------------------------------------------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _shift_table(shift: int) -> dict[int, int]:
    return str.maketrans(
        _LOWER + _LOWER.upper(), _LOWER[shift:] + _LOWER[:shift] + (_LOWER[shift:] + _LOWER[:shift]).upper()
    )


# QWERTY rows: a letter typed one key to the right (or left) of the one meant.
_ROWS = ("qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./")


def _keyboard_table(step: int) -> dict[int, int]:
    """Read text typed ``step`` keys off: each key → the key ``step`` to its left."""
    table: dict[int, int] = {}
    for row in _ROWS:
        for i, key in enumerate(row):
            j = i - step
            if 0 <= j < len(row) and row[j].isalpha():
                table[ord(key)] = ord(row[j])
                if key.isalpha():
                    table[ord(key.upper())] = ord(row[j].upper())
    return table


KEYBOARD: dict[str, dict[int, int]] = {"keyboard right": _keyboard_table(1), "keyboard left": _keyboard_table(-1)}
"""A hand one key off on a QWERTY keyboard (either way), as ``str.translate`` tables that
read it back (a key off the end of a row types punctuation: "Yti,[" is "Trump")."""


_END_PUNCTUATION = re.compile(r"[,.!?]+(?=\s|$)")


def keyboard_reads(table: dict[int, int]) -> Callable[[str], list[str]]:
    """A text → what it reads as typed one key off: with the punctuation that ends words
    read as keys too ("Yti,[" is "Trump"), and without it (the comma after a word is a
    comma)."""

    fast = bytes(table.get(code, code) for code in range(128)) + bytes(range(128, 256))

    def read(text: str) -> list[str]:
        texts = [text, _END_PUNCTUATION.sub("", text)]
        if text.isascii():
            return [t.encode("ascii").translate(fast).decode("ascii") for t in texts]
        return [t.translate(table) for t in texts]

    return read


SUBSTITUTIONS: dict[str, dict[int, int]] = {
    **{f"caesar {shift}": _shift_table(shift) for shift in range(1, 26)},
    "atbash": str.maketrans(_LOWER + _LOWER.upper(), _LOWER[::-1] + _LOWER[::-1].upper()),
    "rot47": {code: 33 + (code - 33 + 47) % 94 for code in range(33, 127)},
}
"""Letter substitutions, each as the ``str.translate`` table that reads it back: every
Caesar shift (``caesar 13`` is ROT13), Atbash (a↔z), and ROT47 (every printable ASCII
character rotated by 47). A reading of a whole text per table: the detector matches one only
where a read word is a registered key (see :mod:`alu.detection.hidden`)."""


# -- letters written as words ---------------------------------------------------------------

LETTER_NAMES: dict[str, str] = {
    "ay": "a", "aye": "a", "bee": "b", "cee": "c", "see": "c", "sea": "c", "dee": "d", "ee": "e",
    "ef": "f", "eff": "f", "gee": "g", "aitch": "h", "haitch": "h", "eye": "i", "jay": "j",
    "kay": "k", "el": "l", "ell": "l", "em": "m", "en": "n", "oh": "o", "pee": "p", "cue": "q",
    "queue": "q", "ar": "r", "arr": "r", "es": "s", "ess": "s", "tee": "t", "tea": "t", "you": "u",
    "yoo": "u", "vee": "v", "doubleu": "w", "doubleyou": "w", "ex": "x", "why": "y", "wye": "y",
    "zed": "z", "zee": "z",
}  # fmt: skip
"""English names of the letters (folded words; "double-u" folds to two words and is read
as one), each to its letter."""


def letter_name_runs(words: Sequence[str]) -> list[list[str]]:
    """Runs of three or more letter names in folded ``words`` ("jay ay en ee"), as letters."""
    return _letter_runs(_double_u(words), LETTER_NAMES)


def _double_u(words: Sequence[str]) -> Iterable[str]:
    """``words`` with "double u" (or "double you") read as one word."""
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
        elif word == "double" and i + 1 < len(words) and words[i + 1] in ("u", "you", "yoo"):
            skip = True
            yield "doubleu"
        else:
            yield word


# -- pig latin and words backwards --------------------------------------------------------------

_VOWELS = frozenset("aeiou")


def pig_latin_candidates(word: str) -> list[str]:
    """The words a folded pig-latin ``word`` may stand for ("aneJay" → jane; "austenway",
    "austenyay", "austenhay" → austen; "ephenstay" → stephen). Empty for a word that does
    not end in "ay"."""
    if len(word) < 4 or not word.endswith("ay"):
        return []
    stem = word[:-2]
    out: list[str] = []
    if stem[-1] in "why" and stem[0] in _VOWELS:
        out.append(stem[:-1])  # a word that began with a vowel: "austen" + "way"
    if stem[0] in _VOWELS:
        out.append(stem)  # "austen" + "ay"
    # The consonants before the first vowel went to the end: put one to three back.
    for k in (1, 2, 3):
        if len(stem) > k and all(ch not in _VOWELS for ch in stem[-k:]):
            out.append(stem[-k:] + stem[:-k])
    return out
