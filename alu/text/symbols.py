"""Letter-like symbols: the Unicode blocks that draw Latin letters as pictures or in
another style NFKC leaves alone (regional indicators 🇯🇦🇳🇪, negative circled and squared
letters 🅙🅰, small capitals ᴊᴀɴᴇ, tag characters, Braille ⠚⠁⠝⠑), read as their letters;
and text written upside down (ɐ ǝ ɹ ʇ, in reverse order).

The table is built from Unicode's character names, not from a list of examples: every
character whose name says it is a Latin letter in some style ("REGIONAL INDICATOR SYMBOL
LETTER J", "NEGATIVE SQUARED LATIN CAPITAL LETTER J", "LATIN LETTER SMALL CAPITAL J",
"MODIFIER LETTER SMALL J", "TAG LATIN SMALL LETTER J" ...) reads as that letter.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

__all__ = ["fold_symbols", "has_upside_down", "symbol_table", "upside_down_read"]

# Names of a Latin letter drawn some other way: the letter is the name's last word.
_LETTER_NAME = re.compile(
    r"^(?:REGIONAL INDICATOR SYMBOL LETTER|(?:NEGATIVE |)(?:SQUARED|CIRCLED|PARENTHESIZED)"
    r"(?: LATIN)?(?: CAPITAL| SMALL)? LETTER|(?:NEGATIVE SQUARED|NEGATIVE CIRCLED) LATIN CAPITAL LETTER"
    r"|LATIN LETTER SMALL CAPITAL|MODIFIER LETTER (?:CAPITAL|SMALL)(?: CAPITAL)?|LATIN SUBSCRIPT SMALL LETTER"
    r"|SUPERSCRIPT LATIN SMALL LETTER|TAG LATIN (?:CAPITAL|SMALL) LETTER|MATHEMATICAL [A-Z -]+ (?:CAPITAL|SMALL)"
    r"|(?:DOUBLE-STRUCK|SCRIPT|BLACK-LETTER) (?:CAPITAL|SMALL)|FULLWIDTH LATIN (?:CAPITAL|SMALL) LETTER"
    r"|LATIN (?:CAPITAL|SMALL) LETTER)"
    r" ([A-Z])$"
)
# Braille's letters a-z (six-dot patterns, as English Grade 1 writes them).
_BRAILLE = "⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚⠅⠇⠍⠝⠕⠏⠟⠗⠎⠞⠥⠧⠺⠭⠽⠵"
_BLOCKS = [
    (0x0250, 0x02AF),  # IPA extensions (small capitals ɪ ʀ ʏ ...)
    (0x02B0, 0x02FF),  # spacing modifier letters
    (0x1D00, 0x1DBF),  # phonetic extensions (small capitals, superscripts)
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x2100, 0x214F),  # letterlike symbols
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0xA720, 0xA7FF),  # Latin extended-D (small capitals ꞯ ꟺ)
    (0xFF00, 0xFFEF),  # fullwidth forms
    (0x1D400, 0x1D7FF),  # mathematical alphanumerics
    (0x1F100, 0x1F1FF),  # enclosed alphanumeric supplement, regional indicators
    (0xE0000, 0xE007F),  # tags
]


@lru_cache(maxsize=1)
def symbol_table() -> dict[int, str]:
    """Code point → the ASCII letter it draws, for every letter-like symbol (see the
    module docstring); Braille letters included."""
    table: dict[int, str] = {}
    for low, high in _BLOCKS:
        for code in range(low, min(high, sys.maxunicode) + 1):
            match = _LETTER_NAME.match(unicodedata.name(chr(code), ""))
            if match:
                letter = match.group(1)
                name = unicodedata.name(chr(code))
                table[code] = letter if "CAPITAL" in name or "REGIONAL" in name else letter.lower()
    for i, char in enumerate(_BRAILLE):
        table[ord(char)] = chr(ord("a") + i)
    return table


def fold_symbols(text: str) -> str:
    """``text`` with letter-like symbols read as their letters (one character each)."""
    return text.translate(symbol_table())


# Upside-down letters (as "flip text" generators write them), each to the letter it is.
_FLIPPED = {
    "ɐ": "a", "q": "b", "ɔ": "c", "p": "d", "ǝ": "e", "ɟ": "f", "ƃ": "g", "ɥ": "h", "ı": "i", "ᴉ": "i",
    "ɾ": "j", "ʞ": "k", "ꞁ": "l", "ʃ": "l", "ɯ": "m", "u": "n", "o": "o", "d": "p", "b": "q", "ɹ": "r",
    "s": "s", "ʇ": "t", "n": "u", "ʌ": "v", "ʍ": "w", "x": "x", "ʎ": "y", "z": "z",
    "∀": "A", "ᗺ": "B", "Ɔ": "C", "ᗡ": "D", "Ǝ": "E", "Ⅎ": "F", "⅁": "G", "H": "H", "I": "I", "ſ": "J",
    "ꓘ": "K", "˥": "L", "W": "M", "N": "N", "O": "O", "Ԁ": "P", "Ό": "Q", "ᴚ": "R", "S": "S", "┴": "T",
    "∩": "U", "Λ": "V", "M": "W", "X": "X", "⅄": "Y", "Z": "Z",
}  # fmt: skip
_FLIP_TABLE = str.maketrans({k: v for k, v in _FLIPPED.items() if len(v) == 1 and v.isascii()})
_FLIP_MARKS = frozenset(k for k in _FLIPPED if not k.isascii())


def has_upside_down(text: str) -> bool:
    """True when ``text`` holds two or more letters only upside-down text uses."""
    return not text.isascii() and sum(ch in _FLIP_MARKS for ch in text) >= 2


def upside_down_read(text: str) -> str:
    """``text`` turned right side up: reversed, each upside-down letter read as its letter."""
    return text[::-1].translate(_FLIP_TABLE)
