"""The strict checks over a few flagged targets, which block an answer: direct, hidden
and sound-alike mentions, and a multi-word name's surname, plain or hidden."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from alu.detection.index import TargetIndex
from alu.detection.keys import distinctive
from alu.detection.match import Match
from alu.domain import Target
from alu.text import tokens

__all__ = ["strict_mentions"]


def strict_mentions(text: str, targets: Sequence[Target]) -> list[Match]:
    """Mentions of the given (flagged) targets strict enough to block an answer.

    A direct mention of the name or an alias (exact, within the typo bound, or hidden:
    see :mod:`alu.text`), a name that sounds the same written in another script,
    or the last word of a multi-word name (a surname: "Austen" for "Jane Austen"), plain
    or hidden. Meant for the few flagged targets: it reads every span of the text.
    """
    if not targets:
        return []
    index = TargetIndex(targets, loose=True)
    found = [m for m in index.find(text, use_case=False) if m.direct or m.kind == "sounds_like"]
    flagged_ids = {m.target_id for m in found}
    surnames: dict[str, list[str]] = defaultdict(list)
    for target in targets:
        name_words = tokens(target.name)
        if target.id not in flagged_ids and len(name_words) > 1 and distinctive(name_words[-1]):
            surnames[name_words[-1]].append(target.id)
    if surnames:
        words = set(tokens(text))
        by_surname = TargetIndex([Target(name=word, id=word) for word in surnames], loose=True)
        hits = {m.target_id: m for m in by_surname.find_hidden(text) if m.direct}
        for surname, ids in surnames.items():
            if surname in words:
                found.extend(Match(target_id, "partial", surname) for target_id in ids)
            elif surname in hits:
                found.extend(Match(target_id, "hidden", hits[surname].span, 0.7) for target_id in ids)
    return found
