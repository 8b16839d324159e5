"""Sound skeletons: a folded phrase's consonants, with the spellings romanizations of
one name vary between made equal."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from rapidfuzz import fuzz

__all__ = ["loose_name_key", "name_closeness", "name_keys", "sound_skeleton", "text_name_keys", "word_name_keys"]

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


def _rewrite(text: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    """``text`` with each rule's pattern replaced in turn (the rule tables' order matters)."""
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text


def sound_skeleton(phrase: str) -> str:
    """A folded phrase's consonants, with the spellings romanizations mix up made equal.

    "jane austen" → "jnstn"; so do "dzheyn ostin" (Russian), "jien osutein" (Japanese),
    "jian aositing" (Chinese), "jen osten" (Hindi), "jein oseutin" (Korean). Word breaks
    are dropped ("kardash yan", "di kaprio"). Lossy on purpose: used only for text in a
    non-Latin script, and only to compare whole names.
    """
    word = _rewrite(phrase.lower(), _SKELETON_RULES)
    word = _VOWELISH.sub("", word)
    return _REPEATS.sub(r"\1", word)


# -- Name keys: whole names written in another script, part by part -----------------
#
# A coarser key than :func:`sound_skeleton`, one per name part, built to agree across
# the ways scripts render an English name: consonant classes (b/p/f/v, k/g/c/q,
# t/d, s/z/c/x/sh/ch/j, l/r, m/n), vowels dropped but a vowel (or h, w, y) at the
# start of a part kept as "a" ("Elon" and "إيلون" start with a vowel, "Levi" does not).
# The text side tries a few readings of each romanized word (see :func:`text_name_keys`);
# the registered side tries each part with and without an r before a consonant (Arabic
# writes that r, Japanese, Chinese and Korean leave it out: "Marx", "Burton").
_KEY_RULES = [
    (re.compile(r"gh$"), ""),  # "Hugh", "Leigh"
    (re.compile(r"g(?=e|i[aeou]|y)"), "j"),  # soft g: "Cage", "Kissinger"
    (re.compile(r"ngh?"), "n"),  # ng, and Arabic's ngh (غ written for a final g)
    (re.compile(r"dzh|dj|zh|tzs?|dz"), "s"),
    (re.compile(r"t?sch|t?sh|t?ch|j"), "s"),
    (re.compile(r"kh"), "h"),  # Cyrillic х for English h: "Khilton"
    (re.compile(r"gh"), "k"),  # Arabic غ for g: "ghrnt"
    (re.compile(r"x"), "ks"),
    (re.compile(r"ck|q|c(?![eiy])|g"), "k"),
    (re.compile(r"ph|p|b|v"), "f"),
    (re.compile(r"th|d"), "t"),
    (re.compile(r"c|z"), "s"),
    (re.compile(r"m"), "n"),
    (re.compile(r"l"), "r"),
]
_KEY_VOWELISH = re.compile(r"[^fknrst]")
_KEY_ONSET = frozenset("aeiouyhw'")
_R_BEFORE_CONSONANT = re.compile(r"r(?![aeiouy])")
# Syllables as anyascii writes Han characters and Hangul syllables: one capital each.
_SYLLABLE = re.compile(r"[A-Z][a-z]*|[a-z]+")
_HANGUL_EPENTHETIC = re.compile(r"([^aeiou]+)eu([^aeiou]*)")  # "Seu", "Beun", "Leul"
_MAX_KEY_READINGS = 16  # readings of a span of words tried, at most


def _part_key(word: str, *, drop_r: bool = False) -> str:
    """One name part's key (see above): "stephen" → "stfn", "elon" → "arn"."""
    low = word.lower()
    if drop_r:
        low = _R_BEFORE_CONSONANT.sub("", low)
    low = _rewrite(low, _KEY_RULES)
    onset = "a" if low[:1] in _KEY_ONSET else ""
    consonants = _KEY_VOWELISH.sub("", low).replace("ts", "s")
    return onset + _REPEATS.sub(r"\1", consonants)


def name_keys(words: list[str]) -> set[str]:
    """The keys of a registered name of several parts (folded words), one key per
    reading: each part with and without an r before a consonant ("karl marx" → "kr
    nrks", "kr nks")."""
    options = [{_part_key(w), _part_key(w, drop_r=True)} for w in words]
    return {" ".join(parts) for parts in itertools.product(*options)}


