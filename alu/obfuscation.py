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
  is transliterated (``anyascii``, with the spellings it reads letter by letter fixed:
  see :func:`transliterate`) and compared by its sound skeleton (see
  :func:`sound_skeleton`), since transliteration rarely gives back the English spelling;
  :func:`name_runs` says where the script itself marks words as a name;
- **ciphers**: ROT13 (tried only where a rotated word pair begins a registered name),
  base64 tokens (decoded when they hold text) and the NATO spelling alphabet ("Juliett
  Alfa November Echo");
- **spelled out**: letters or short pieces separated by spaces, dots, dashes or lines
  ("J a n e  A u s t e n", "J-A-N-E", "Ja ne Aus ten") are joined and compared with
  names written without spaces; so are words written backwards ("netsuA enaJ").

Invisible characters (zero-width spaces, soft hyphens, direction marks) are dropped by
:func:`alu.matching.normalize` itself, and full-width or mathematical letters ("𝐉𝐚𝐧𝐞")
are folded by its NFKC step, so neither needs a reading of its own.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from anyascii import anyascii

__all__ = [
    "LEET",
    "NATO",
    "NameRun",
    "base64_texts",
    "fold_homoglyphs",
    "fold_leet",
    "name_runs",
    "nato_runs",
    "needs_transliteration",
    "readings",
    "romanized_syllables",
    "rot13",
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


# Greek writes b, d and g of foreign names with two letters ("Μπλερ" Blair, "Ντόναλντ"
# Donald, "Γκραντ" Grant), which anyascii reads letter by letter ("Mpler").
_GREEK_VOWELS = "αεηιουωάέήίόύώϊϋΐΰ"
_GREEK_CLUSTERS = [
    (re.compile(rf"(?<![\w])γου(?=[{_GREEK_VOWELS}])", re.IGNORECASE), "w"),  # "Γουόρεν" Warren
    (re.compile(r"(?<![\w])μπ", re.IGNORECASE), "b"),
    (re.compile(r"(?<![\w])ντ", re.IGNORECASE), "d"),
    (re.compile(r"(?<![\w])γκ", re.IGNORECASE), "g"),
    (re.compile(rf"(?<=[^\W{_GREEK_VOWELS}])μπ", re.IGNORECASE), "b"),  # after a consonant
    (re.compile(rf"(?<=[^\W{_GREEK_VOWELS}])ντ", re.IGNORECASE), "d"),
    (re.compile(r"γκ|γγ", re.IGNORECASE), "ng"),
]
# Other spellings anyascii reads letter by letter: Greek writes English "h" with χ and
# "ch" with τσ; Devanagari's nasal sign is n except before p, b or m; its dotted ज़ is z;
# Japanese's small tsu doubles the next consonant ("キッシンジャー" kisshinja).
_SPELLINGS = [
    (re.compile("χ", re.IGNORECASE), "h"),
    (re.compile("τσ", re.IGNORECASE), "ch"),
    (re.compile("\u0902(?=[\u092a-\u092e])"), "m"),
    (re.compile("\u0902"), "n"),
    (re.compile("\u091c\u093c|\u095b"), "z"),
    (re.compile("[\u30c3\u3063]"), ""),
]
_NEEDS_SPELLING = re.compile("[\u0370-\u03ff\u1f00-\u1fff\u0902\u093c\u095b\u30c3\u3063]")


def transliterate(text: str) -> str:
    """``text`` in ASCII letters (``anyascii``: every script, one fixed romanization;
    Greek's two-letter b, d and g read as one letter, and apostrophes for soft signs or
    hamzas dropped within words: "Кардашьян" is "Kardashyan")."""
    if _NEEDS_SPELLING.search(text):
        for pattern, letter in (*_GREEK_CLUSTERS, *_SPELLINGS):
            text = pattern.sub(lambda m, letter=letter: letter[:1].upper() + letter[1:] if m.group()[0].isupper() else letter, text)
    return _NON_ASCII_RUN.sub(lambda run: anyascii(run.group()).replace("'", ""), text)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


_SYLLABIC = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")


def romanized_syllables(text: str) -> str:
    """:func:`transliterate`, with kana, Han characters and Hangul syllables romanized
    one by one, spaced: the first two put no spaces between words, and Korean attaches
    particles to them, so a name may start or end at any syllable."""
    return transliterate(_SYLLABIC.sub(r" \1 ", text))


# Sound skeleton: spellings that romanizations of one name vary between, made equal.
_SKELETON_RULES = [
    (re.compile(r"x"), "ks"),
    (re.compile(r"g(?=e\b)"), "j"),  # "cage", "george"
    (re.compile(r"r(?![aeiouy])"), ""),  # non-rhotic renderings drop it: "kadashian", "teira"
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


# A word: letters and the combining marks written on them (Devanagari's vowel signs and
# virama, Arabic's and Hebrew's vowel points, Thai's vowels are marks, not letters).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed" \
    "\u0900-\u0963\u0981-\u09e3\u0a01-\u0a63\u0a81-\u0ae3\u0b01-\u0b63\u0b82-\u0be3\u0c00-\u0c63" \
    "\u0c81-\u0ce3\u0d00-\u0d63\u0e31-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a"
_TOKEN = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}])*", re.UNICODE)
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_DOT = "·・‧•"
_CASED_SCRIPT_MAX_WORDS = 4
_KOREAN_PARTICLE = re.compile(
    "(?<=[\uac00-\ud7af])(?:입니다|이다|이며|이고|이라는|에게서|에게|에서|으로|처럼|까지|부터|께서|은|는|을|를|의|와|과|이|가)$"
)
_HAN_SIDE = 4  # Han characters tried on each side of a name's middle dot


