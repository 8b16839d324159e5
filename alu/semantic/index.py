"""The semantic index: targets' profiles as vectors, searched flat with one matrix product.

Why one module of 600 lines: the index, its partitions, the ANN wrapper and the search share
one snapshot of rows and classifiers that must change together (split next: the ANN wrapper
and the profile partitions).

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
  A flag resting on one draft or window sentence alone needs corroboration (the question in
  the candidate band, or a second flagging sentence), else it is a candidate
  (``SemanticThresholds.lone_draft_flag``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from alu.domain import TARGET_KINDS, Target
from alu.semantic.cache import MemoryVectorCache, VectorCache, text_key
from alu.semantic.embeddings import as_embeddings, embed_array, model_key
from alu.semantic.hnsw import HnswAnn
from alu.semantic.keep import default_keep_texts
from alu.semantic.profiles import (
    TOP_K,
    Classifier,
    chunk_texts,
    examples_texts,
    fingerprint,
    fit_classifier,
    profile_texts,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "NEVER_FLAGGED_KINDS",
    "Band",
    "SemanticHit",
    "SemanticIndex",
    "SemanticThresholds",
    "SyncStats",
    "default_keep_texts",
]

ANN_MIN_ROWS = 20_000
"""Profile rows from which the search goes through the inverted-file index (if faiss)."""
MAX_RESCORE = 256
"""Targets per partition scored in full per query, the best by their best row: bounds the
cost when a registry holds many targets near the query (the judge takes the top few)."""
ANN_K = 64
"""Rows shortlisted per chunk by the inverted-file index."""
CHUNK_CACHE = 4096
"""Query chunks whose vectors are kept for reuse (about 1.6 KB each at 384 dims)."""
"""Rows shortlisted per chunk by the inverted-file index."""

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
    classifier's probability. Defaults calibrated with ``alu bench topics`` on the shared
    data's tested halves, on whole queries (stem, lettered options, instruction and the
    answer as the draft) against the shipped keep text: classifier ``flag`` 0.83 with the
    keep-text check below (at most 3% false flags on MMLU's biology, chemistry and
    security), ``candidate`` 0.55 (at least 95% of WMDP flagged or to the judge, stems and
    whole queries).

    ``lone_draft_flag``: may one draft or window sentence above ``flag`` flag a target by
    itself? Default False: such a flag needs corroboration — the question in the target's
    candidate band or above, or a second draft/window sentence above ``flag`` — and is a
    judge candidate otherwise. A text searched without a question (the final check of a
    rewrite) flags as it scores. Measured on the bundled model's real drafts (README, *Topics
    and works*): a model's answer to a benign question is short option text ("A. Interacting
    with a virus short peptide"), and a lone such sentence was the draft's only false flag,
    while on WMDP no flag rested on the draft alone.

    ``keep_margin``: a classifier flag needs its chunk to be no more than this much nearer
    (cosine) a keep text than the target's nearest example; a chunk a keep text explains is
    a judge candidate instead (None: no such check). Measured with ``alu bench topics``
    (shipped keep, tested halves, whole queries), flag 0.85 without it → 0.83 with it:
    WMDP bio and chem more flagged, MMLU virology and high-school chemistry fewer falsely
    flagged (README, *Textbook virology on the keep side*). 0.82 flagged one more benign
    virology question end to end (5 of 235, over the 2% budget).
    """

    similarity: Mapping[str, Band] = field(default_factory=dict)
    classifier: Mapping[str, Band] = field(default_factory=dict)
    lone_draft_flag: bool = False
    keep_margin: float | None = 0.08

    def with_overrides(self, overrides: Mapping[str, Any]) -> SemanticThresholds:
        """These bands with some replaced: ``{"classifier" | "similarity": {kind:
        {"candidate": x, "flag": y}}}`` (either number may be left out: the current one
        stays), and ``{"lone_draft_flag": true | false}``. Raises ``ValueError`` saying
        which band when a flag ends up below its candidate."""
        tables = {"similarity": dict(self.similarity), "classifier": dict(self.classifier)}
        lone = self.lone_draft_flag
        margin = self.keep_margin
        for mode, kinds in overrides.items():
            if mode == "keep_margin":
                if kinds is not None and (isinstance(kinds, bool) or not isinstance(kinds, (int, float))):
                    raise ValueError(f"semantic_thresholds.keep_margin must be a number or null (got {kinds!r})")
                margin = None if kinds is None else float(kinds)
                continue
            if mode == "lone_draft_flag":
                if not isinstance(kinds, bool):
                    raise ValueError(f"semantic_thresholds.lone_draft_flag must be true or false (got {kinds!r})")
                lone = kinds
                continue
            table = tables[mode]
            for kind, given in kinds.items():
                old = table.get(kind) or table.get("other") or Band(candidate=1.01)
                flag = given.get("flag", old.flag)
                candidate = given.get("candidate")
                new = Band(
                    candidate=old.candidate if candidate is None else float(candidate),
                    flag=None if flag is None else float(flag),
                )
                if new.flag is not None and new.flag < new.candidate:
                    raise ValueError(
                        f"semantic_thresholds.{mode}.{kind}: flag ({new.flag}) below candidate ({new.candidate})"
                    )
                table[kind] = new
        return SemanticThresholds(
            similarity=tables["similarity"], classifier=tables["classifier"], lone_draft_flag=lone, keep_margin=margin
        )

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
            "topic": Band(candidate=0.55, flag=0.83),
            "other": Band(candidate=0.55, flag=0.83),
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


