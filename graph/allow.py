"""The operator's allow-list: phrases that must never be flagged for a tenant.

Why: an ordinary phrase can look like a target to the model-free stage — a near-miss of a
registered name ("Marcelo Garcia" against "Marcel Garcia"), a surname or keyword that is
also a common word or a place, a topic's word in a benign course title — and each such
false flag costs a rewrite or a refusal. The operator (``Context.allow_phrases``: the
environment, the auth user's ``alu_policy``, or in process; never a server caller) lists
those phrases, and the question, draft and window are read with them taken out.

The rule, fail safe: an allow-listed phrase removes the *weak* cues that lie inside it — a
near-miss typo, a sound-alike, a surname alone, initials, a keyword, profile words, a
semantic hit, and so a judge call — but **never a mention of a registered name or alias**,
plain or hidden (kinds ``name``, ``alias``, ``hidden``), even one inside the phrase: those
are found on the text as written and kept. So listing "Jane Austen Society" (or any phrase
that contains or overlaps a target's name) cannot let "Jane Austen" through. The final
checks after a flag (critic cap, composed answer) do not read the allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from langgraph.store.base import BaseStore

from alu.detection import Match
from alu.graph.conversation import read_exchange
from alu.registry import Shortlist

__all__ = ["KEPT_KINDS", "mask_allowed", "read_exchange_allowed"]

KEPT_KINDS: frozenset[str] = frozenset({"name", "alias", "hidden"})
"""Kinds of direct mention an allow-listed phrase never removes."""
_PLACEHOLDER = " \u00b7 "  # a separator no name contains: words either side do not meet


@lru_cache(maxsize=64)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [r"\s+".join(re.escape(w) for w in p.split()) for p in sorted(set(phrases), key=len, reverse=True)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def mask_allowed(text: str, phrases: Sequence[str]) -> str:
    """``text`` with every occurrence of an allow-listed phrase (case and spacing folded,
    whole words) replaced by a neutral separator."""
    pattern = _pattern(tuple(phrases)) if phrases and text else None
    return pattern.sub(_PLACEHOLDER, text) if pattern is not None else text


def read_exchange_allowed(
    current: str,
    window: str,
    *,
    store: BaseStore | None,
    tenant: str,
    extra: Iterable[str | Mapping[str, Any]] = (),
    size: int = 8,
    allow: Sequence[str] = (),
) -> tuple[Shortlist, str, str]:
    """:func:`~alu.graph.conversation.read_exchange` under the allow-list, and the masked
    current text and window (for the semantic stage). Without a phrase in the text it is
    exactly ``read_exchange``."""
    extra = list(extra or ())
    found = read_exchange(current, window, store=store, tenant=tenant, extra=extra, size=size)
    masked_current, masked_window = mask_allowed(current, allow), mask_allowed(window, allow)
    if masked_current == current and masked_window == window:
        return found, current, window
    masked = read_exchange(masked_current, masked_window, store=store, tenant=tenant, extra=extra, size=size)
    direct: dict[str, Match] = {m.target_id: m for m in masked.direct}
    for match in found.direct:  # the fail-safe rule: names and aliases as written stay flagged
        if match.kind in KEPT_KINDS:
            direct.setdefault(match.target_id, match)
    candidates = [m for m in masked.candidates if m.target_id not in direct]
    targets = {**masked.targets, **{tid: found.targets[tid] for tid in direct if tid in found.targets}}
    return (
        Shortlist(direct=list(direct.values()), candidates=candidates, targets=targets),
        masked_current,
        masked_window,
    )
