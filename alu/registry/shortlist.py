"""The auditor's first stage: which registered targets a text may refer to (direct
mentions, flagged without a model, and candidates for the judge), read from the
tenant's cached index (:mod:`alu.registry.cache`) and the run's extra targets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

from alu.detection import Match, TargetIndex, rank
from alu.domain import Target
from alu.registry.cache import INDEX_CACHE
from alu.registry.items import namespace
from alu.text import forget_folded_texts, word_name_keys

__all__ = ["Shortlist", "cache_stats", "clear_memos", "raw_check_age", "shortlist", "target_kinds"]


@dataclass(frozen=True)
class Shortlist:
    """Direct mentions (flagged without a model) and candidates (for the judge)."""

    direct: list[Match]
    candidates: list[Match]
    targets: dict[str, Target]
    version: str | None = None
    """The registry version the index read reflected (None: no store was read)."""


def clear_memos(store: BaseStore, tenant: str) -> None:
    """Forget the cached index's per-word memos (benchmarks replay a query stream from
    cold with it, so it also forgets folded texts); the index stays built."""
    forget_folded_texts()
    word_name_keys.cache_clear()
    entry = INDEX_CACHE._entry(store, tenant, create=False)
    if entry is not None:
        with entry.lock:
            if entry.index is not None:
                entry.index.clear_memos()


def raw_check_age(store: BaseStore, tenant: str) -> float | None:
    """Seconds since the tenant's cached index last looked for raw store writes (None:
    never, or the store cannot say); registry writes have no such lag."""
    return INDEX_CACHE.raw_check_age(store, tenant)


def cache_stats(store: BaseStore, tenant: str) -> dict[str, int]:
    """How the tenant's cached index was kept in step: full ``rebuilds`` and
    ``incremental`` updates so far, targets re-read after a ``raw_seen`` store write, and the
    number of ``targets`` indexed."""
    return INDEX_CACHE.stats(store, tenant)


def target_kinds(store: BaseStore, tenant: str) -> frozenset[str]:
    """The kinds (``person``, ``work``, ``topic``…) of the tenant's registered targets,
    read from the cached index as the run's own shortlist left it (no store read when it
    is warm: ask after :func:`shortlist`, as the graph does)."""
    return INDEX_CACHE.kinds(store, tenant)


def shortlist(
    text: str,
    *,
    store: BaseStore | None,
    tenant: str,
    extra: Iterable[str | Mapping[str, Any]] = (),
    size: int = 8,
) -> Shortlist:
    """Match ``text`` against the tenant's registry and the run's extra targets."""
    found: list[tuple[Match, Target]] = []
    version = None
    if store is not None:
        namespace(tenant)  # validates the tenant
        with INDEX_CACHE.synced(store, tenant) as index:
            assert index is not None
            found.extend((m, index.targets[m.target_id]) for m in index.find(text))
            version = INDEX_CACHE.applied_version(store, tenant)
    extra_targets = [Target.parse(e) for e in extra or ()]
    if extra_targets:
        index = TargetIndex(extra_targets)
        found.extend((m, index.targets[m.target_id]) for m in index.find(text))
    best: dict[str, Match] = {}
    targets: dict[str, Target] = {}
    for match, target in found:
        if match.target_id not in best:
            best[match.target_id] = match
            targets[match.target_id] = target
    ranked = sorted(best.values(), key=rank, reverse=True)
    direct = [m for m in ranked if m.direct]
    candidates = [m for m in ranked if not m.direct][:size]
    return Shortlist(direct=direct, candidates=candidates, targets=targets, version=version)
