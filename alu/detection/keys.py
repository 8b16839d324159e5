"""The keys one target is indexed under: folded names and aliases, their initials, name
words, keyword phrases, profile words, and the spaceless and sound forms that the
hidden-name and sound detectors look up. Pure functions of a :class:`Target`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from alu.detection.postings import Posting
from alu.text import STOPWORDS, name_keys, sound_skeleton

__all__ = [
    "CALENDAR_WORDS",
    "EXACT_INITIALS",
    "EXACT_KEYWORD",
    "EXACT_NAME",
    "INITIALS_KINDS",
    "MIN_SKELETON",
    "TargetKeys",
    "WordInfo",
    "aligned_key",
    "compact_keys",
    "distinctive",
    "initials_forms",
    "part_keys",
    "word_prefixes",
]

INITIALS_KINDS = frozenset({"person", "other"})
EXACT_NAME, EXACT_KEYWORD, EXACT_INITIALS = 1, 2, 4  # bits of TargetIndex._exact


def distinctive(token: str) -> bool:
    return len(token) >= 4 and token not in STOPWORDS and not token.isdigit()


# Capitalized in ordinary prose without being a name: never a cue on their own.
CALENDAR_WORDS: frozenset[str] = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


@dataclass(slots=True)
class TargetKeys:
    """Every key one target is indexed under (recomputed identically on removal)."""

    name: str
    phrases: list[str]
    partial: set[str]
    initials: set[str]
    keywords: set[str]
    profile: set[str]


class WordInfo(NamedTuple):
    """What the index holds for one word: its exact-key flags, its owners as a name word
    and as a profile word, and the spans it anchors for typo probes."""

    exact: int
    partial: Posting | None
    profile: Posting | None
    patterns: tuple[tuple[int, int], ...]


def initials_forms(folded: str) -> set[str]:
    """'j austen', 'j r r tolkien', 'jrr tolkien' for 'jane austen', 'john ronald reuel tolkien'."""
    words = folded.split()
    if len(words) < 2 or len(words[-1]) < 3 or words[-1] in STOPWORDS:
        return set()
    head, last = words[:-1], words[-1]
    if any(w in STOPWORDS or not w[0].isalpha() for w in head):
        return set()
    forms = {f"{head[0][0]} {last}"}
    if len(head) > 1:
        forms.add(" ".join(w[0] for w in head) + " " + last)
        forms.add("".join(w[0] for w in head) + " " + last)
    forms.discard(folded)
    return forms


_MIN_COMPACT = 5  # a name shorter than this written without spaces matches too much
MIN_SKELETON = 4  # likewise for sound skeletons ("jnstn" for jane austen is 5)


_MIN_ALIGNED = 4  # the sound skeletons of a name's words, all told ("jn rn" for john lennon)


def aligned_key(words: Sequence[str]) -> str:
    """The sound skeletons of a name's words, word by word ("stfn kn" for stephen king);
    '' for a name of one word or with a word that has no consonant."""
    if len(words) < 2:
        return ""
    parts = [sound_skeleton(word) for word in words]
    if not all(parts) or sum(map(len, parts)) < _MIN_ALIGNED:
        return ""
    return " ".join(parts)


_MIN_PART_KEYS = 4  # consonants of a name's part keys, all told ("sn rn" for john lennon)


def part_keys(words: Sequence[str]) -> set[str]:
    """A name's keys part by part (:func:`alu.text.name_keys`: "stfn kn" for stephen
    king), for names of two parts or more with four consonants or more; empty
    otherwise (a one-word name's sound alone is no evidence)."""
    if len(words) < 2:
        return set()
    keys = set()
    for key in name_keys(list(words)):
        parts = key.split()
        if all(parts) and sum(len(p.lstrip("a")) for p in parts) >= _MIN_PART_KEYS:
            keys.add(key)
    return keys


def compact_keys(phrase: str) -> tuple[str, str]:
    """A folded name or alias without its spaces, and its sound skeleton ('' when too short)."""
    compact = phrase.replace(" ", "")
    skeleton = sound_skeleton(phrase)
    return (
        compact if len(compact) >= _MIN_COMPACT and not compact.isdigit() else "",
        skeleton if len(skeleton) >= MIN_SKELETON else "",
    )


def word_prefixes(keys: TargetKeys) -> Iterable[str]:
    """The proper word prefixes of a target's exact keys ('jane' for 'jane austen')."""
    for group in (keys.phrases, keys.initials, keys.keywords):
        for key in group:
            end = key.rfind(" ")
            while end > 0:
                yield key[:end]
                end = key.rfind(" ", 0, end)