@dataclass
class _Entry:
    target: Target
    fp: str
    part: int  # 0: exact partition, 1: candidate-kind partition
    slot: int
    ex_fp: str | None = None
    clf: Classifier | None = None
    ex_vecs: np.ndarray | None = None  # example vectors (float32): the nearest-text check


_KIND_INDEX = {k: i for i, k in enumerate(TARGET_KINDS)}
ANN_KINDS = frozenset({"person", "organization", "place"})
"""Kinds kept in their own partition: by default judge candidates only, and the bulk of a
large registry, so it is the one that outgrows exact search first; topics, works and
"other" (flagged without a model) stay exact until they alone pass ``ann_min_rows``."""


@dataclass(frozen=True)
class _PartSnap:
    """Immutable arrays of one partition that a search reads (a sync swaps in new ones)."""

    rows: np.ndarray  # (n_rows, d) profile text vectors, grouped by slot
    starts: np.ndarray  # (n_slots,) first row of each slot's group
    ends: np.ndarray  # (n_slots,)
    live: np.ndarray  # (n_slots,) bool
    kinds: np.ndarray  # (n_slots,) index into TARGET_KINDS
    skip: np.ndarray  # (n_slots,) bool: scored by a classifier instead
    ids: tuple[str, ...]  # slot → target id ("" when dead)
    row_slot: np.ndarray  # (n_rows,) slot of each row
    ann: _Ann | HnswAnn | None


@dataclass(frozen=True)
class _Snapshot:
    parts: tuple[_PartSnap, ...]
    W: np.ndarray  # (n_clf, d) classifier weights
    b: np.ndarray  # (n_clf,)
    clf_ids: tuple[str, ...]
    clf_kinds: np.ndarray
    clf_examples: tuple[np.ndarray, ...] = ()  # per classifier: its examples' vectors
    keep: np.ndarray | None = None  # the keep text's vectors


