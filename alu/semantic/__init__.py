"""The semantic stage of the auditor's model-free step: targets found by meaning.

Public interface (see index.py for the details)::

    from alu.semantic import SemanticIndex, DEFAULT_THRESHOLDS, StoreVectorCache

    index = SemanticIndex(embeddings=None,                  # None: offline MiniLM default
                          cache=StoreVectorCache(store, tenant))
    index.sync(targets, version, examples={target_id: [example texts]})
    hits = index.search({"question": q, "window": w, "draft": d}, DEFAULT_THRESHOLDS)

Each :class:`SemanticHit` has ``target_id``, ``kind``, ``score``, ``band`` ("flag":
flagged without a model, source "semantic"; "candidate": for the judge), ``evidence``
(the sentence that scored), ``source`` (question/window/draft) and ``mode``
(classifier/similarity). Persons are never flagged by meaning alone.
"""

from alu.semantic.cache import MemoryVectorCache, SqliteVectorCache, StoreVectorCache, VectorCache
from alu.semantic.embeddings import MiniLMEmbeddings, as_embeddings, default_embeddings, model_key
from alu.semantic.index import (
    DEFAULT_THRESHOLDS,
    NEVER_FLAGGED_KINDS,
    Band,
    SemanticHit,
    SemanticIndex,
    SemanticThresholds,
    SyncStats,
    default_keep_texts,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "NEVER_FLAGGED_KINDS",
    "Band",
    "MemoryVectorCache",
    "MiniLMEmbeddings",
    "SemanticHit",
    "SemanticIndex",
    "SemanticThresholds",
    "SqliteVectorCache",
    "StoreVectorCache",
    "SyncStats",
    "VectorCache",
    "as_embeddings",
    "default_embeddings",
    "default_keep_texts",
    "model_key",
]
