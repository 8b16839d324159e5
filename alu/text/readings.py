"""The readings of a text worth matching again: look-alike letters folded, then
leetspeak undone (both readings of 1)."""

from __future__ import annotations

from alu.text.homoglyphs import fold_homoglyphs
from alu.text.leet import fold_leet, has_leet

__all__ = ["readings"]


def readings(text: str) -> list[str]:
    """Other readings of ``text`` worth matching: look-alike letters folded, then
    leetspeak undone (both readings of 1). Empty for ordinary ASCII prose.

    Spelled-out and backwards names and other scripts are read by
    :class:`alu.detection.TargetIndex` itself (they need its tables).
    """
    found: list[str] = []
    base = text
    if not text.isascii():
        folded = fold_homoglyphs(text)
        if folded != text:
            found.append(folded)
            base = folded
    if has_leet(base):
        for one_as in ("i", "l"):
            unleet = fold_leet(base, one_as=one_as)
            if unleet != base and unleet not in found:
                found.append(unleet)
    return found
