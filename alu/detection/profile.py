"""Profile cues: BM25 over the words of targets' descriptions and keywords (a set of
words per target, an inverted index), with bounded work per text."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping

from alu.detection.keys import WordInfo
from alu.detection.match import Match
from alu.detection.postings import owner_count, owners_of
from alu.detection.tables import IndexTables

__all__ = ["PROFILE_BUDGET", "PROFILE_MAX_DF", "ProfileLookups"]

PROFILE_MAX_DF = 64
"""A profile word owned by more targets than this (or than max(50, N/20), if smaller) is
not used."""

PROFILE_BUDGET = 96
"""Most profile postings read per text (rarest words first)."""

_BM25_K1, _BM25_B = 1.2, 0.75


class ProfileLookups(IndexTables):
    """The profile look-up of a :class:`TargetIndex`."""

    def _find_profile(self, words: Mapping[str, WordInfo], offer: Callable[[Match], None]) -> None:
        """BM25 over descriptions and keywords (a set of words per target); two hits at least.

        Bounded work: words owned by more than ``min(MAX_POSTING, max(50, N/20))``
        targets are skipped, and postings are read rarest word first, at most
        :data:`PROFILE_BUDGET` of them per text (the rarest words carry the most weight).
        """
        total = len(self.targets)
        if not total:
            return
        max_df = min(PROFILE_MAX_DF, max(50, total // 20))
        lengths = self._profile_len
        terms = []
        for word, info in words.items():
            entry = info.profile
            df = owner_count(entry)
            if df and df <= max_df:
                terms.append((df, word, entry))
        if len(terms) < 2:
            return
        terms.sort()
        average = max(self._profile_total / total, 1.0)
        scores: dict[str, float] = defaultdict(float)
        hits: dict[str, list[str]] = defaultdict(list)
        budget = PROFILE_BUDGET
        for df, word, entry in terms:
            budget -= df
            if budget < 0:
                break
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            for target_id in owners_of(entry):
                norm = 1 - _BM25_B + _BM25_B * lengths[target_id] / average
                scores[target_id] += idf * (_BM25_K1 + 1) / (1 + _BM25_K1 * norm)
                hits[target_id].append(word)
        for target_id, score in scores.items():
            if len(hits[target_id]) >= 2:
                offer(
                    Match(
                        target_id,
                        "profile",
                        " ".join(sorted(hits[target_id])),
                        min(score / 20, 0.6),
                    )
                )
