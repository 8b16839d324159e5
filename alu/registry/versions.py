"""The registry's version item and change records: what every write puts in the same
batch, so that readers follow a change without listing the targets (see
:mod:`alu.registry`), and :func:`bump_version` for writers outside the registry."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from langgraph.store.base import BaseStore, PutOp

from alu.registry.items import (
    DEFAULT_TENANT,
    SCHEMA_VERSION,
    VERSION_KEY,
    changes_namespace,
    meta_namespace,
)

__all__ = [
    "CHANGE_RETENTION_S",
    "MAX_CHANGE_IDS",
    "Version",
    "bump_version",
    "new_version",
    "prune_ops",
    "version_label",
    "version_ops",
]

CHANGE_RETENTION_S = 24 * 3600.0
"""Change records older than this are pruned; a reader that last looked longer ago than
half of it rebuilds from the full list instead of reading changes."""
MAX_CHANGE_IDS = 1000
"""A write touching more targets records "many": readers rebuild rather than re-read each."""
_PRUNE_EVERY = 32  # about one write in this many prunes expired change records


@dataclass(frozen=True)
class Version:
    """A registry version: its random ``token``, when (``ts``), and its change record's key
    (``change``, ``<time_ns:020d>-<token[:12]>``: sorts by time; the registry version a
    ledger entry and a run's audit record name)."""

    token: str
    ts: float
    change: str


def new_version() -> Version:
    token = uuid.uuid4().hex
    return Version(token=token, ts=time.time(), change=f"{time.time_ns():020d}-{token[:12]}")


def version_label(value: object) -> str | None:
    """The registry version a version item's value names: its change key (a version a
    client wrote without one: ``"token:<token>"``, or ``"unknown"``); None for no item."""
    if value is None:
        return None
    if isinstance(value, dict):
        if isinstance(value.get("change"), str):
            return value["change"]
        if isinstance(value.get("token"), str):
            return f"token:{value['token']}"
    return "unknown"


def version_ops(tenant: str, ids: Iterable[str] | None, version: Version | None = None) -> list[PutOp]:
    """The change record and new version that go in the same batch as a write.

    ``ids=None`` means "unknown or too many changes": readers rebuild their index.
    """
    version = version or new_version()
    ids = None if ids is None else sorted(set(ids))
    if ids is not None and len(ids) > MAX_CHANGE_IDS:
        ids = None
    return [
        PutOp(
            changes_namespace(tenant),
            version.change,
            {"ts": version.ts, "ids": ids, "token": version.token, "schema": SCHEMA_VERSION},
            index=False,
        ),
        PutOp(
            meta_namespace(tenant),
            VERSION_KEY,
            {"token": version.token, "ts": version.ts, "change": version.change, "schema": SCHEMA_VERSION},
            index=False,
        ),
    ]


def prune_ops(store: BaseStore, tenant: str, *, force: bool = False) -> list[PutOp]:
    """Deletions of change records older than :data:`CHANGE_RETENTION_S`, about once in
    :data:`_PRUNE_EVERY` writes (``force``: now)."""
    if not force and uuid.uuid4().int % _PRUNE_EVERY:
        return []
    cutoff = time.time() - CHANGE_RETENTION_S
    try:
        old = store.search(changes_namespace(tenant), filter={"ts": {"$lt": cutoff}}, limit=500)
    except (
        TypeError,
        ValueError,
    ):  # a foreign item without a numeric ts: prune next time
        return []
    return [PutOp(tuple(i.namespace), i.key, None) for i in old if tuple(i.namespace) == changes_namespace(tenant)]


def bump_version(store: BaseStore, tenant: str = DEFAULT_TENANT, ids: Iterable[str] | None = None) -> None:
    """Tell readers that ``tenant``'s targets changed outside :class:`TargetRegistry`.

    With the ids written (store keys), readers re-read only those; with ``ids=None``
    they rebuild from the full list. A LangGraph server client that writes targets with
    ``client.store.put_item`` can do the same by putting any new value under
    ``("alu", tenant, "meta")``, key ``"version"`` (a value without a ``"change"`` field
    makes readers rebuild).
    """
    store.batch(version_ops(tenant, ids))
