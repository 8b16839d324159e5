"""The semantic index: targets' profiles as vectors, searched flat with one matrix product.

Usage (the auditor's model-free step)::

    index = SemanticIndex()                      # offline default embeddings
    index.sync(targets, version=registry_version, examples={"biosecurity": [...]})
    hits = index.search({"question": q, "window": w, "draft": d}, DEFAULT_THRESHOLDS)
    # [SemanticHit(target_id, kind, score, band="flag"|"candidate", evidence, source, mode)]

- ``sync`` is incremental: a target whose profile texts and examples are unchanged is not
  touched, a new or changed one is embedded (only texts not already in the vector cache),
  a removed one is dropped; the same ``version`` as last time returns at once.
- ``search`` chunks the texts (the question whole and by sentence, the draft and window by
  sentence), embeds the chunks in one batch and scores every target in one matrix product
  over all profile rows; per target the best chunk is the evidence. Targets with example
  texts are scored by their classifier (a probability), the others by similarity to their
  profile texts (mean of the top three cosines). Above the kind's ``flag`` threshold: band
  ``"flag"`` (flagged without a model); above ``candidate``: ``"candidate"`` (for the judge).
  A person is never flagged by meaning: its hits are candidates whatever the thresholds say.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, Mapping, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from alu.targets import TARGET_KINDS, Target

from .cache import MemoryVectorCache, VectorCache, text_key
from .embeddings import as_embeddings, embed_array, model_key
from .profiles import (
    TOP_K,
    Classifier,
    chunk_texts,
    examples_texts,
    fingerprint,
    fit_classifier,
    profile_texts,
)

__all__ = [
    "SemanticIndex",
    "SemanticHit",
    "SemanticThresholds",
    "Band",
    "DEFAULT_THRESHOLDS",
    "SyncStats",
    "default_keep_texts",
    "NEVER_FLAGGED_KINDS",
]

NEVER_FLAGGED_KINDS = frozenset({"person"})
"""Kinds whose semantic hits are judge candidates only, whatever the thresholds say."""


@dataclass(frozen=True)
class Band:
    """``score >= flag`` → flagged without a model; ``candidate <= score < flag`` → judge."""

    candidate: float
    flag: float | None = None  # None: never flagged by meaning alone


def _bands(sim: dict[str, Band]) -> Mapping[str, Band]:
    return {k: sim.get(k, sim["other"]) for k in TARGET_KINDS}


@dataclass(frozen=True)
class SemanticThresholds:
    """Per-kind bands, for the two kinds of profile (operator policy, not caller input).

    ``similarity``: zero-shot profiles (description and keywords), score = mean of the top
    three cosine similarities. ``classifier``: targets with example texts, score = the
    classifier's probability. Defaults calibrated on the shared data (README_SECTION.md):
    ``flag`` at about 1% false flags on MMLU's biology, chemistry and security questions,
    ``candidate`` at about 5%.
    """

    similarity: Mapping[str, Band] = field(default_factory=dict)
    classifier: Mapping[str, Band] = field(default_factory=dict)

    def band(self, kind: str, mode: str) -> Band:
        table = self.classifier if mode == "classifier" else self.similarity
        b = table.get(kind) or table.get("other") or Band(candidate=1.01)
        if kind in NEVER_FLAGGED_KINDS and b.flag is not None:
            b = Band(candidate=b.candidate, flag=None)
        return b


DEFAULT_THRESHOLDS = SemanticThresholds(
    similarity=_bands(
        {
            "topic": Band(candidate=0.26, flag=0.36),
            "work": Band(candidate=0.26, flag=0.36),
            "other": Band(candidate=0.26, flag=0.36),
            "person": Band(candidate=0.45),
            "organization": Band(candidate=0.40),
            "place": Band(candidate=0.40),
        }
    ),
    classifier=_bands(
        {
            "topic": Band(candidate=0.50, flag=0.80),
            "other": Band(candidate=0.50, flag=0.80),
            "person": Band(candidate=0.70),
            "organization": Band(candidate=0.70),
            "place": Band(candidate=0.70),
        }
    ),
)


@dataclass(frozen=True)
class SemanticHit:
    target_id: str
    kind: str
    score: float
    band: Literal["flag", "candidate"]
    evidence: str  # the chunk (sentence) that scored highest: shown to the operator
    source: str  # "question", "window" or "draft"
    mode: Literal["classifier", "similarity"]


@dataclass(frozen=True)
class SyncStats:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0  # texts sent to the model (cache misses)
    fitted: int = 0  # classifiers fitted
    seconds: float = 0.0
    skipped: bool = False  # same version as the last sync


def default_keep_texts() -> list[str]:
    """The shipped general "keep" text (benign questions across school subjects, English)."""
    raw = (resources.files("alu.semantic") / "data" / "keep_en.txt").read_text("utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@dataclass
class _Entry:
    target: Target
    fp: str
    slot: int
    ex_fp: str | None = None
    clf: Classifier | None = None


@dataclass(frozen=True)
class _Snapshot:
    """Immutable arrays one search reads (a sync swaps in a new one)."""

    rows: np.ndarray  # (n_rows, d) profile text vectors, grouped by slot
    starts: np.ndarray  # (n_slots,) first row of each slot's group
    ends: np.ndarray  # (n_slots,)
    live: np.ndarray  # (n_slots,) bool
    kinds: np.ndarray  # (n_slots,) index into TARGET_KINDS
    has_clf: np.ndarray  # (n_slots,) bool
    ids: tuple[str, ...]  # slot → target id ("" when dead)
    W: np.ndarray  # (n_clf, d) classifier weights
    b: np.ndarray  # (n_clf,)
    clf_slots: np.ndarray  # (n_clf,) slot of each classifier


_KIND_INDEX = {k: i for i, k in enumerate(TARGET_KINDS)}


class SemanticIndex:
    """Targets' profile vectors and classifiers, kept in step with the registry.

    ``embeddings``: any LangChain ``Embeddings`` (default: the offline MiniLM).
    ``cache``: a :mod:`alu.semantic.cache` vector cache (default: in memory) so a restart
    does not re-embed. ``keep_texts``: the general text classifiers learn against
    (default: :func:`default_keep_texts`; pass in-domain benign questions to do better).
    """

    def __init__(
        self,
        embeddings: Embeddings | None = None,
        *,
        cache: VectorCache | None = None,
        keep_texts: Sequence[str] | None = None,
        l2: float = 0.3,
    ) -> None:
        self.embeddings = as_embeddings(embeddings)
        self.cache: VectorCache = cache if cache is not None else MemoryVectorCache()
        self._keep_texts = list(keep_texts) if keep_texts is not None else None
        self._keep: np.ndarray | None = None
        self.l2 = l2
        self._key: str | None = None
        self._entries: dict[str, _Entry] = {}
        self._version: object = None
        self._lock = threading.RLock()
        self._rows = np.zeros((0, 0), dtype=np.float32)
        self._n_rows = 0
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._slot_ids: list[str] = []
        self._dead_rows = 0
        self._snap: _Snapshot | None = None

    # -- vectors -------------------------------------------------------------------------
    @property
    def model_key(self) -> str:
        if self._key is None:
            self._key = model_key(self.embeddings)
        return self._key

    def _vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` through the cache; returns (matrix, number embedded)."""
        keys = [text_key(t) for t in texts]
        found = self.cache.get_many(self.model_key, set(keys)) if texts else {}
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        if missing:
            vecs = embed_array(self.embeddings, missing)
            new = {text_key(t): v for t, v in zip(missing, vecs)}
            self.cache.put_many(self.model_key, new)
            found.update(new)
        if not texts:
            return np.zeros((0, self._dims() or 1), dtype=np.float32), 0
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False), len(missing)

    def _dims(self) -> int:
        return self._rows.shape[1] if self._rows.size else 0

    def keep_vectors(self) -> np.ndarray:
        if self._keep is None:
            texts = self._keep_texts if self._keep_texts is not None else default_keep_texts()
            self._keep, _ = self._vectors(texts)
        return self._keep

    # -- sync ----------------------------------------------------------------------------
    def sync(
        self,
        targets: Sequence[Target],
        version: object = None,
        *,
        examples: Mapping[str, Sequence[str]] | None = None,
    ) -> SyncStats:
        """Bring the index in step with ``targets`` (the registry's full list).

        ``version``: the registry version; when it equals the last synced one (and is not
        None) nothing is read. ``examples``: target id → example texts (its forget set);
        a target with examples is scored by a classifier fitted against the keep text.
        """
        t0 = time.perf_counter()
        with self._lock:
            if version is not None and version == self._version:
                return SyncStats(unchanged=len(self._entries), skipped=True)
            examples = examples or {}
            seen: set[str] = set()
            todo: list[tuple[Target, str, list[str], list[str]]] = []
            added = changed = unchanged = 0
            for t in targets:
                seen.add(t.id)
                texts = profile_texts(t)
                ex = examples_texts(examples.get(t.id))
                fp = fingerprint(t.kind, texts, ex)
                old = self._entries.get(t.id)
                if old is not None and old.fp == fp:
                    unchanged += 1
                    continue
                if old is None:
                    added += 1
                else:
                    changed += 1
                todo.append((t, fp, texts, ex))
            removed = [i for i in self._entries if i not in seen]
            for i in removed:
                self._kill(self._entries.pop(i))
            # one batch of embeddings for all new texts
            all_texts = [x for _, _, texts, _ in todo for x in texts]
            vecs, embedded = self._vectors(all_texts)
            fitted = 0
            pos = 0
            for t, fp, texts, ex in todo:
                block = vecs[pos : pos + len(texts)]
                pos += len(texts)
                old = self._entries.pop(t.id, None)
                if old is not None:
                    self._kill(old)
                slot = self._append(t.id, block)
                entry = _Entry(target=t, fp=fp, slot=slot)
                if ex:
                    ex_fp = fingerprint(ex, self.l2, len(self.keep_vectors()))
                    if old is not None and old.ex_fp == ex_fp:
                        entry.clf, entry.ex_fp = old.clf, ex_fp
                    else:
                        exv, n = self._vectors(ex)
                        embedded += n
                        entry.clf = fit_classifier(
                            exv, self.keep_vectors(), l2=self.l2, warm=old.clf if old else None
                        )
                        entry.ex_fp = ex_fp
                        fitted += 1
                self._entries[t.id] = entry
            if self._dead_rows > max(1024, self._n_rows // 3):
                self._compact()
            self._snap = self._snapshot()
            self._version = version
            return SyncStats(
                added=added,
                changed=changed,
                removed=len(removed),
                unchanged=unchanged,
                embedded=embedded,
                fitted=fitted,
                seconds=time.perf_counter() - t0,
            )

    def __len__(self) -> int:
        return len(self._entries)

    def _append(self, target_id: str, block: np.ndarray) -> int:
        need = self._n_rows + len(block)
        if self._rows.size == 0:
            self._rows = np.zeros((max(64, need), block.shape[1]), dtype=np.float32)
        elif need > self._rows.shape[0]:
            grown = np.zeros((max(need, self._rows.shape[0] * 2), self._rows.shape[1]), dtype=np.float32)
            grown[: self._n_rows] = self._rows[: self._n_rows]
            self._rows = grown
        self._rows[self._n_rows : need] = block
        self._starts.append(self._n_rows)
        self._ends.append(need)
        self._slot_ids.append(target_id)
        self._n_rows = need
        return len(self._slot_ids) - 1

    def _kill(self, entry: _Entry) -> None:
        s = entry.slot
        self._rows[self._starts[s] : self._ends[s]] = 0.0
        self._dead_rows += self._ends[s] - self._starts[s]
        self._slot_ids[s] = ""

    def _compact(self) -> None:
        old_rows, old_starts, old_ends = self._rows, self._starts, self._ends
        self._rows = np.zeros((0, 0), dtype=np.float32)
        self._n_rows, self._starts, self._ends, self._slot_ids, self._dead_rows = 0, [], [], [], 0
        for entry in self._entries.values():
            s = entry.slot
            entry.slot = self._append(entry.target.id, old_rows[old_starts[s] : old_ends[s]])

    def _snapshot(self) -> _Snapshot:
        n = len(self._slot_ids)
        live = np.array([bool(i) for i in self._slot_ids], dtype=bool)
        kinds = np.zeros(n, dtype=np.int16)
        has_clf = np.zeros(n, dtype=bool)
        clfs: list[tuple[int, Classifier]] = []
        for e in self._entries.values():
            kinds[e.slot] = _KIND_INDEX.get(e.target.kind, _KIND_INDEX["other"])
            if e.clf is not None:
                has_clf[e.slot] = True
                clfs.append((e.slot, e.clf))
        d = self._rows.shape[1] if self._rows.size else 1
        return _Snapshot(
            rows=self._rows[: self._n_rows],
            starts=np.asarray(self._starts, dtype=np.int64),
            ends=np.asarray(self._ends, dtype=np.int64),
            live=live,
            kinds=kinds,
            has_clf=has_clf,
            ids=tuple(self._slot_ids),
            W=np.stack([c.w for _, c in clfs]) if clfs else np.zeros((0, d), dtype=np.float32),
            b=np.asarray([c.b for _, c in clfs], dtype=np.float32),
            clf_slots=np.asarray([s for s, _ in clfs], dtype=np.int64),
        )

    # -- search --------------------------------------------------------------------------
    def embed_query(self, texts: Mapping[str, str], *, max_chunks: int = 24):
        """The query's chunks and their vectors (the target-independent part)."""
        chunks = chunk_texts(dict(texts), max_chunks=max_chunks)
        if not chunks:
            return [], np.zeros((0, 1), dtype=np.float32)
        return chunks, embed_array(self.embeddings, [c for _, c in chunks])

    def search(
        self,
        texts: Mapping[str, str],
        thresholds: SemanticThresholds = DEFAULT_THRESHOLDS,
        *,
        max_chunks: int = 24,
    ) -> list[SemanticHit]:
        """Targets the texts are about by meaning, best first (flags, then candidates).

        ``texts``: any of ``"question"``, ``"window"`` (earlier human turns), ``"draft"``.
        """
        chunks, vecs = self.embed_query(texts, max_chunks=max_chunks)
        return self.search_vectors(chunks, vecs, thresholds)

    def search_vectors(
        self,
        chunks: Sequence[tuple[str, str]],
        vecs: np.ndarray,
        thresholds: SemanticThresholds = DEFAULT_THRESHOLDS,
    ) -> list[SemanticHit]:
        """The target-dependent part of :meth:`search`, on already embedded chunks."""
        snap = self._snap
        if snap is None or not chunks or not snap.live.any():
            return []
        cand, flag = _threshold_arrays(thresholds)
        hits: list[SemanticHit] = []
        vecs = np.asarray(vecs, dtype=np.float32)
        # zero-shot profiles: one matrix product over all rows, max per target's group
        if snap.rows.shape[0]:
            S = vecs @ snap.rows.T  # (chunks, rows)
            best = np.maximum.reduceat(S, snap.starts, axis=1).max(axis=0)
            # mean-top-k <= max: only targets whose best row passes can pass
            sim_c = cand[0][snap.kinds]
            slots = np.nonzero((best >= sim_c) & snap.live & ~snap.has_clf)[0]
            for s in slots:
                block = S[:, snap.starts[s] : snap.ends[s]]
                k = min(TOP_K, block.shape[1])
                per_chunk = np.sort(block, axis=1)[:, -k:].mean(axis=1)
                ci = int(per_chunk.argmax())
                score = float(per_chunk[ci])
                kind = TARGET_KINDS[snap.kinds[s]]
                band = _band(score, cand[0][snap.kinds[s]], flag[0][snap.kinds[s]])
                if band:
                    hits.append(SemanticHit(snap.ids[s], kind, score, band, chunks[ci][1], chunks[ci][0], "similarity"))
        # classifiers: one more (small) matrix product
        if len(snap.clf_slots):
            P = 1.0 / (1.0 + np.exp(-(vecs @ snap.W.T + snap.b)))  # (chunks, n_clf)
            ci_all = P.argmax(axis=0)
            for j, s in enumerate(snap.clf_slots):
                if not snap.live[s]:
                    continue
                ci = int(ci_all[j])
                score = float(P[ci, j])
                band = _band(score, cand[1][snap.kinds[s]], flag[1][snap.kinds[s]])
                if band:
                    kind = TARGET_KINDS[snap.kinds[s]]
                    hits.append(SemanticHit(snap.ids[s], kind, score, band, chunks[ci][1], chunks[ci][0], "classifier"))
        hits.sort(key=lambda h: (h.band != "flag", -h.score))
        return hits


def _band(score: float, cand: float, flag: float) -> str | None:
    if score >= flag:
        return "flag"
    if score >= cand:
        return "candidate"
    return None


_THR_CACHE: dict[int, tuple] = {}


def _threshold_arrays(th: SemanticThresholds):
    """Per-kind candidate/flag thresholds as arrays indexed by kind (sim, clf)."""
    key = id(th)
    hit = _THR_CACHE.get(key)
    if hit is not None and hit[0] is th:
        return hit[1], hit[2]
    cand = np.zeros((2, len(TARGET_KINDS)), dtype=np.float32)
    flag = np.zeros((2, len(TARGET_KINDS)), dtype=np.float32)
    for m, mode in enumerate(("similarity", "classifier")):
        for i, kind in enumerate(TARGET_KINDS):
            b = th.band(kind, mode)
            cand[m, i] = b.candidate
            flag[m, i] = np.inf if b.flag is None else b.flag
    if len(_THR_CACHE) > 64:
        _THR_CACHE.clear()
    _THR_CACHE[key] = (th, cand, flag)
    return cand, flag
