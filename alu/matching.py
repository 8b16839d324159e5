"""Compatibility shim: the matcher moved to :mod:`alu.detection` (folding to
:mod:`alu.text`). Old imports keep working; new code imports from the new homes."""

from alu.detection import (
    DIRECT_KINDS,
    MAX_POSTING,
    PROFILE_BUDGET,
    PROFILE_MAX_DF,
    Match,
    MatchKind,
    TargetIndex,
    rank,
    strict_mentions,
)
from alu.detection.sounds import ALIGNED_SIMILARITY
from alu.text import STOPWORDS, forget_folded_texts, name_like_words, normalize, tokens

__all__ = [
    "ALIGNED_SIMILARITY",
    "DIRECT_KINDS",
    "MAX_POSTING",
    "PROFILE_BUDGET",
    "PROFILE_MAX_DF",
    "STOPWORDS",
    "Match",
    "MatchKind",
    "TargetIndex",
    "forget_folded_texts",
    "name_like_words",
    "normalize",
    "rank",
    "strict_mentions",
    "tokens",
]