def _syllabic_readings(word: str) -> list[str]:
    """Other readings of a word romanized syllable by syllable (Han characters, Hangul:
    anyascii capitalizes each syllable): Korean's epenthetic "eu" dropped ("SeuTiBeun"
    → "stibun"), pinyin's "er" as the l or r it renders, x and q as sh and ch, and the
    sounds pinyin and Hangul write for others (their g is always hard): j, ch for k ("金" Jin for King), sh for h,
    w for v ("WeiSi" for "-ves"), a Hangul final s for t ("BeoPis" for Buffett)."""
    syllables = _SYLLABLE.findall(word)
    if len(syllables) < 2 and not word[:1].isupper():
        return []
    options: list[list[str]] = []
    for syllable in syllables:
        low = syllable.lower()
        if match := _HANGUL_EPENTHETIC.fullmatch(low):
            low = match.group(1) + match.group(2)
        if low == "er":
            low = "l"
        low = low.replace("x", "sh").replace("q", "ch")
        if low[:1] == "g":  # pinyin's and Hangul's g is hard: "Geng" is not "jeng"
            low = "k" + low[1:]
        readings = [low]
        if low[:1] == "j" or low[:2] == "ch":
            readings.append("k" + low.lstrip("jch"))
        if low[:2] == "sh":
            readings.append("h" + low[2:])
        if low[:1] == "w":
            readings.append("v" + low[1:])
        if len(low) > 1 and low.endswith("s"):
            readings.append(low[:-1] + "t")
        options.append(readings)
    return ["".join(parts) for parts in itertools.islice(itertools.product(*options), 8)]


def _word_readings(word: str) -> list[str]:
    """A romanized word and its other readings: syllable by syllable (above), and Greek's
    mp and nt inside a word read as b and d ("Μπίμπερ" Bimper for Bieber)."""
    readings = [word, *_syllabic_readings(word)]
    low = word.lower()
    if "mp" in low or "nt" in low:
        readings.append(low.replace("mp", "b").replace("nt", "d"))
    return readings


def loose_name_key(key: str) -> str:
    """A part key with the vowel onset and the liquids dropped ("arn nsk" → "n nsk"): the
    neighbourhood of a key. A span that matches one registered name's key counts as a
    direct mention only when that name is alone in this neighbourhood too, so that a
    crowded registry turns chance hits into judge candidates."""
    return " ".join(_REPEATS.sub(r"\1", part.lstrip("a").replace("r", "")) or "_" for part in key.split())


@lru_cache(maxsize=8192)
def word_name_keys(word: str) -> frozenset[str]:
    """The part keys of one romanized word, one per reading of it (see
    :func:`_word_readings`); a span of words matches a registered name when one key
    per word, in order, is one of :func:`name_keys`. Memoized: a Han name beside a
    middle dot is read at up to four lengths on each side, and words recur."""
    return frozenset(_part_key(reading) for reading in _word_readings(word))


def text_name_keys(words: list[str]) -> set[str]:
    """The keys of a span of romanized words, one per reading of its words (at most
    :data:`_MAX_KEY_READINGS`); compared with :func:`name_keys` of registered names."""
    options = [sorted(word_name_keys(w)) for w in words]
    return {" ".join(parts) for parts in itertools.islice(itertools.product(*options), _MAX_KEY_READINGS)}


_VOWEL_RUN = re.compile(r"[aeiouyw']+")
_EPENTHETIC_EU = re.compile(r"(?<=[^aeiou ])eu")


_SPELLINGS = [
    (re.compile(r"ck|q|c(?![eiy])"), "k"),  # one sound, spelled several ways
    (re.compile(r"ph|v"), "f"),  # Arabic's ف, Korean's ㅂ/ㅍ write both
    (re.compile(r"dzh|dj|zh|tz|dz|g(?=e\b)"), "j"),
    (re.compile(r"t?sch|tsh|ch"), "sh"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
]


def _vowel_shape(phrase: str) -> str:
    """A phrase's letters with one sound's spellings made one ("c" and "k", "dzh" and
    "j"), each run of vowels one "a", and Korean's "eu" after a consonant dropped: what
    :func:`name_closeness` compares."""
    low = _rewrite(_EPENTHETIC_EU.sub("", phrase.lower()), _SPELLINGS)
    return _VOWEL_RUN.sub("a", low)


_VOWELS = re.compile(r"[aeiou]")
_VOWELISH_LETTERS = re.compile(r"[aeiouyw']+")


def _shape(word: str, phrase_word: str) -> tuple[str, str]:
    """One romanized word and the registered word in its place, as compared: vowel
    runs made one (:func:`_vowel_shape`), or, when the romanized word has no vowel
    letter at all (Arabic leaves short vowels unwritten: "tshrlz"), both without
    vowels."""
    if _VOWELS.search(word):
        return _vowel_shape(word), _vowel_shape(phrase_word)
    return _VOWELISH_LETTERS.sub("", _vowel_shape(word)), _VOWELISH_LETTERS.sub("", _vowel_shape(phrase_word))


def name_closeness(words: list[str], phrase: str) -> float:
    """How close (``rapidfuzz`` ratio, 0-100) the best reading of romanized ``words`` is
    to a registered ``phrase`` of as many words, word by word in shape (see
    :func:`_shape`): the letters' evidence beside the key ("kianu ribusu" is 84 to
    "keanu reeves"; ordinary words that share a key with some registered name mostly
    score under 70)."""
    phrase_words = phrase.split()
    if len(phrase_words) != len(words):
        return 0.0
    best = 0.0
    options = [_word_readings(w) for w in words]
    for parts in itertools.islice(itertools.product(*options), _MAX_KEY_READINGS):
        shapes = [_shape(w.lower(), p) for w, p in zip(parts, phrase_words)]
        best = max(best, fuzz.ratio(" ".join(a for a, _ in shapes), " ".join(b for _, b in shapes)))
    return best
