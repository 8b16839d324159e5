"""Postings: the set of owners of an index key.

Most keys have one owner, so a single owner is stored as the bare string and only a
shared key gets a set: at 100,000 targets that is millions of small sets saved.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "MAX_POSTING",
    "Posting",
    "owner_count",
    "owners_of",
    "post_add",
    "post_discard",
]

Posting = str | set[str]
"""A posting: one owner, or a set of two or more."""

MAX_POSTING = 16
"""A weak cue (a name word alone, initials, a keyword phrase) owned by more targets than
this is not used: it cannot single out a target (the judge is shown 8 candidates by
default, so it could not even see them all), and skipping it keeps each query's cost
bounded whatever the size of the registry."""


# -- postings ---------------------------------------------------------------------------
# A posting is the set of owners of a key. Most keys have one owner, so a single owner is
# stored as the bare string and only a shared key gets a set: at 100,000 targets that is
# millions of small sets saved.


def post_add(table: dict, key: str, owner: str) -> bool:
    """Add ``owner`` to ``table[key]``; True when the key is new."""
    entry = table.get(key)
    if entry is None:
        table[key] = owner
        return True
    if isinstance(entry, str):
        if entry != owner:
            table[key] = {entry, owner}
    else:
        entry.add(owner)
    return False


def post_discard(table: dict, key: str, owner: str) -> bool:
    """Remove ``owner`` from ``table[key]``; True when the key is gone."""
    entry = table.get(key)
    if entry is None:
        return False
    if isinstance(entry, str):
        if entry != owner:
            return False
        del table[key]
        return True
    entry.discard(owner)
    if len(entry) == 1:
        table[key] = next(iter(entry))
    return False


def owners_of(entry) -> Iterable[str]:
    if entry is None:
        return ()
    return (entry,) if isinstance(entry, str) else entry


def owner_count(entry) -> int:
    if entry is None:
        return 0
    return 1 if isinstance(entry, str) else len(entry)
