"""Look-alike letters (homoglyphs): letters of other scripts drawn like Latin ones take
the Latin letter (Unicode TR39 confusables via ``confusable_homoglyphs``, plus the
small-capital look-alikes it lacks)."""

from __future__ import annotations

from functools import lru_cache

from confusable_homoglyphs import confusables

__all__ = ["fold_homoglyphs", "fold_homoglyphs_by_case", "fold_homoglyphs_l", "homoglyph_table"]

# Lower-case letters drawn like Latin small capitals, which TR39 maps to no ASCII letter.
_SMALL_CAPS = {
    "к": "k",
    "м": "m",
    "т": "t",
    "н": "h",
    "в": "b",
    "ь": "b",
    "г": "r",
    "п": "n",
    "ɪ": "i",
    # Greek lower-case letters drawn like Latin ones that TR39 leaves out.
    "ε": "e",
    "κ": "k",
    "χ": "x",
}


@lru_cache(maxsize=1)
def homoglyph_table() -> dict[int, str]:
    """Non-ASCII characters that look like one ASCII letter or digit, mapped to it."""
    table: dict[int, str] = {}
    for char, glyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or not char.isalpha():
            continue
        for glyph in glyphs:
            latin = glyph["c"]
            if len(latin) == 1 and latin.isascii() and latin.isalpha():
                if latin == "l" and char.isupper():
                    latin = "I"  # TR39's prototype of I is l; an upper-case letter means I
                table[ord(char)] = latin
                break
    for char, latin in _SMALL_CAPS.items():
        table.setdefault(ord(char), latin)
    return table


# Drawn like both I and l (TR39 reads them as one of the two): the other reading.
_I_OR_L = str.maketrans({"\u04cf": "l", "\u0406": "l", "\u0399": "l", "\u0456": "l", "\u03b9": "l"})
# Each as the letter it is in its own script (Cyrillic і and Greek ι are i, І and Ι are I,
# the palochka ӏ is l): a name holding both I and l ("AIl" written "ΑΙӏ") needs both at once.
_I_OR_L_BY_CASE = str.maketrans({"\u04cf": "l", "\u0406": "I", "\u0399": "I", "\u0456": "i", "\u03b9": "i"})


def fold_homoglyphs(text: str) -> str:
    """``text`` with look-alike letters of other scripts replaced by the Latin letter."""
    return text.translate(homoglyph_table())


def fold_homoglyphs_l(text: str) -> str | None:
    """The other reading of letters drawn like both I and l (Cyrillic ӏ, І, Greek Ι):
    ``text`` folded with them read as l; None when it holds none."""
    read = text.translate(_I_OR_L)
    return fold_homoglyphs(read) if read != text else None


def fold_homoglyphs_by_case(text: str) -> str | None:
    """A third reading of the I-or-l letters: each as the letter it is in its own script;
    None when the text holds none."""
    read = text.translate(_I_OR_L_BY_CASE)
    return fold_homoglyphs(read) if read != text else None
