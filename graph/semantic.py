"""The semantic stage in the auditor's model-free step (``Context.semantic``): the registry's
targets found by meaning (:mod:`alu.semantic`), beside the name matcher.

Why here: the stage needs the registry (which targets, at which version) and the run's
extra targets; :mod:`alu.semantic` knows neither. One :class:`~alu.semantic.SemanticIndex`
per (store, tenant) is kept in step with the registry: re-synced only when the tenant's
index cache reports a change (``alu.registry.cache_stats``), and then incrementally (a
target already embedded is never re-embedded; vectors live in the store under
``("alu", tenant, "vectors", model)`` so a restarted process embeds nothing twice). A
person is never flagged by meaning: its hits are judge candidates only.

Optional dependency: ``alu.semantic`` needs the ``semantic`` extra (onnxruntime, the
MiniLM model's package); it is imported when the stage first runs, so a graph without the
stage never needs it.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langgraph.store.base import BaseStore

from alu.domain import Target
from alu.graph.context import InvalidContextError
from alu.registry import cache_stats, load_targets, namespace, target_kinds

if TYPE_CHECKING:  # pragma: no cover
    from langchain_core.embeddings import Embeddings

    from alu.semantic import SemanticHit, SemanticIndex

__all__ = ["MEANING_KINDS", "SemanticStage", "SemanticStageUnavailable", "semantic_runs"]

MEANING_KINDS = frozenset({"topic", "work"})
"""Kinds a name filter cannot find (a question about a topic or a work's plot need not name
it): with ``Context.semantic`` unset (auto), a run whose targets include one runs the stage."""


def semantic_runs(
    setting: bool | None, *, store: BaseStore | None, tenant: str, extra: Iterable[str | Mapping[str, Any]] = ()
) -> bool:
    """Whether this run's semantic stage runs: ``Context.semantic`` when set; unset
    (``None``, auto), when the tenant's registry or the run's own targets hold a topic or
    a work (the registry's kinds come from the cached index: a look-up per run)."""
    if setting is not None:
        return setting
    if any(Target.parse(e).kind in MEANING_KINDS for e in extra or ()):
        return True
    return store is not None and not MEANING_KINDS.isdisjoint(target_kinds(store, tenant))


@dataclass
class _Slot:
    index: SemanticIndex
    token: tuple | None = None
    targets: dict[str, Target] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SemanticStageUnavailable(RuntimeError):
    """The stage was to run (a topic or work registered, or ``Context.semantic``) and its
    optional dependencies are not installed."""


class SemanticStage:
    """The semantic stage of one graph: its ``Embeddings`` (None: the offline default,
    loaded on first use) and one index per store and tenant."""

    def __init__(self, embeddings: Embeddings | None = None) -> None:
        self._embeddings = embeddings
        self._lock = threading.Lock()
        self._slots: weakref.WeakKeyDictionary[BaseStore, dict[str, _Slot]] = weakref.WeakKeyDictionary()
        self._storeless: dict[str, _Slot] = {}
        self._band_cache: dict[str, Any] = {}

    def _slot(self, store: BaseStore | None, tenant: str) -> _Slot:
        # Optional dependency (the `semantic` extra): imported when the stage first runs.
        try:
            from alu.semantic import MemoryVectorCache, SemanticIndex, StoreVectorCache
        except ImportError as exc:  # the run fails closed (refused) with this as its stage error
            raise SemanticStageUnavailable(
                f"the semantic stage cannot run without the `semantic` extra ({exc}): install it"
                ' (pip install "langgraph-alu[semantic]"), or set ALU_SEMANTIC=0 to find topics and'
                " works by their names and keywords only"
            ) from None

        with self._lock:
            slots = self._storeless if store is None else self._slots.setdefault(store, {})
            slot = slots.get(tenant)
            if slot is None:
                cache = MemoryVectorCache() if store is None else StoreVectorCache(store, tenant)
                slot = slots[tenant] = _Slot(SemanticIndex(self._embeddings, cache=cache))
            return slot

    def search(
        self,
        texts: Mapping[str, str],
        *,
        store: BaseStore | None,
        tenant: str,
        extra: Iterable[str | Mapping[str, Any]] = (),
        thresholds: Mapping[str, Any] | None = None,
    ) -> tuple[list[SemanticHit], dict[str, Target]]:
        """The semantic hits of ``texts`` (question, window, draft) and the targets hit;
        ``thresholds``: the operator's bands over the defaults (``Context.semantic_thresholds``)."""
        slot = self._slot(store, tenant)
        bands = self._bands(thresholds or {})
        run_targets = [Target.parse(e) for e in extra or ()]
        with slot.lock:
            token = (cache_stats(store, tenant) if store is not None else None, tuple(t.id for t in run_targets))
            if slot.token is None or token != slot.token:
                registered = load_targets(store, namespace(tenant)) if store is not None else []
                slot.targets = {t.id: t for t in [*registered, *run_targets]}
                targets = list(slot.targets.values())
                slot.index.sync(targets, examples={t.id: list(t.examples) for t in targets if t.examples})
                slot.token = token
            hits = slot.index.search(texts, bands)
            return hits, dict(slot.targets)

    def _bands(self, overrides: Mapping[str, Any]) -> Any:
        """The defaults with the operator's bands over them (memoised: a server applies
        the same few policies to every run)."""
        from alu.semantic import DEFAULT_THRESHOLDS

        if not overrides:
            return DEFAULT_THRESHOLDS
        key = json.dumps(overrides, sort_keys=True)
        with self._lock:
            bands = self._band_cache.get(key)
        if bands is None:
            try:
                bands = DEFAULT_THRESHOLDS.with_overrides(overrides)
            except ValueError as exc:
                raise InvalidContextError(str(exc)) from None
            with self._lock:
                if len(self._band_cache) > 64:
                    self._band_cache.clear()
                self._band_cache[key] = bands
        return bands
