"""Deterministic checks on a judge's evidence (the words it copied for each candidate it
flags), model-free and run after every judge call.

Why: a small judge confirms almost any candidate it is shown, and "quotes" whatever is at
hand. A flag stands only on evidence that could be a reference: words that are in the
exchange (:func:`quoted`), and for a person more of the person than a given name that
belongs to someone else (:func:`names_someone_else`: "John Kander" is not John Candy). The
topic check (the evidence must itself read as the topic by meaning) needs the semantic
stage and lives with the auditor (:mod:`alu.nodes.auditor`).
"""

from __future__ import annotations

import re

from alu.domain import Target
from alu.text.folding import STOPWORDS, normalize

__all__ = ["names_someone_else", "quoted"]

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)


def quoted(evidence: str, texts: list[str]) -> bool:
    """True when ``evidence`` occurs, folded (case, accents, punctuation), in one of ``texts``.

    A judge's flag stands only on words that are in the exchange: a reference whose
    evidence is nowhere in the question, the answer or the earlier turns is one the
    model made up (a small model "quotes" a sentence of its own), so it is not a flag.
    """
    needle = normalize(evidence)
    return bool(needle) and any(f" {needle} " in f" {normalize(text)} " for text in texts if text)


def _name_words(target: Target) -> tuple[set[str], set[str]]:
    """All folded words of the target's name and aliases, and its given names (a word
    that comes before the last in some name and is nobody's last word there)."""
    words: set[str] = set()
    before_last: set[str] = set()
    last: set[str] = set()
    for name in (target.name, *target.aliases):
        parts = normalize(name).split()
        words.update(parts)
        before_last.update(parts[:-1])
        last.update(parts[-1:])
    return words, before_last - last


def names_someone_else(evidence: str, target: Target) -> bool:
    """True when ``evidence`` holds words of the person's name only as given names of
    other people: each such word is followed, in the evidence, by a capitalised word that
    is not one of the person's (``John Kander`` for John Candy), and no other word of
    the person's names occurs.

    Evidence with no word of the person's names (a description, a work, a relative) is
    left to the judge: that is what the judge is for. Only ``person`` targets are read
    this way (a work's title shares common words with others by design).
    """
    if target.kind != "person":
        return False
    words, given = _name_words(target)
    words -= STOPWORDS
    tokens = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(evidence)]
    shared = 0
    for i, (token, _, end) in enumerate(tokens):
        folded = normalize(token)
        if folded not in words:
            continue
        shared += 1
        if folded not in given or i + 1 >= len(tokens):
            return False  # a surname, or a given name standing alone: the person's own
        following, start, _ = tokens[i + 1]
        joined = evidence[end:start].strip() == ""
        if not (joined and following[:1].isupper() and normalize(following) not in words):
            return False
    return shared > 0
