"""Reading an exchange together with the earlier turns of its chat thread.

Why: each run of a thread is audited alone unless the audit reads the thread too, and a
target handed out in pieces — the first name in one answer, the surname in the next; a
work, then its author's initials — leaves whole. The rule (the *window rule*): a run is
flagged when its own text (question and answer), read with the window of earlier turns,
completes a target — never merely because the name was typed earlier (that would flag
every later turn of a conversation that once named it):

- a direct mention in the current text is flagged, as in a run alone;
- a direct mention that exists only once the window and the current text are read as one
  (a name split across the boundary) is flagged;
- every word of a target's name present across window and current text, with at least one
  of them in the current text and not all of them in the window already, is flagged; so is
  a cue of another kind (a work, initials) in the current text that meets the name's
  pieces or a work in the window;
- a target the window names in full and the current text points at again by its surname or
  initials is flagged; by a first name only, or not at all, it is a judge candidate (the
  judge reads the window: "what else did she write?").

What the window cannot see: pieces spread over more turns or characters than the window
holds, and other threads (each thread is read alone).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

from alu.detection import Match, rank, strict_mentions
from alu.domain import Target
from alu.registry import Shortlist, cache_stats, shortlist
from alu.text import STOPWORDS, normalize, tokens

__all__ = ["name_pieces", "names_a_target", "read_exchange", "window_text"]

_POOL = 32  # most targets whose pieces are compared across turns (ranked by their cues)
_EMPTY = Shortlist(direct=[], candidates=[], targets={})
_REACH = 24  # words read on each side of the window's boundary with the current text
_MEMO: weakref.WeakKeyDictionary[BaseStore, dict[tuple, Shortlist]] = weakref.WeakKeyDictionary()
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE = 256


def _window_shortlist(
    window: str, *, store: BaseStore | None, tenant: str, extra: list[str | Mapping[str, Any]]
) -> Shortlist:
    """The window's own shortlist, remembered while the registry stays as it is: a run
    reads the same window for its question, its draft and each of its k rewrites. The
    memo's key holds the tenant index's change counters, read after the caller's own
    shortlist brought that index in step with the store, so a write is never missed."""
    if store is None:
        return shortlist(window, store=store, tenant=tenant, extra=extra, size=_POOL)
    key = (tenant, window, repr(extra), tuple(sorted(cache_stats(store, tenant).items())))
    with _MEMO_LOCK:
        memo = _MEMO.setdefault(store, {})
        found = memo.get(key)
    if found is None:
        found = shortlist(window, store=store, tenant=tenant, extra=extra, size=_POOL)
        with _MEMO_LOCK:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = found
    return found


def name_pieces(target: Target) -> list[str]:
    """The folded words of a target's name that identify it (stopwords dropped)."""
    return [w for w in dict.fromkeys(tokens(target.name)) if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class _Cues:
    """What a text holds of one target: its name's words, and the *strong* cues — the
    surname, initials, a work (keyword) — each of which narrows the target down."""

    names: frozenset[str]
    surname: bool
    initials: bool
    works: bool

    def strong(self) -> set[str]:
        return {
            kind
            for kind, held in (("surname", self.surname), ("initials", self.initials), ("works", self.works))
            if held
        }

    def __bool__(self) -> bool:
        return bool(self.names) or self.initials or self.works


def _cues(target: Target, folded: str, words: frozenset[str]) -> _Cues:
    pieces = name_pieces(target)
    padded = f" {folded} "
    present = frozenset(w for w in pieces if w in words)
    initials = False
    every = [w for w in tokens(target.name) if w not in STOPWORDS]  # middle initials too
    if len(pieces) > 1:
        letters = [w[0] for w in every]
        initials = (
            f" {' '.join(letters)} " in padded
            or "".join(letters) in words
            or f" {' '.join(letters[:-1])} {every[-1]} " in padded
        )
    works = any(f" {k} " in padded for k in (normalize(kw) for kw in target.keywords) if k)
    surname = len(pieces) > 1 and pieces[-1] in present
    return _Cues(present, surname, initials, works)


def _completes(target: Target, window: _Cues, current: _Cues, named_before: bool) -> bool:
    """The window rule for one target (see the module's docstring)."""
    if not current:
        return False
    if named_before:  # the window named it in full: pointing at it again by a strong cue
        return bool(current.strong())
    pieces = name_pieces(target)
    ends = {pieces[0], pieces[-1]}  # first and last name: a middle name is not needed
    if len(pieces) > 1 and ends <= (window.names | current.names) and window.names and not ends <= window.names:
        return True  # the name's words meet across turns
    # two kinds of strong cue (surname, initials, a work), the current text holding one
    return bool(current.strong()) and len(window.strong() | current.strong()) >= 2


def read_exchange(
    current: str,
    window: str,
    *,
    store: BaseStore | None,
    tenant: str,
    extra: Iterable[str | Mapping[str, Any]] = (),
    size: int = 8,
) -> Shortlist:
    """Direct mentions and judge candidates of ``current`` read with ``window`` (the earlier
    turns as text; empty for a run alone) by the window rule above."""
    extra = list(extra or ())
    now = shortlist(current, store=store, tenant=tenant, extra=extra, size=size)
    if not window.strip() and not now.candidates:
        return now
    before = _window_shortlist(window, store=store, tenant=tenant, extra=extra) if window.strip() else _EMPTY
    # A direct mention that only exists across the boundary lies within a few words of it
    # on each side (a name of up to 8 words, or spelled out letter by letter).
    boundary = " ".join([*window.split()[-_REACH:], *current.split()[:_REACH]])
    both = shortlist(boundary, store=store, tenant=tenant, extra=extra, size=_POOL) if window.strip() else now
    targets = {**before.targets, **both.targets, **now.targets}
    direct: dict[str, Match] = {m.target_id: m for m in now.direct}
    named_before = {m.target_id for m in before.direct}
    for match in both.direct:
        if match.target_id not in direct and match.target_id not in named_before:
            direct[match.target_id] = Match(match.target_id, match.kind, match.span, match.score)
    pool: dict[str, Match] = {}
    for match in sorted(
        [*before.direct, *before.candidates, *both.candidates, *now.candidates], key=rank, reverse=True
    ):
        if match.target_id not in direct and match.target_id not in pool and len(pool) < _POOL:
            pool[match.target_id] = match
    folded_w, folded_c = normalize(window), normalize(current)
    words_w, words_c = frozenset(folded_w.split()), frozenset(folded_c.split())
    candidates: list[Match] = []
    for target_id, match in pool.items():
        target = targets[target_id]
        cues_w, cues_c = _cues(target, folded_w, words_w), _cues(target, folded_c, words_c)
        if _completes(target, cues_w, cues_c, target_id in named_before):
            span = " ".join(sorted(cues_c.names)) or "(completed across turns)"
            direct[target_id] = Match(target_id, "partial", span, 0.9)
        elif (
            cues_c
            or cues_w.strong()
            or target_id in named_before
            or any(m.target_id == target_id for m in now.candidates)
        ):
            # the window points at it (named, or a surname, initials or a work): the judge
            # reads the window for what the current text says of it ("what else did she write?")
            candidates.append(match)
    ranked = sorted(direct.values(), key=rank, reverse=True)
    return Shortlist(direct=ranked, candidates=candidates[:size], targets=targets, version=now.version)


def window_text(turns: Sequence[str]) -> str:
    """The earlier turns as one text, one turn a line."""
    return "\n".join(t for t in turns if t)


def names_a_target(
    text: str,
    flagged: Sequence[Target],
    window: str,
    *,
    store: BaseStore | None,
    tenant: str,
    extra: Iterable[str | Mapping[str, Any]] = (),
) -> bool:
    """The final check of a rewrite or composed answer: True when it still names a flagged
    target (strictly: a surname alone counts) or, read with ``window`` (the earlier turns
    and the question), names or completes any registered target of the tenant."""
    if strict_mentions(text, list(flagged)):
        return True
    return bool(read_exchange(text, window, store=store, tenant=tenant, extra=extra).direct)
