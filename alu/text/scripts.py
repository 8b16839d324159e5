"""Other scripts: transliteration (``anyascii``, with the spellings it reads letter by
letter fixed) and the runs of words the script itself marks as a name."""

from __future__ import annotations

import re
from functools import partial
from typing import NamedTuple

from anyascii import anyascii

from alu.text.homoglyphs import fold_homoglyphs

__all__ = [
    "NameRun",
    "name_runs",
    "needs_transliteration",
    "romanized_syllables",
    "transliterate",
]

# Greek writes b, d and g of foreign names with two letters ("Μπλερ" Blair, "Ντόναλντ"
# Donald, "Γκραντ" Grant), which anyascii reads letter by letter ("Mpler").
_GREEK_VOWELS = "αεηιουωάέήίόύώϊϋΐΰ"
_GREEK_CLUSTERS = [
    (
        re.compile(rf"(?<![\w])γου(?=[{_GREEK_VOWELS}])", re.IGNORECASE),
        "w",
    ),  # "Γουόρεν" Warren
    (re.compile(r"(?<![\w])μπ", re.IGNORECASE), "b"),
    (re.compile(r"(?<![\w])ντ", re.IGNORECASE), "d"),
    (re.compile(r"(?<![\w])γκ", re.IGNORECASE), "g"),
    (
        re.compile(rf"(?<=[^\W{_GREEK_VOWELS}])μπ", re.IGNORECASE),
        "b",
    ),  # after a consonant
    (re.compile(rf"(?<=[^\W{_GREEK_VOWELS}])ντ", re.IGNORECASE), "d"),
    (re.compile(r"γκ|γγ", re.IGNORECASE), "ng"),
]
# Other spellings anyascii reads letter by letter: Greek writes English "h" with χ and
# "ch" with τσ; Devanagari's nasal sign is n except before p, b or m; its dotted ज़ is z;
# Japanese's small tsu doubles the next consonant ("キッシンジャー" kisshinja); an Arabic
# word that starts with an alif carrying hamza or madda starts with a vowel ("ألبرت" Albert).
_SPELLINGS = [
    (re.compile("χ", re.IGNORECASE), "h"),
    (re.compile("τσ", re.IGNORECASE), "ch"),
    (re.compile("\u0902(?=[\u092a-\u092e])"), "m"),
    (re.compile("\u0902"), "n"),
    (re.compile("\u091c\u093c|\u095b"), "z"),
    (re.compile("[\u30c3\u3063]"), ""),
    (re.compile("(?<![\\w])[\u0622\u0623\u0625\u0671]"), "a"),  # an alif with hamza or madda
]
_NEEDS_SPELLING = re.compile("[\u0370-\u03ff\u1f00-\u1fff\u0902\u093c\u095b\u30c3\u3063\u0622\u0623\u0625\u0671]")


def _in_case(letter: str, match: re.Match[str]) -> str:
    """``letter``, capitalized when the text it replaces starts with a capital."""
    return letter[:1].upper() + letter[1:] if match.group()[0].isupper() else letter


def transliterate(text: str) -> str:
    """``text`` in ASCII letters (``anyascii``: every script, one fixed romanization;
    Greek's two-letter b, d and g read as one letter, and apostrophes for soft signs or
    hamzas dropped within words: "Кардашьян" is "Kardashyan")."""
    if _NEEDS_SPELLING.search(text):
        for pattern, letter in (*_GREEK_CLUSTERS, *_SPELLINGS):
            text = pattern.sub(partial(_in_case, letter), text)
    return _NON_ASCII_RUN.sub(lambda run: anyascii(run.group()).replace("'", ""), text)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


_SYLLABIC = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")


def romanized_syllables(text: str) -> str:
    """:func:`transliterate`, with kana, Han characters and Hangul syllables romanized
    one by one, spaced: the first two put no spaces between words, and Korean attaches
    particles to them, so a name may start or end at any syllable."""
    return transliterate(_SYLLABIC.sub(r" \1 ", text))


# A word: letters and the combining marks written on them (Devanagari's vowel signs and
# virama, Arabic's and Hebrew's vowel points, Thai's vowels are marks, not letters).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0963\u0981-\u09e3\u0a01-\u0a63\u0a81-\u0ae3\u0b01-\u0b63\u0b82-\u0be3\u0c00-\u0c63"
    "\u0c81-\u0ce3\u0d00-\u0d63\u0e31-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a"
)
_TOKEN = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}])*", re.UNICODE)
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_DOT = "·・‧•"
_CASED_SCRIPT_MAX_WORDS = 4
_KOREAN_PARTICLE = re.compile(
    "(?<=[\uac00-\ud7af])(?:입니다|이다|이며|이고|이라는|에게서|에게|에서|으로|처럼|까지|부터|께서|은|는|을|를|의|와|과|이|가)$"
)
# Arabic's article (with the conjunctions and prepositions written onto it): nouns, not
# the foreign names the press writes letter for letter ("ستيفن كينغ").
_ARABIC_ARTICLE = re.compile("(?:[\u0648\u0641\u0628\u0643]?\u0627\u0644|\u0644\u0644)[\u0621-\u064a]{2}")
# Han runs joined by middle dots. Tried only where a Han run starts, and each run is taken
# whole (possessive): a run with no dot fails once, not once per length (the unanchored,
# backtracking pattern cost quadratic time on long Han text without a dot).
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_DOTTED = re.compile(rf"(?<![{_HAN_CLASS}])[{_HAN_CLASS}]++(?:[{_DOT}][{_HAN_CLASS}]++)+")
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
    Devanagari, Hangul, Thai ...) give every word, as one unmarked run per line (Arabic
    words with the article end a run: nouns, not names).
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
            elif _ARABIC_ARTICLE.match(word):  # "الساحل": a noun with the article, never a name
                if caseless:
                    runs.append(NameRun(caseless, False))
                caseless = []
            else:
                particle = _KOREAN_PARTICLE.search(word)
                if particle:  # "킹입니다": the name, then "is" (Korean attaches particles)
                    caseless += [
                        transliterate(word[: particle.start()]),
                        transliterate(particle.group()),
                    ]
                else:
                    caseless.append(transliterate(word))
        cased(capitalized)
        if caseless:
            runs.append(NameRun(caseless, False))
        for match in re.finditer(rf"[\u30a0-\u30ff{_DOT}=]+", line):
            pieces = [p for p in re.split(rf"[{_DOT}=]", match.group()) if p and _KATAKANA.fullmatch(p)]
            if pieces:
                runs.append(NameRun([transliterate(p) for p in pieces], len(pieces) > 1))
        for match in _HAN_DOTTED.finditer(line):
            parts = re.split(f"[{_DOT}]", match.group())
            middle = [transliterate(p) for p in parts[1:-1]]
            for left in range(1, min(_HAN_SIDE, len(parts[0])) + 1):
                for right in range(1, min(_HAN_SIDE, len(parts[-1])) + 1):
                    runs.append(
                        NameRun(
                            [
                                transliterate(parts[0][-left:]),
                                *middle,
                                transliterate(parts[-1][:right]),
                            ],
                            True,
                        )
                    )
    return [run for run in runs if run.words]


def _has_foreign_letters(text: str) -> bool:
    """True when ``text`` has letters that do not fold to Latin ones."""
    return any(char.isalpha() for char in _BEYOND_LATIN.findall(text))


_BEYOND_LATIN = re.compile("[^\x00-\u024f]")


def needs_transliteration(text: str) -> bool:
    """True when ``text`` holds letters of a non-Latin script (after look-alike folding)."""
    return not text.isascii() and _has_foreign_letters(fold_homoglyphs(text))
