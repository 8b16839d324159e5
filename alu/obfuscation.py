"""Compatibility shim: the hidden-name readings moved to :mod:`alu.text` (one module
per reading). Old imports keep working; new code imports from :mod:`alu.text`."""

from alu.text import (
    LEET,
    NATO,
    NameRun,
    base64_texts,
    fold_homoglyphs,
    fold_leet,
    name_runs,
    nato_runs,
    needs_transliteration,
    readings,
    romanized_syllables,
    rot13,
    sound_skeleton,
    transliterate,
)
from alu.text import homoglyph_table as _homoglyph_table

__all__ = [
    "LEET",
    "NATO",
    "NameRun",
    "_homoglyph_table",
    "base64_texts",
    "fold_homoglyphs",
    "fold_leet",
    "name_runs",
    "nato_runs",
    "needs_transliteration",
    "readings",
    "romanized_syllables",
    "rot13",
    "sound_skeleton",
    "transliterate",
]
