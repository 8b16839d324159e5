"""Folding: text reduced so that surface variations of a name compare equal (case,
accents, punctuation, spacing, possessives, invisible characters, compatibility forms),
and the words too common to identify anything."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["STOPWORDS", "forget_folded_texts", "name_like_words", "normalize", "tokens"]

_POSSESSIVE = re.compile(r"(\w)['\u2019\u02bc\uff07]s\b", re.UNICODE | re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Unicode's format characters (category Cf): invisible, so they never separate words.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

# Words too common to identify anything on their own (never a partial or keyword key).
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "known",
        "famous",
        "well",
        "best",
        "first",
        "one",
        "two",
        "three",
        "new",
        "old",
        "great",
        "good",
        "year",
        "years",
        "born",
        "life",
        "work",
        "works",
        "book",
        "books",
        "wrote",
        "written",
        "author",
        "writer",
        "name",
        "named",
        "called",
        "many",
        "much",
        "made",
        "make",
        "part",
        "people",
        "person",
        "known",
        "american",
        "english",
        "british",
        "french",
        "world",
        "time",
        "film",
        "films",
        "series",
        "novel",
        "novels",
        "song",
        "songs",
        "album",
    ]
)


def normalize(text: str) -> str:
    """Fold text so that surface variations of a name compare equal.

    Invisible format characters (zero-width spaces and joiners, soft hyphens, direction
    marks) dropped, so they cannot split a name; NFKC (full-width, mathematical and other
    compatibility forms); possessive ``'s`` dropped, accents stripped, case folded, every
    run of punctuation/whitespace turned into one space.
    Idempotent: ``normalize(normalize(x)) == normalize(x)``. Short strings (names,
    aliases, keywords: folded again and again while a registry loads) are cached.
    """
    if len(text) <= _CACHED_CHARS:
        return _normalize_cached(text)
    return _normalize_recent(text)


_CACHED_CHARS = 256


def _normalize(text: str) -> str:
    if text.isascii():  # NFKC/NFKD are the identity and nothing combines: same result
        return _NON_WORD.sub(" ", _POSSESSIVE.sub(r"\1", text).lower()).strip()
    text = _FORMAT_CHARS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _POSSESSIVE.sub(r"\1", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return _NON_WORD.sub(" ", text).strip()


_normalize_cached = lru_cache(maxsize=65536)(_normalize)
_normalize_recent = lru_cache(maxsize=8)(_normalize)  # an answer is read by several passes


def forget_folded_texts() -> None:
    """Empty the caches of folded text (benchmarks replay a query stream from cold)."""
    _normalize_cached.cache_clear()
    _normalize_recent.cache_clear()


def tokens(text: str) -> list[str]:
    """Folded tokens of ``text``."""
    return normalize(text).split()


_WORD = re.compile(r"\w+", re.UNICODE)


def name_like_words(text: str) -> frozenset[str] | None:
    """Folded words of ``text`` written like a name: capitalized, or anywhere in a line
    that has no case to go by (all lower or all upper case). None when the whole text
    has no case.

    Cased prose capitalizes names, so weak cues that are also everyday words ("Green",
    "Little", "Page", "A. Field") and typo probes need a word written like a name; a
    question typed all in lower case ("who is jane austin") is taken as it is.
    """
    if text == text.lower() or text == text.upper():
        return None
    found: set[str] = set()
    for line in text.splitlines():
        if line == line.lower() or line == line.upper():
            found.update(tokens(line))
            continue
        for match in _WORD.finditer(line):
            word = match.group()
            if word[0].isupper():
                found.update(normalize(word).split())
    return frozenset(found)
