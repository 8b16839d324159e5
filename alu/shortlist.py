"""The auditor's first stage: which registered targets a text may refer to.

Reads the tenant's targets from the run's store, keeps an index per registry version
(rebuilt only when the stored targets change), adds the run's own extra targets, and
returns the direct mentions plus a bounded list of weaker candidates for the judge.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from langgraph.store.base import BaseStore

from alu.matching import Match, TargetIndex, rank
from alu.targets import Target, load_targets, namespace

__all__ = ["Shortlist", "shortlist"]


@dataclass(frozen=True)
class Shortlist:
    """Direct mentions (flagged without a model) and candidates (for the judge)."""

    direct: list[Match]
    candidates: list[Match]
    targets: dict[str, Target]


class _IndexCache:
    """One index per (store, namespace), reused while the stored targets are unchanged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: "weakref.WeakKeyDictionary[BaseStore, dict]" = weakref.WeakKeyDictionary()

    def get(self, store: BaseStore, ns: tuple[str, ...]) -> TargetIndex:
        targets = load_targets(store, ns)
        fingerprint = tuple(sorted((t.id, hash(t)) for t in targets))
        with self._lock:
            per_store = self._entries.setdefault(store, {})
            cached = per_store.get(ns)
            if cached is not None and cached[0] == fingerprint:
                return cached[1]
        index = TargetIndex(targets)
        with self._lock:
            per_store[ns] = (fingerprint, index)
        return index


_CACHE = _IndexCache()


def shortlist(
    text: str,
    *,
    store: BaseStore | None,
    tenant: str,
    extra: Iterable[str | Mapping[str, Any]] = (),
    size: int = 8,
) -> Shortlist:
    """Match ``text`` against the tenant's registry and the run's extra targets."""
    indexes: list[TargetIndex] = []
    if store is not None:
        indexes.append(_CACHE.get(store, namespace(tenant)))
    extra_targets = [Target.parse(e) for e in extra or ()]
    if extra_targets:
        indexes.append(TargetIndex(extra_targets))
    best: dict[str, Match] = {}
    targets: dict[str, Target] = {}
    for index in indexes:
        for match in index.find(text):
            if match.target_id not in best:
                best[match.target_id] = match
                targets[match.target_id] = index.targets[match.target_id]
    ranked = sorted(best.values(), key=rank, reverse=True)
    direct = [m for m in ranked if m.direct]
    candidates = [m for m in ranked if not m.direct][:size]
    return Shortlist(direct=direct, candidates=candidates, targets=targets)
