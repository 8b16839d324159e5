"""Layer 2, the target model: :class:`Target` (what to forget), its validation
(:class:`InvalidTargetError`), its stable, collision-free id (:func:`target_id_for`; the id formats: :data:`ID_FORMAT`), the kinds and
limits, :func:`read_target_file`, and :func:`ordinary_word_reason` (names that cannot be
told from ordinary words, which registration refuses without an opt-in). Values only: no store, no index, no model.

May import: :mod:`alu.text` (names are compared folded), the standard library.
"""

from alu.domain.files import read_target_file
from alu.domain.ordinary import ordinary_word_reason
from alu.domain.target import (
    ID_FORMAT,
    MAX_ALIASES,
    MAX_EXAMPLES,
    MAX_NAME_CHARS,
    TARGET_KINDS,
    InvalidTargetError,
    Target,
    TargetKind,
    clean_list,
    contested_target_id_for,
    id_format_of,
    legacy_target_id_for,
    target_id_for,
)

__all__ = [
    "ID_FORMAT",
    "MAX_ALIASES",
    "MAX_EXAMPLES",
    "MAX_NAME_CHARS",
    "TARGET_KINDS",
    "InvalidTargetError",
    "Target",
    "TargetKind",
    "clean_list",
    "contested_target_id_for",
    "id_format_of",
    "legacy_target_id_for",
    "ordinary_word_reason",
    "read_target_file",
    "target_id_for",
]
