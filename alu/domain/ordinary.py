"""Names that cannot be told from ordinary words: a target named "a", "the", "I" or "42"
would flag nearly every answer (the deterministic stage matches names as words), so
registration refuses such a name unless the registrant opts in.

The rule, on the name as the matcher sees it (:func:`alu.text.normalize`: case, accents
and punctuation folded):

- **a number alone**: every word is a number ("42", "1984", "3.14"). A number with a word
  is a name ("Area 51", "Apollo 11", "Catch-22"), unless the words are all common words
  too ("The 42", "1984 novel").
- **too short**: two letters or digits or fewer in alphabetic scripts ("I", "AI",
  "J. K.", "U2"); in scripts written without spaces between words (Han, kana, Hangul,
  Thai…), where one character is a syllable or a word, a single character ("李", "김").
  Two such characters are a name ("東京", "李白").
- **common words only**: every word is one of :data:`alu.text.STOPWORDS` (the detector's
  own list of words too common to key anything: "the", "it", "The Who", "Time") or a
  number. The list is English; in other languages only the length and number rules apply.

Values only: a pure function of the name, with no store and no model.
"""

from __future__ import annotations

import unicodedata

from alu.text import STOPWORDS, normalize

__all__ = ["ordinary_word_reason"]

# Scripts written without spaces between words, where one character is a syllable or a
# morpheme: such a character weighs as two letters do in an alphabet.
_UNSPACED_PREFIXES = (
    "CJK",
    "HIRAGANA",
    "KATAKANA",
    "HANGUL",
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
    "TIBETAN",
    "YI ",
    "BOPOMOFO",
)
_MIN_WEIGHT = 3  # letters (or digits) a name needs: two or fewer cannot be told from words


def _weight(char: str) -> int:
    name = unicodedata.name(char, "")
    return 2 if name.startswith(_UNSPACED_PREFIXES) else 1


def ordinary_word_reason(name: str) -> str | None:
    """Why ``name`` cannot be told from ordinary words, or None when it can.

    The reason is a short phrase that never quotes the name (it may reach a log or a
    server client): "has no letters or digits", "is a number alone", "has two letters or
    fewer", "is only common words" (the first that applies). See the module docstring for the rule.
    """
    folded = normalize(name) if isinstance(name, str) else ""
    words = folded.split()
    if not words:
        return "has no letters or digits"
    if all(w.isdigit() for w in words):
        return "is a number alone"
    if sum(_weight(c) for w in words for c in w) < _MIN_WEIGHT:
        return "has two letters or fewer"
    if all(w in STOPWORDS or w.isdigit() for w in words):
        return "is only common words"
    return None