class NameRun(NamedTuple):
    """Romanized words that could be a name written in a non-Latin script."""

    words: list[str]
    marked: bool
    """The script marks these words as a name (capitals, a middle dot), not merely as words."""


def name_runs(text: str) -> list[NameRun]:
    """Romanized word runs of ``text`` that could be a name written in a non-Latin script.

    Where the script shows names, only names are taken, and the run is ``marked``: runs
    of capitalized words in a cased script (Cyrillic, Greek, Armenian ...; marked from two
    words), katakana runs (how Japanese writes a foreign name; a middle dot separates its
    words; marked when it does), and Han characters on both sides of a middle dot (how
    Chinese writes one: "简·奥斯汀"). Scripts without case or such marks (Arabic, Hebrew,
    Devanagari, Hangul, Thai ...) give every word, as one unmarked run per line.
    Words in the Latin script are left to the other readings.
    """
    runs: list[NameRun] = []

    def cased(words: list[str]) -> None:
        if words:
            runs.append(NameRun(words, len(words) > 1))

    for line in text.splitlines():
        caseless: list[str] = []
        capitalized: list[str] = []
        for match in _TOKEN.finditer(line):
            word = match.group()
            if word.isascii() or not _has_foreign_letters(word):
                cased(capitalized)
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
                cased(capitalized)
                capitalized = []
            else:
                particle = _KOREAN_PARTICLE.search(word)
                if particle:  # "킹입니다": the name, then "is" (Korean attaches particles)
                    caseless += [transliterate(word[: particle.start()]), transliterate(particle.group())]
                else:
                    caseless.append(transliterate(word))
        cased(capitalized)
        if caseless:
            runs.append(NameRun(caseless, False))
        for match in re.finditer(rf"[\u30a0-\u30ff{_DOT}=]+", line):
            pieces = [p for p in re.split(rf"[{_DOT}=]", match.group()) if p and _KATAKANA.fullmatch(p)]
            if pieces:
                runs.append(NameRun([transliterate(p) for p in pieces], len(pieces) > 1))
        for match in re.finditer(rf"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+(?:[{_DOT}][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)+", line):
            parts = re.split(f"[{_DOT}]", match.group())
            middle = [transliterate(p) for p in parts[1:-1]]
            for left in range(1, min(_HAN_SIDE, len(parts[0])) + 1):
                for right in range(1, min(_HAN_SIDE, len(parts[-1])) + 1):
                    runs.append(NameRun([transliterate(parts[0][-left:]), *middle, transliterate(parts[-1][:right])], True))
    return [run for run in runs if run.words]


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


# -- ciphers ----------------------------------------------------------------------------

NATO: dict[str, str] = {
    word: word[0]
    for word in ["alfa", "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "whisky", "xray", "yankee", "zulu"]
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
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM"
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
        if len(token) % 4 or token.isalpha() and (token.islower() or token.isupper()):
            continue  # a plain word, not an encoding
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        if decoded.isprintable() and any(ch.isalpha() for ch in decoded):
            found.append(decoded)
    return found
