"""Readings of a text that undo the usual ways of hiding a name in it.

Why it exists: a model asked to "write the name with a space between the letters", in
leetspeak, in Cyrillic letters, or spelled letter by letter slips the name past plain
matching; the deterministic layer (the auditor's first stage, the critic's cap and the
composer's final check) must block those too, whatever the agents say. Each reading here
is a *text*, matched by :class:`alu.matching.TargetIndex` like any other; this module
only decides which readings a text needs, so an ordinary English answer costs one quick
scan and no extra matching.

- **look-alike letters** (homoglyphs): letters of other scripts drawn like Latin ones
  ("Jаne" with a Cyrillic а, Greek "Αusten") take the Latin letter. The table comes from
  Unicode's confusables data (TR39) as shipped by ``confusable_homoglyphs``, plus the
  small-capital look-alikes it lacks (Cyrillic к м т н в);
- **leetspeak**: inside a word that mixes letters with digits or symbols ("J4n3",
  "@usten", "Au$ten"), 4→a, 3→e, 0→o, 1→i (or l), 5→s, 7→t, @→a, $→s …;
- **other scripts**: a name written in another script ("Джейн Остин", "ジェーン・オースティン")
  is transliterated (``anyascii``) and compared by its sound skeleton (see
  :func:`sound_skeleton`), since transliteration rarely gives back the English spelling;
- **spelled out**: letters or short pieces separated by spaces, dots, dashes or lines
  ("J a n e  A u s t e n", "J-A-N-E", "Ja ne Aus ten") are joined and compared with
  names written without spaces; so are words written backwards ("netsuA enaJ").

Invisible characters (zero-width spaces, soft hyphens, direction marks) are dropped by
:func:`alu.matching.normalize` itself, and full-width or mathematical letters ("𝐉𝐚𝐧𝐞")
are folded by its NFKC step, so neither needs a reading of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "LEET",
    "fold_homoglyphs",
    "fold_leet",
    "name_runs",
    "needs_transliteration",
    "readings",
    "romanized_syllables",
    "sound_skeleton",
    "transliterate",
]

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

# Lower-case letters drawn like Latin small capitals, which TR39 maps to no ASCII letter.
_SMALL_CAPS = {"к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "ь": "b", "г": "r", "п": "n", "ɪ": "i"}


@lru_cache(maxsize=1)
def _homoglyph_table() -> dict[int, str]:
    """Non-ASCII characters that look like one ASCII letter or digit, mapped to it."""
    from confusable_homoglyphs import confusables

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


def fold_homoglyphs(text: str) -> str:
    """``text`` with look-alike letters of other scripts replaced by the Latin letter."""
    return text.translate(_homoglyph_table())


def fold_leet(text: str, *, one_as: str = "i") -> str:
    """``text`` with leetspeak undone inside words that mix letters and digits/symbols.

    ``one_as``: what 1, | and ! read as (``"i"``, or ``"l"`` for the other reading).
    """
    table = _LEET_ONE if one_as == "i" else _LEET_ALT
    return _LEET_WORD.sub(lambda m: m.group().translate(table), text)


def transliterate(text: str) -> str:
    """``text`` in ASCII letters (``anyascii``: every script, one fixed romanization)."""
    return anyascii(text)


_SYLLABIC = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")


def romanized_syllables(text: str) -> str:
    """:func:`transliterate`, with kana, Han characters and Hangul syllables romanized
    one by one, spaced: the first two put no spaces between words, and Korean attaches
    particles to them, so a name may start or end at any syllable."""
    return anyascii(_SYLLABIC.sub(r" \1 ", text))


# Sound skeleton: spellings that romanizations of one name vary between, made equal.
_SKELETON_RULES = [
    (re.compile(r"r(?![aeiouy])"), ""),  # non-rhotic renderings drop it: "kadashian", "teira"
    (re.compile(r"dzh|dj|zh|tzs?|dz|g(?=[ei][aeou])"), "j"),
    (re.compile(r"t?sch|t?sh|t?ch"), "s"),
    (re.compile(r"ck|kh|q|c(?![eiy])|gh|t(?=k)"), "k"),
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


_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_DOT = "·・‧•"
_CASED_SCRIPT_MAX_WORDS = 4
_HAN_SIDE = 4  # Han characters tried on each side of a name's middle dot


def name_runs(text: str) -> list[list[str]]:
    """Romanized word runs of ``text`` that could be a name written in a non-Latin script.

    Where the script shows names, only names are taken: runs of capitalized words in a
    cased script (Cyrillic, Greek, Armenian ...), katakana runs (how Japanese writes a
    foreign name; a middle dot separates its words), and Han characters on both sides of
    a middle dot (how Chinese writes one: "简·奥斯汀"). Scripts without case or such marks
    (Arabic, Hebrew, Devanagari, Hangul, Thai ...) give every word, as one run per line.
    Words in the Latin script are left to the other readings.
    """
    runs: list[list[str]] = []
    for line in text.splitlines():
        caseless: list[str] = []
        capitalized: list[str] = []
        for match in _TOKEN.finditer(line):
            word = match.group()
            if word.isascii() or not _has_foreign_letters(word):
                runs.append(capitalized) if capitalized else None
                capitalized = []
                continue
            first = word[0]
            if _KATAKANA.search(word) or _HAN.search(word):
                continue  # handled below
            if first.upper() != first.lower():  # a cased script
                if first.isupper():
                    capitalized.append(transliterate(word))
                    if len(capitalized) > _CASED_SCRIPT_MAX_WORDS:
                        capitalized.pop(0)
                    continue
                if capitalized:
                    runs.append(capitalized)
                capitalized = []
            else:
                caseless.append(transliterate(word))
        if capitalized:
            runs.append(capitalized)
        if caseless:
            runs.append(caseless)
        for match in re.finditer(rf"[\u30a0-\u30ff{_DOT}=]+", line):
            pieces = [p for p in re.split(rf"[{_DOT}=]", match.group()) if p and _KATAKANA.fullmatch(p)]
            if pieces:
                runs.append([anyascii(p) for p in pieces])
        for match in re.finditer(rf"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+(?:[{_DOT}][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)+", line):
            parts = re.split(f"[{_DOT}]", match.group())
            middle = [anyascii(p) for p in parts[1:-1]]
            for left in range(1, min(_HAN_SIDE, len(parts[0])) + 1):
                for right in range(1, min(_HAN_SIDE, len(parts[-1])) + 1):
                    runs.append([anyascii(parts[0][-left:]), *middle, anyascii(parts[-1][:right])])
    return [run for run in runs if run]


def _has_foreign_letters(text: str) -> bool:
    """True when ``text`` has letters that do not fold to Latin ones."""
    return any(char.isalpha() for char in _BEYOND_LATIN.findall(text))


_BEYOND_LATIN = re.compile("[^\x00-\u024f]")


def readings(text: str) -> list[str]:
    """Other readings of ``text`` worth matching: look-alike letters folded, then
    leetspeak undone (both readings of 1). Empty for ordinary ASCII prose.

    Spelled-out and backwards names and other scripts are read by
    :class:`alu.matching.TargetIndex` itself (they need its tables).
    """
    found: list[str] = []
    base = text
    if not text.isascii():
        folded = fold_homoglyphs(text)
        if folded != text:
            found.append(folded)
            base = folded
    if _LEET_CHAR.search(base) and _LEET_WORD.search(base):
        for one_as in ("i", "l"):
            unleet = fold_leet(base, one_as=one_as)
            if unleet != base and unleet not in found:
                found.append(unleet)
    return found


def needs_transliteration(text: str) -> bool:
    """True when ``text`` holds letters of a non-Latin script (after look-alike folding)."""
    return not text.isascii() and _has_foreign_letters(fold_homoglyphs(text))
