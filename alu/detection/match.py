"""What the detectors return: a :class:`Match` (which target, how, the words matched)
and :func:`rank`, the order of strength of the kinds of match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DIRECT_KINDS", "Match", "MatchKind", "rank"]

MatchKind = Literal[
    "name",
    "alias",
    "form",
    "fuzzy",
    "hidden",
    "sounds_like",
    "near_miss",
    "keyword",
    "initials",
    "partial",
    "profile",
]
DIRECT_KINDS: frozenset[str] = frozenset({"name", "alias", "form", "fuzzy", "hidden"})


@dataclass(frozen=True, slots=True)
class Match:
    """One target found in a text: which, how, and the folded words that matched."""

    target_id: str
    kind: MatchKind
    span: str
    score: float = 1.0

    @property
    def direct(self) -> bool:
        """True for a mention of the full name or an alias (exact, within the typo bound,
        hidden by a reading, or an unambiguous partial form: :mod:`alu.detection.forms`)."""
        return self.kind in DIRECT_KINDS


_KIND_RANK = {
    "name": 11, "alias": 10, "form": 9, "fuzzy": 8, "hidden": 7, "sounds_like": 6,
    "near_miss": 5, "keyword": 4, "initials": 3, "partial": 2, "profile": 1,
}  # fmt: skip


def rank(match: Match) -> tuple[int, float]:
    """Sort key of a match: the kind's strength, then the score."""
    return (_KIND_RANK[match.kind], match.score)