class _Partition:
    """Append-only row buffer: each target's rows contiguous; removals zero their rows and
    are compacted away once a third of the rows are dead."""

    def __init__(self, ann_min_rows: int | None, ann_kind: str = "ivf") -> None:
        self.ann_min_rows = ann_min_rows  # None: always exact
        self.ann_kind = ann_kind
        self.rows = np.zeros((0, 0), dtype=np.float32)
        self.n_rows = 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.ids: list[str] = []
        self.dead_rows = 0
        self.killed: list[np.ndarray] = []
        self.added_from = 0
        self.ann: _Ann | HnswAnn | None = None

    def begin(self) -> None:
        self.killed, self.added_from = [], self.n_rows

    def reserve(self, extra: int, dims: int) -> None:
        need = self.n_rows + extra
        if self.rows.size == 0:
            self.rows = np.zeros((max(64, need), dims), dtype=np.float32)
        elif need > self.rows.shape[0]:
            grown = np.zeros((max(need, self.rows.shape[0] * 3 // 2), dims), dtype=np.float32)
            grown[: self.n_rows] = self.rows[: self.n_rows]
            self.rows = grown

    def append(self, target_id: str, block: np.ndarray) -> int:
        need = self.n_rows + len(block)
        self.reserve(len(block), block.shape[1])
        self.rows[self.n_rows : need] = block
        self.starts.append(self.n_rows)
        self.ends.append(need)
        self.ids.append(target_id)
        self.n_rows = need
        return len(self.ids) - 1

    def kill(self, slot: int) -> None:
        lo, hi = self.starts[slot], self.ends[slot]
        self.killed.append(np.arange(lo, hi))
        self.rows[lo:hi] = 0.0
        self.dead_rows += hi - lo
        self.ids[slot] = ""

    def finish(self, entries: list[_Entry]) -> None:
        """Compact if needed, then bring the inverted-file index in step."""
        rebuild = False
        if self.dead_rows > max(1024, self.n_rows // 3):
            old_rows, old_starts, old_ends = self.rows, self.starts, self.ends
            self.rows = np.zeros((0, 0), dtype=np.float32)
            self.n_rows, self.starts, self.ends, self.ids, self.dead_rows = 0, [], [], [], 0
            for e in entries:
                e.slot = self.append(e.target.id, old_rows[old_starts[e.slot] : old_ends[e.slot]])
            rebuild = True
        live_rows = self.n_rows - self.dead_rows
        if self.ann_min_rows is None or live_rows < max(1, self.ann_min_rows) or _faiss() is None:
            self.ann = None
            return
        if self.ann is None or rebuild or self.ann.outgrown(self.n_rows):
            kind = HnswAnn if self.ann_kind == "hnsw" else _Ann
            self.ann = kind.build(self.rows[: self.n_rows], self.live_rows())
            self.begin()
            return
        if self.killed:
            self.ann.remove(np.concatenate(self.killed))
        if self.added_from < self.n_rows:
            ids = np.arange(self.added_from, self.n_rows)[self.live_rows()[self.added_from :]]
            self.ann.add(self.rows[ids], ids)
        self.begin()  # applied: a second finish adds nothing twice

    def live_rows(self) -> np.ndarray:
        mask = np.zeros(self.n_rows, dtype=bool)
        for s, tid in enumerate(self.ids):
            if tid:
                mask[self.starts[s] : self.ends[s]] = True
        return mask

    def snapshot(self, entries: list[_Entry]) -> _PartSnap:
        n = len(self.ids)
        kinds = np.zeros(n, dtype=np.int16)
        skip = np.zeros(n, dtype=bool)
        for e in entries:
            kinds[e.slot] = _KIND_INDEX.get(e.target.kind, _KIND_INDEX["other"])
            skip[e.slot] = e.clf is not None
        starts = np.asarray(self.starts, dtype=np.int64)
        ends = np.asarray(self.ends, dtype=np.int64)
        return _PartSnap(
            rows=self.rows[: self.n_rows],
            starts=starts,
            ends=ends,
            live=np.array([bool(i) for i in self.ids], dtype=bool),
            kinds=kinds,
            skip=skip,
            ids=tuple(self.ids),
            row_slot=np.repeat(np.arange(n, dtype=np.int64), ends - starts) if n else np.zeros(0, np.int64),
            ann=self.ann,
        )


class SemanticIndex:
    """Targets' profile vectors and classifiers, kept in step with the registry.

    ``embeddings``: any LangChain ``Embeddings`` (default: the offline MiniLM).
    ``cache``: a :mod:`alu.semantic.cache` vector cache (default: in memory) so a restart
    does not re-embed. ``keep_texts``: the general text classifiers learn against
    (default: :func:`default_keep_texts`; pass in-domain benign questions to do better).
    Up to ``ann_min_rows`` profile rows per partition (candidate-only kinds: persons,
    organizations, places; the others) the search is exact, one matrix product. Above,
    when ``faiss-cpu`` is installed, an inverted-file index with 8-bit codes shortlists
    the ``ANN_K`` nearest rows per chunk (eight times more when the last of them could
    still pass a threshold), and only their targets are scored, exactly from the float32
    rows. ``ann="hnsw"``: a graph index (:mod:`alu.semantic.hnsw`) instead, meant to be used
    at every size (``ann_min_rows=0``) so that 100 and 100,000 targets cost alike. Safe for
    one writer (``sync``) and many searches.
    """

    def __init__(
        self,
        embeddings: Embeddings | None = None,
        *,
        cache: VectorCache | None = None,
        keep_texts: Sequence[str] | None = None,
        l2: float = 0.3,
        ann_min_rows: int = ANN_MIN_ROWS,
        max_rescore: int = MAX_RESCORE,
        ann: str = "ivf",
    ) -> None:
        if ann not in ("ivf", "hnsw"):
            raise ValueError(f"ann must be 'ivf' or 'hnsw' (got {ann!r})")
        self.embeddings = as_embeddings(embeddings)
        self.max_rescore = max_rescore
        self.cache: VectorCache = cache if cache is not None else MemoryVectorCache()
        self._keep_texts = list(keep_texts) if keep_texts is not None else None
        self._keep: np.ndarray | None = None
        self.l2 = l2
        self._key: str | None = None
        self._entries: dict[str, _Entry] = {}
        self._version: object = None
        self._lock = threading.RLock()  # one sync at a time
        self._ann_lock = threading.Lock()  # faiss: no search while rows are added or removed
        self._parts = (_Partition(ann_min_rows, ann), _Partition(ann_min_rows, ann))
        self._snap: _Snapshot | None = None
        self._chunk_vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._chunk_lock = threading.Lock()

    # -- vectors -------------------------------------------------------------------------
    @property
    def model_key(self) -> str:
        if self._key is None:
            self._key = model_key(self.embeddings)
        return self._key

    def _vectors(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` through the cache; returns (matrix, number embedded)."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32), 0
        keys = [text_key(t) for t in texts]
        found = self.cache.get_many(self.model_key, set(keys))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        if missing:
            vecs = embed_array(self.embeddings, missing)
            new = {text_key(t): v for t, v in zip(missing, vecs)}
            self.cache.put_many(self.model_key, new)
            found.update(new)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False), len(missing)

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
            for part in self._parts:
                part.begin()
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
                added += old is None
                changed += old is not None
                todo.append((t, fp, texts, ex))
            removed = [i for i in self._entries if i not in seen]
            for i in removed:
                e = self._entries.pop(i)
                self._parts[e.part].kill(e.slot)
            # one batch of embeddings for all new texts
            vecs, embedded = self._vectors([x for _, _, texts, _ in todo for x in texts])
            fitted = pos = 0
            for part_no, part in enumerate(self._parts):
                extra = sum(len(x[2]) for x in todo if (x[0].kind in ANN_KINDS) == bool(part_no))
                if extra:
                    part.reserve(extra, vecs.shape[1])
            for t, fp, texts, ex in todo:
                block = vecs[pos : pos + len(texts)]
                pos += len(texts)
                old = self._entries.pop(t.id, None)
                if old is not None:
                    self._parts[old.part].kill(old.slot)
                part_of = 1 if t.kind in ANN_KINDS else 0
                entry = _Entry(target=t, fp=fp, part=part_of, slot=self._parts[part_of].append(t.id, block))
                if ex:
                    ex_fp = fingerprint(ex, self.l2, len(self.keep_vectors()))
                    if old is not None and old.ex_fp == ex_fp:
                        entry.clf, entry.ex_fp, entry.ex_vecs = old.clf, ex_fp, old.ex_vecs
                    else:
                        exv, n = self._vectors(ex)
                        embedded += n
                        warm = old.clf if old is not None else None
                        entry.clf = fit_classifier(exv, self.keep_vectors(), l2=self.l2, warm=warm)
                        entry.ex_fp, entry.ex_vecs = ex_fp, exv
                        fitted += 1
                self._entries[t.id] = entry
            self._publish()
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

    def _publish(self) -> None:
        by_part: tuple[list[_Entry], list[_Entry]] = ([], [])
        for e in self._entries.values():
            by_part[e.part].append(e)
        with self._ann_lock:
            for part, entries in zip(self._parts, by_part):
                part.finish(entries)
        clfs = [(e, e.clf) for e in self._entries.values() if e.clf is not None]
        d = next((p.rows.shape[1] for p in self._parts if p.rows.size), 1)
        self._snap = _Snapshot(
            parts=tuple(p.snapshot(es) for p, es in zip(self._parts, by_part)),
            W=np.stack([clf.w for _, clf in clfs]) if clfs else np.zeros((0, d), dtype=np.float32),
            b=np.asarray([clf.b for _, clf in clfs], dtype=np.float32),
            clf_ids=tuple(e.target.id for e, _ in clfs),
            clf_kinds=np.asarray(
                [_KIND_INDEX.get(e.target.kind, _KIND_INDEX["other"]) for e, _ in clfs], dtype=np.int64
            ),
            clf_examples=tuple(e.ex_vecs if e.ex_vecs is not None else np.zeros((0, d), np.float32) for e, _ in clfs),
            keep=self.keep_vectors() if clfs else None,
        )

    def __len__(self) -> int:
        return len(self._entries)

    # -- search --------------------------------------------------------------------------
    def embed_query(self, texts: Mapping[str, str], *, max_chunks: int = 24):
        """The query's chunks and their vectors (the target-independent part).

        Chunks embedded lately are reused (``CHUNK_CACHE`` of them, least recently used
        dropped): a thread's window is the same sentences turn after turn, and the final
        checks re-read a rewrite that keeps most of the draft's sentences."""
        chunks = chunk_texts(dict(texts), max_chunks=max_chunks)
        if not chunks:
            return [], np.zeros((0, 1), dtype=np.float32)
        texts_ = [c for _, c in chunks]
        with self._chunk_lock:
            known = {t: self._chunk_vecs[t] for t in texts_ if t in self._chunk_vecs}
            for t in known:
                self._chunk_vecs.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts_ if t not in known))
        if missing:
            fresh = embed_array(self.embeddings, missing)
            with self._chunk_lock:
                for t, v in zip(missing, fresh):
                    known[t] = self._chunk_vecs[t] = v
                while len(self._chunk_vecs) > CHUNK_CACHE:
                    self._chunk_vecs.popitem(last=False)
        return chunks, np.stack([known[t] for t in texts_]).astype(np.float32, copy=False)

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
        if snap is None or not chunks:
            return []
        cand, flag = _threshold_arrays(thresholds)
        vecs = np.asarray(vecs, dtype=np.float32)
        # a draft sentence's flag needs corroboration from the question it answers; a text
        # read alone (a rewrite's final check: no question chunk) flags as it scores
        is_q = np.array([src == "question" for src, _ in chunks])
        asked = None if thresholds.lone_draft_flag or not is_q.any() else is_q
        hits: list[SemanticHit] = []
        for part in snap.parts:
            if part.rows.shape[0]:
                hits.extend(self._similarity_hits(part, chunks, vecs, cand[0], flag[0], asked))
        if len(snap.clf_ids):  # classifiers: one more (small) matrix product
            P = 1.0 / (1.0 + np.exp(-(vecs @ snap.W.T + snap.b)))  # (chunks, n_clf)
            ci_all = P.argmax(axis=0)
            keep_near: np.ndarray | None = None
            for j, tid in enumerate(snap.clf_ids):
                ci, k = int(ci_all[j]), snap.clf_kinds[j]
                score = float(P[ci, j])
                per_chunk = P[:, j]
                if score >= flag[1][k] and thresholds.keep_margin is not None and snap.keep is not None:
                    if keep_near is None:  # once per query, only when a classifier would flag
                        keep_near = _nearest(vecs, snap.keep)
                    per_chunk = _keep_checked(
                        per_chunk, vecs, snap.clf_examples[j], keep_near, thresholds.keep_margin, flag[1][k]
                    )
                band = _corroborated(
                    _band(float(per_chunk.max()), cand[1][k], flag[1][k]), per_chunk, asked, cand[1][k], flag[1][k]
                )
                if band:
                    hits.append(
                        SemanticHit(tid, TARGET_KINDS[k], score, band, chunks[ci][1], chunks[ci][0], "classifier")
                    )
        hits.sort(key=lambda h: (h.band != "flag", -h.score))
        return hits

    def _similarity_hits(self, part: _PartSnap, chunks, vecs, cand, flag, asked=None) -> list[SemanticHit]:
        sim_c = cand[part.kinds]
        if part.ann is not None:
            n = part.rows.shape[0]
            k = min(ANN_K, n)
            with self._ann_lock:  # held by a sync only while it updates the index
                sims, ids = part.ann.search(vecs, k)
                # more rows than k may pass: look deeper once
                if k < n and (sims[:, -1] + _SQ_MARGIN >= sim_c.min(initial=np.inf)).any():
                    sims, ids = part.ann.search(vecs, min(n, 8 * k))
            ok = (ids >= 0) & (ids < len(part.row_slot))
            best = np.full(len(part.live), -np.inf, dtype=np.float32)
            np.maximum.at(best, part.row_slot[ids[ok]], sims[ok])
            near = np.unique(part.row_slot[ids[ok]])
            # 8-bit codes: similarities within a small margin; rescored exactly below
            slots = near[(best[near] + _SQ_MARGIN >= sim_c[near]) & part.live[near] & ~part.skip[near]]
            S = None
        else:
            S = vecs @ part.rows.T  # (chunks, rows)
            best = np.maximum.reduceat(S, part.starts, axis=1).max(axis=0)
            # mean-top-k <= max: only targets whose best row passes can pass
            slots = np.nonzero((best >= sim_c) & part.live & ~part.skip)[0]
        if len(slots) > self.max_rescore:
            slots = slots[np.argpartition(-best[slots], self.max_rescore)[: self.max_rescore]]
        if not len(slots):
            return []
        means = _top_k_means(vecs, part, slots, S)  # (chunks, slots)
        best_chunk = means.argmax(axis=0)
        scores = means[best_chunk, np.arange(len(slots))].astype(np.float64)
        hits = []
        for i, (s, score, ci) in enumerate(zip(slots.tolist(), scores.tolist(), best_chunk.tolist())):
            kind = part.kinds[s]
            band = _corroborated(_band(score, cand[kind], flag[kind]), means[:, i], asked, cand[kind], flag[kind])
            if band:
                hits.append(
                    SemanticHit(
                        part.ids[s], TARGET_KINDS[kind], score, band, chunks[ci][1], chunks[ci][0], "similarity"
                    )
                )
        return hits


def _top_k_means(vecs: np.ndarray, part: _PartSnap, slots: np.ndarray, S: np.ndarray | None):
    """Every chunk's mean of its top ``TOP_K`` similarities to each slot's rows, (chunks,
    slots) — for every slot at once (a Python loop per slot was most of the search at
    100,000 targets under a profiler). Slots' row groups are padded to the longest with -inf."""
    lo, hi = part.starts[slots], part.ends[slots]
    sizes = hi - lo
    width = int(sizes.max())
    offsets = np.arange(width)
    rows = lo[:, None] + offsets[None, :]  # (slots, width)
    valid = offsets[None, :] < sizes[:, None]
    block = np.full((len(vecs), *rows.shape), -np.inf, dtype=np.float32)  # (chunks, slots, width)
    real = rows[valid]  # only the slots' own rows: one long profile does not pad every slot's gather
    block[:, valid] = S[:, real] if S is not None else vecs @ part.rows[real].T
    k = np.minimum(TOP_K, sizes)  # (slots,)
    top = -np.sort(-block, axis=2)[:, :, :TOP_K]  # descending, (chunks, slots, <=TOP_K)
    top = np.where(np.isfinite(top), top, 0.0)
    means = top.sum(axis=2) / k[None, :]  # -inf pads sit past each slot's k: summed as 0
    return means


def _faiss():
    try:
        import faiss  # optional: pip install faiss-cpu (in the semantic extra)
    except ImportError:
        return None
    return faiss


_SQ_MARGIN = 0.02


class _Ann:
    """An inverted-file index over profile rows: faiss ``IndexIVFScalarQuantizer`` (8-bit
    codes, a quarter of the float32 rows' memory; inner product) to shortlist, the float32
    rows to score exactly.

    ``nlist`` = sqrt(rows) lists trained by k-means on a sample (a few seconds at 250,000
    rows), ``nprobe`` = max(8, nlist/32). Rows added later go to their nearest list; the
    index is rebuilt when the rows have grown fourfold since training, or on compaction.
    """

    def __init__(self, index, trained_rows: int) -> None:
        self.index = index
        self.trained_rows = trained_rows

    @classmethod
    def build(cls, rows: np.ndarray, live: np.ndarray) -> _Ann:
        faiss = _faiss()
        faiss.omp_set_num_threads(1)  # per-query work is small; threads only contend
        ids = np.nonzero(live)[0]
        d = rows.shape[1]
        nlist = int(min(4096, max(64, np.sqrt(len(ids)))))
        quant = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFScalarQuantizer(
            quant, d, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        rng = np.random.default_rng(0)
        sample = ids[rng.choice(len(ids), size=min(len(ids), 40 * nlist), replace=False)]
        index.cp.min_points_per_centroid = 5
        index.cp.niter = 10
        index.cp.spherical = True  # unit centroids: lists balanced under inner product
        index.train(np.ascontiguousarray(rows[sample]))
        index.add_with_ids(np.ascontiguousarray(rows[ids]), ids.astype(np.int64))
        index.nprobe = max(8, nlist // 32)
        return cls(index, len(ids))

    def outgrown(self, n_rows: int) -> bool:
        return n_rows > 4 * self.trained_rows

    def add(self, rows: np.ndarray, ids: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(rows, dtype=np.float32), ids.astype(np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(_faiss().IDSelectorBatch(ids.astype(np.int64)))

    def search(self, vecs: np.ndarray, k: int):
        return self.index.search(np.ascontiguousarray(vecs, dtype=np.float32), k)


EXAMPLE_FLOOR = 0.35
"""A classifier flag (with the keep-text check on) needs an example at least this near
(cosine). Measured on the bench's tested halves: no WMDP question lost at 0.35 (0.40 cost
chem 2 points); the one benign real draft a 0.82 band flagged sat at 0.21."""


def _nearest(vecs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per chunk, its highest cosine with ``rows`` (unit length). float32 on purpose: numpy
    has no BLAS product for float16 (61 ms against 1.2 ms for 7 chunks × 3,800 keep rows)."""
    if not len(rows):
        return np.full(len(vecs), -1.0, dtype=np.float32)
    return (vecs @ rows.T).max(axis=1)


def _keep_checked(
    per_chunk: np.ndarray, vecs: np.ndarray, examples: np.ndarray, keep_near: np.ndarray, margin: float, flag: float
) -> np.ndarray:
    """Chunk scores with the flags a keep text explains taken down to just under ``flag``.

    A chunk flags by a classifier only if it is not much nearer a keep text than the
    target's nearest example: ``nearest example >= nearest keep text - margin``. Why: a
    linear classifier over sentence vectors draws one boundary for the whole topic, and
    benign questions close to a keep text (textbook virology next to biosecurity) fall on the
    wrong side of it; the nearest texts tell them apart locally. Nor does a chunk flag that
    is near none of the examples (``EXAMPLE_FLOOR``): there the classifier extrapolates (a
    TOFU question about a fictitious author's acclaim scored 0.83 for biosecurity, its
    nearest example at 0.21). The chunk stays a judge candidate: a model still looks at it."""
    over = per_chunk >= flag
    if not over.any():
        return per_chunk
    near_ex = _nearest(vecs[over], examples)
    explained = np.zeros_like(over)
    explained[over] = (near_ex < keep_near[over] - margin) | (near_ex < EXAMPLE_FLOOR)
    if not explained.any():
        return per_chunk
    return np.where(explained, np.minimum(per_chunk, np.nextafter(np.float32(flag), np.float32(0))), per_chunk)


def _band(score: float, cand: float, flag: float) -> Literal["flag", "candidate"] | None:
    if score >= flag:
        return "flag"
    if score >= cand:
        return "candidate"
    return None


def _corroborated(
    band: Literal["flag", "candidate"] | None, per_chunk: np.ndarray, asked: np.ndarray | None, cand: float, flag: float
) -> Literal["flag", "candidate"] | None:
    """A flag that rests on one draft or window sentence alone becomes a judge candidate
    (``asked``: which chunks are the question; None: a lone sentence may flag). Corroborated:
    a question chunk flags, or one is in the candidate band, or two other chunks flag."""
    if band != "flag" or asked is None:
        return band
    q = per_chunk[asked]
    if q.size and q.max() >= cand:
        return "flag"
    return "flag" if int((per_chunk[~asked] >= flag).sum()) >= 2 else "candidate"


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
