"""A graph index over profile rows (faiss ``IndexHNSWFlat``, inner product), the
alternative to the inverted-file index of :mod:`alu.semantic.index` (``ann="hnsw"``).

Why: a graph search costs about log(rows), so used at *every* size 100 and 100,000 targets
cost alike (the goal's "within 2x"), and it needs no training (no k-means at 250,000 rows).
Rows are float32 (exact similarities; no 8-bit codes). HNSW cannot delete: a removed
target's rows are zeroed and its slot dead, so its rows are skipped at scoring; the
partition's compaction (a third of the rows dead) rebuilds the graph.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HnswAnn"]

HNSW_M = 32
"""Links per node (faiss' default 32: recall vs memory, ~256 bytes per row)."""
EF_CONSTRUCTION = 64
EF_SEARCH_MIN = 96
"""Search breadth; at least twice the rows asked for (set per search)."""


class HnswAnn:
    """Same interface as the inverted-file ``_Ann`` (build, outgrown, add, remove, search)."""

    def __init__(self, index, hnsw) -> None:
        self.index = index  # IndexIDMap2 over the HNSW index: ids are row positions
        self.hnsw = hnsw

    @classmethod
    def build(cls, rows: np.ndarray, live: np.ndarray) -> HnswAnn:
        import faiss  # optional: the semantic extra's faiss-cpu

        faiss.omp_set_num_threads(1)
        inner = faiss.IndexHNSWFlat(rows.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = EF_CONSTRUCTION
        index = faiss.IndexIDMap2(inner)
        ann = cls(index, inner.hnsw)
        ids = np.nonzero(live)[0]
        ann.add(rows[ids], ids)
        return ann

    def outgrown(self, n_rows: int) -> bool:
        return False  # a graph grows without retraining

    def add(self, rows: np.ndarray, ids: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(rows, dtype=np.float32), ids.astype(np.int64))

    def remove(self, ids: np.ndarray) -> None:
        """No-op: the rows are zeroed and their slot dead (skipped at scoring)."""

    def search(self, vecs: np.ndarray, k: int):
        self.hnsw.efSearch = max(EF_SEARCH_MIN, 2 * k)  # under the index's search lock
        return self.index.search(np.ascontiguousarray(vecs, dtype=np.float32), k)
