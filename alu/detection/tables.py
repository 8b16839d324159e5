"""The tables of a :class:`~alu.detection.index.TargetIndex`, declared once so that each
detector (names, typos, hidden names, sounds, profile cues: one mixin per module) reads
them with their types. :mod:`alu.detection.index` fills and updates them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from alu.detection.keys import TargetKeys, WordInfo
from alu.detection.match import Match
from alu.detection.postings import Posting
from alu.domain import Target

__all__ = ["IndexTables"]


class IndexTables:
    """The state every detector reads (see :class:`~alu.detection.index.TargetIndex`)."""

    targets: dict[str, Target]
    _loose: bool
    _names: dict[str, str]
    _phrases: dict[str, Posting]
    _keyword_phrases: dict[str, Posting]
    _initials: dict[str, Posting]
    _exact: dict[str, int]
    _fuzzy: dict[str, Posting]
    _partial: dict[str, Posting]
    _reversed: dict[str, Posting]
    _surnames: dict[str, Posting]
    _profile: dict[str, Posting]
    _profile_len: dict[str, int]
    _profile_total: int
    _head_anchor: dict[str, int]
    _tail_anchor: dict[str, int]
    _compact: dict[str, Posting]
    _skeletons: dict[str, Posting]
    _aligned: dict[str, Posting]
    _max_aligned_words: int
    _part_keys: dict[str, Posting]
    _part_loose: dict[str, Posting]
    _max_part_words: int
    _max_compact_len: int
    _max_skeleton_len: int
    _typo_memo: dict[str, dict[int, tuple[str, ...]]]
    _word_memo: dict[str, WordInfo]
    _max_n: int
    _max_fuzzy_n: int
    _max_fuzzy_len: int
    _max_phrase_tokens: int

    if TYPE_CHECKING:  # each is defined by one detector; declared for the others

        def find(self, text: str, *, use_case: bool = True) -> list[Match]: ...
        def _find_plain(self, text: str, use_case: bool = True) -> list[Match]: ...
        def _word(self, word: str) -> WordInfo: ...
        def _keys(self, target: Target) -> TargetKeys: ...
        def _typo_spans(
            self,
            words: Sequence[str],
            infos: Sequence[WordInfo],
            named: frozenset[str] | None,
        ) -> set[tuple[int, int]]: ...
        def _typo_candidates(self, head: str) -> dict[int, tuple[str, ...]]: ...
        def _find_fuzzy(self, gram: str, candidates: dict[int, tuple[str, ...]]) -> list[Match]: ...
        def _anchor_patterns(self, word: str) -> tuple[tuple[int, int], ...]: ...
        def _find_profile(self, words: Mapping[str, WordInfo], offer: Callable[[Match], None]) -> None: ...
        def _find_forms(
            self, text: str, words: Sequence[str], infos: Sequence[WordInfo], named: frozenset[str] | None
        ) -> Iterable[tuple[int, int, Match]]: ...
        def _long_first_name(self, words: Sequence[str], i: int, named: frozenset[str] | None) -> Iterable[Match]: ...
        def _spelled_out(self, words: Sequence[str]) -> Iterable[tuple[str, str]]: ...
        def _sounds_aligned(self, words: Sequence[str]) -> Iterable[tuple[str, str]]: ...
        def _sounds_by_part(self, words: Sequence[str]) -> Iterable[tuple[str, str, bool]]: ...
        def _sounds_like(self, words: Sequence[str], *, loose: bool) -> Iterable[tuple[str, str]]: ...
