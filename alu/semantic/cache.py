"""Persistent vector caches: a restarted process never re-embeds unchanged texts.

Vectors are content-addressed: key = sha256 of the text, under the embedding model's key
(:func:`alu.semantic.embeddings.model_key`: id, version, dimensions). Two targets sharing a
keyword share its vector; a model change reads another namespace and re-embeds.

- :class:`StoreVectorCache`: a LangGraph ``BaseStore`` (the registry's store), items under
  ``("alu", tenant, "vectors", model_key)``, value ``{"v": base64 float32, "d": dims}``,
  not indexed by the store's own search.
- :class:`SqliteVectorCache`: a local SQLite file (stdlib), one table per model key.
- :class:`MemoryVectorCache`: a dict (tests, one-shot runs).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

import numpy as np

__all__ = [
    "MemoryVectorCache",
    "SqliteVectorCache",
    "StoreVectorCache",
    "VectorCache",
    "text_key",
    "vectors_namespace",
]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def vectors_namespace(tenant: str, model_key: str) -> tuple[str, str, str, str]:
    return ("alu", tenant, "vectors", model_key)


class VectorCache(Protocol):
    """What :class:`~alu.semantic.index.SemanticIndex` needs from a cache."""

    def get_many(self, model_key: str, keys: Iterable[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model_key: str, vectors: Mapping[str, np.ndarray]) -> None: ...


class MemoryVectorCache:
    def __init__(self) -> None:
        self._data: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model_key: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        return {k: self._data[(model_key, k)] for k in keys if (model_key, k) in self._data}

    def put_many(self, model_key: str, vectors: Mapping[str, np.ndarray]) -> None:
        for k, v in vectors.items():
            self._data[(model_key, k)] = np.asarray(v, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._data)


class SqliteVectorCache:
    """Vectors in a local SQLite file; safe across threads and processes (WAL)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vec BLOB, "
            "PRIMARY KEY (model, key)) WITHOUT ROWID"
        )

    def get_many(self, model_key: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        keys = list(keys)
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 900):
                part = keys[i : i + 900]
                q = f"SELECT key, vec FROM vectors WHERE model=? AND key IN ({','.join('?' * len(part))})"
                for k, blob in self._conn.execute(q, [model_key, *part]):
                    out[k] = np.frombuffer(blob, dtype=np.float32).copy()
        return out

    def put_many(self, model_key: str, vectors: Mapping[str, np.ndarray]) -> None:
        rows = [(model_key, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()]
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def close(self) -> None:
        self._conn.close()


class StoreVectorCache:
    """Vectors in a LangGraph ``BaseStore`` under ``("alu", tenant, "vectors", model_key)``."""

    def __init__(self, store, tenant: str = "default") -> None:
        self.store = store
        self.tenant = tenant

    def get_many(self, model_key: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        from langgraph.store.base import GetOp

        keys = list(keys)
        ns = vectors_namespace(self.tenant, model_key)
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 5000):
            part = keys[i : i + 5000]
            for k, item in zip(part, self.store.batch([GetOp(ns, k) for k in part])):
                if item is not None and isinstance(item.value, dict) and "v" in item.value:
                    out[k] = np.frombuffer(base64.b64decode(item.value["v"]), dtype=np.float32).copy()
        return out

    def put_many(self, model_key: str, vectors: Mapping[str, np.ndarray]) -> None:
        from langgraph.store.base import PutOp

        ns = vectors_namespace(self.tenant, model_key)
        ops = [
            PutOp(
                ns,
                k,
                {"v": base64.b64encode(np.asarray(v, dtype=np.float32).tobytes()).decode(), "d": int(np.size(v))},
                index=False,
            )
            for k, v in vectors.items()
        ]
        for i in range(0, len(ops), 5000):
            self.store.batch(ops[i : i + 5000])
