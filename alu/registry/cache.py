"""The index cache: one target index per (store, tenant), in step with the store.

Keeps one :class:`~alu.detection.TargetIndex` per (store, tenant), in step with the
store at the cost of one ``store.get`` per query: the registry's version item (see
:mod:`alu.registry.versions`). When the version changes, the index re-reads only the targets named
by the change records written since it last looked (falling back to a full rebuild when
it cannot know: a version written by another client, a change of many targets, or a
last look older than the records kept). A store with no version item is listed on every
query, so targets written straight into it are always honoured.

Across processes sharing one database (PostgreSQL, a SQLite file): every process reads
the version item on every query, so a write through the registry in one process is
honoured by the next run that starts, in every other, after the write returned. A write
straight into a versioned store (``store.put`` of a target, a server client's
``put_item``) leaves the version alone; it is noticed by a cheap store-specific read,
at most :data:`RAW_CHECK_S` apart: the count of target items and the time of the newest
(PostgreSQL, SQLite, ``InMemoryStore``: :mod:`alu.registry.backends`); the items written
since the last look are re-read, and a count below the index's size (a target deleted
behind the registry's back) rebuilds. Another kind of store cannot say: call
:func:`~alu.registry.versions.bump_version` after writing into it.

The index is shared by every thread of the process; each look-up holds the entry's lock
(the index is updated in place, and a Python dict must not change while it is read).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from langgraph.store.base import BaseStore

from alu.detection import TargetIndex
from alu.registry.backends import keys_updated_since, row_summary
from alu.registry.items import (
    VERSION_KEY,
    changes_namespace,
    load_target,
    load_targets,
    meta_namespace,
    namespace,
)
from alu.registry.versions import CHANGE_RETENTION_S, version_label

__all__ = ["INDEX_CACHE", "RAW_CHECK_S"]


def _raw_check_s() -> float:
    try:
        return max(0.0, float(os.environ.get("ALU_RAW_WRITE_CHECK_S", "1")))
    except ValueError:
        return 1.0


RAW_CHECK_S = _raw_check_s()
"""Seconds between two looks for writes made straight into a versioned store
(``ALU_RAW_WRITE_CHECK_S``, default 1; 0: on every query)."""
# When the store changed, items stamped up to this long before the last look's newest are
# re-read too (a write whose statement began before that look and committed after it).
_RAW_SLACK = timedelta(seconds=2)

_CLOCK_SKEW_S = 300.0
"""Change records stamped up to this long before a reader's last look are read again
(writers' clocks and slow batches); re-reading a target is harmless."""
_MAX_CHANGES = 1000  # more change records than this since the last look: rebuild instead


@dataclass
class _Entry:
    lock: threading.RLock = field(default_factory=threading.RLock)
    index: TargetIndex | None = None
    version: Any = None  # the version item's value the index reflects; None = unversioned
    fingerprint: tuple | None = None  # unversioned stores: what the index was built from
    synced_at: float = 0.0  # wall clock when the version was last read
    applied: dict[str, float] = field(default_factory=dict)  # change record key -> ts
    rebuilds: int = 0
    incremental: int = 0
    raw_seen: int = 0  # targets re-read because they were written straight into the store
    checked_at: float = float("-inf")  # monotonic clock of the last look for raw writes
    newest: datetime | None = None  # newest target item's write time at that look
    count: int = -1  # target items at that look
    raw_unsupported: bool = False


class _IndexCache:
    """One index per (store, tenant), kept in step with the store's registry version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[BaseStore, dict[str, _Entry]] = weakref.WeakKeyDictionary()

    def _entry(self, store: BaseStore, tenant: str, create: bool = True) -> _Entry | None:
        with self._lock:
            per_store = self._entries.get(store)
            if per_store is None:
                if not create:
                    return None
                per_store = self._entries[store] = {}
            entry = per_store.get(tenant)
            if entry is None and create:
                entry = per_store[tenant] = _Entry()
            return entry

    @contextmanager
    def synced(self, store: BaseStore, tenant: str, *, warm_only: bool = False) -> Iterator[TargetIndex | None]:
        """The tenant's index, in step with the store, locked for the ``with`` block.

        ``warm_only``: yield None instead of building an index this process has not
        built yet (a one-off caller is better served by listing the targets itself).
        """
        entry = self._entry(store, tenant, create=not warm_only)
        if entry is None or (warm_only and entry.index is None):
            yield None
            return
        with entry.lock:
            _sync(entry, store, tenant)
            yield entry.index

    def applied_version(self, store: BaseStore, tenant: str) -> str | None:
        """The registry version the tenant's index reflects (its version item's change
        key, see :func:`~alu.registry.versions.version_label`; ``"unversioned"`` for a store
        with no version item; None before any look). Targets written straight into the
        store since are also in it when the look for raw writes has seen them."""
        entry = self._entry(store, tenant, create=False)
        if entry is None or entry.index is None:
            return None
        with entry.lock:
            return version_label(entry.version) or "unversioned"

    def stats(self, store: BaseStore, tenant: str) -> dict[str, int]:
        entry = self._entry(store, tenant, create=False)
        if entry is None:
            return {"rebuilds": 0, "incremental": 0, "raw_seen": 0, "targets": 0}
        with entry.lock:
            return {
                "rebuilds": entry.rebuilds,
                "incremental": entry.incremental,
                "raw_seen": entry.raw_seen,  # every change of the index moves one of these
                "targets": len(entry.index) if entry.index is not None else 0,
            }

    def kinds(self, store: BaseStore, tenant: str) -> frozenset[str]:
        """The kinds of the tenant's targets. A warm index is read as it is, so a look-up
        costs no store read: ask right after a reader that syncs it (the graph asks after
        its shortlist and after the final checks' name check); a cold one is built first."""
        entry = self._entry(store, tenant, create=False)
        if entry is not None and entry.index is not None:
            with entry.lock:
                return frozenset(entry.index.kinds)
        with self.synced(store, tenant) as index:
            return frozenset(index.kinds) if index is not None else frozenset()

    def raw_check_age(self, store: BaseStore, tenant: str) -> float | None:
        """Seconds since the tenant's index last looked for raw store writes (None: never,
        or a store that cannot say): how far behind such writes the index may be."""
        entry = self._entry(store, tenant, create=False)
        if entry is None:
            return None
        with entry.lock:
            if entry.raw_unsupported or entry.checked_at == float("-inf"):
                return None
            return time.monotonic() - entry.checked_at


def _sync(entry: _Entry, store: BaseStore, tenant: str) -> None:
    """Bring ``entry.index`` in step with the store (one ``get`` when nothing changed)."""
    ns = namespace(tenant)
    read_at = time.time()
    item = store.get(meta_namespace(tenant), VERSION_KEY)
    if item is None:  # unversioned: list every time (targets written by other clients)
        targets = load_targets(store, ns)
        fingerprint = tuple(sorted((t.id, hash(t)) for t in targets))
        if entry.index is None or entry.version is not None or entry.fingerprint != fingerprint:
            entry.index = TargetIndex(targets)
            entry.rebuilds += 1
        entry.version, entry.fingerprint, entry.applied = None, fingerprint, {}
        return
    version = item.value
    if entry.index is not None and entry.version == version:
        _check_raw(entry, store, tenant)
        return
    if not (
        entry.index is not None
        and entry.version is not None
        and isinstance(version, Mapping)
        and isinstance(version.get("change"), str)
        and read_at - entry.synced_at < CHANGE_RETENTION_S / 2
        and _apply_changes(entry, store, tenant)
    ):
        # The change records visible now are reflected by the listing that follows (a
        # record is written in the same batch as its targets): mark them applied, or the
        # next look would apply them again (and rebuild again for a record of "many").
        since = read_at - _CLOCK_SKEW_S
        entry.applied = {record.key: since for record in _change_records(store, tenant, since) or ()}
        summary = None if entry.raw_unsupported else row_summary(store, ns)
        entry.index = TargetIndex(load_targets(store, ns))
        entry.rebuilds += 1
        entry.newest, entry.checked_at = (summary[1] if summary else None), time.monotonic()
        entry.count = summary[0] if summary else -1
        entry.raw_unsupported = summary is None
    else:
        entry.incremental += 1
        _check_raw(entry, store, tenant)
    entry.version, entry.fingerprint, entry.synced_at = version, None, read_at


def _check_raw(entry: _Entry, store: BaseStore, tenant: str) -> None:
    """Re-read targets written straight into the store since the last look (at most
    :data:`RAW_CHECK_S` apart); rebuild when one was deleted behind the registry's back."""
    now = time.monotonic()
    if entry.raw_unsupported or entry.index is None or now - entry.checked_at < RAW_CHECK_S:
        return
    ns = namespace(tenant)
    summary = row_summary(store, ns)
    if summary is None:
        entry.raw_unsupported = True
        return
    count, newest = summary
    entry.checked_at = now
    if (count, newest) == (entry.count, entry.newest):
        return  # nothing written since the last look
    entry.count = count
    if newest is not None:  # something was written (a clock may not have moved: SQLite counts seconds)
        since = (entry.newest or newest) - _RAW_SLACK
        keys = keys_updated_since(store, ns, since) or []
        for key in keys:
            target = load_target(store, tenant, key)
            known = entry.index.targets.get(key)
            if target is None:
                if known is not None:
                    entry.index.remove(key)
                    entry.raw_seen += 1
            elif known != target:
                entry.index.add(target)
                entry.raw_seen += 1
        entry.newest = newest if entry.newest is None else max(newest, entry.newest)
    if count < len(entry.index):
        entry.index = TargetIndex(load_targets(store, ns))
        entry.rebuilds += 1
        entry.raw_seen += 1


def _change_records(store: BaseStore, tenant: str, since: float) -> list | None:
    """Change records stamped at or after ``since`` (at most one more than the cap), or
    None when they cannot be read (an item another client wrote there without a numeric
    ``ts`` can make a store's filter fail): the caller then rebuilds."""
    ns = changes_namespace(tenant)
    try:
        records = store.search(ns, filter={"ts": {"$gte": since}}, limit=_MAX_CHANGES + 1)
    except (TypeError, ValueError):
        return None
    return [r for r in records if tuple(r.namespace) == ns]


def _apply_changes(entry: _Entry, store: BaseStore, tenant: str) -> bool:
    """Re-read the targets named by change records since the last look; False when a
    full rebuild is needed instead (a record of "many" targets, or too many records)."""
    since = entry.synced_at - _CLOCK_SKEW_S
    records = _change_records(store, tenant, since)
    if records is None or len(records) > _MAX_CHANGES:
        return False
    fresh = [r for r in records if r.key not in entry.applied]
    ids: set[str] = set()
    for record in fresh:
        changed = record.value.get("ids")
        if not isinstance(changed, list):
            return False
        ids.update(i for i in changed if isinstance(i, str))
    index = entry.index
    assert index is not None
    for target_id in sorted(ids):
        target = load_target(store, tenant, target_id)
        if target is None:
            index.remove(target_id)
        else:
            index.add(target)
    for record in fresh:
        ts = record.value.get("ts")
        entry.applied[record.key] = float(ts) if isinstance(ts, (int, float)) else time.time()
    entry.applied = {k: ts for k, ts in entry.applied.items() if ts >= since}
    return True


INDEX_CACHE = _IndexCache()
"""The process's indexes, shared by every thread (see the module docstring)."""
