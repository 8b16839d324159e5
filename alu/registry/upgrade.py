"""Schema versions of what the registry stored, what is wrong with it (``alu doctor``) and
bringing it to today's shape (``alu migrate``).

Why: stored shapes change between releases (0.1.0's ids collided; 0.2.0 added ``id_format``
and parts; this release a ``schema`` field and the ledger), and a store written by an old
release must keep working and be brought forward without losing a name.

Schema of an item (:data:`~alu.registry.items.SCHEMA_VERSION` today, 3): its ``schema``
field; without one, a target item with ``id_format`` is 2 (0.2.0), one without is 1
(0.1.0); any other registry item without one is 2 (parts appeared in 0.2.0; version items
and change records kept 0.1.0's shape, so they read as 2 too).

:func:`migrate` is idempotent and resumable: it rewrites, in batches, only the target
items and parts below today's schema (adding ``id_format`` as :func:`alu.domain.id_format_of`
reads it, and ``schema``), and gives every target that has no ledger entry one
``"baseline"`` entry (registered before the ledger: who and when unknown, ``created_at``
kept). A run stopped half-way leaves every batch it wrote complete; the next run finds
what is left; a run with nothing left writes nothing. It never changes a target's names,
id or key. Change records and the version item are transient (pruned after a day): the
next write gives them today's shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langgraph.store.base import BaseStore, PutOp

from alu.domain import InvalidTargetError, Target, id_format_of, ordinary_word_reason
from alu.registry.items import SCHEMA_VERSION, _pages, namespace, parts_namespace
from alu.registry.ledger import LEDGER_SCHEMA, ledger_namespace, read_ledger
from alu.registry.store import TargetRegistry
from alu.registry.versions import new_version, version_ops

__all__ = ["DoctorReport", "MigrationReport", "doctor", "item_schema", "migrate", "tenants"]

_BATCH = 500  # items per store batch while migrating (each batch is complete on its own)


def item_schema(value: Any, kind: str) -> int:
    """The schema an item was written with (see the module docstring); ``kind`` is the
    namespace's third label (``targets``, ``parts``, ``changes``, ``meta``, ``ledger``…)."""
    if isinstance(value, Mapping) and isinstance(value.get("schema"), int) and kind != "ledger":
        return int(value["schema"])
    if kind == "ledger":
        return SCHEMA_VERSION
    if kind == "targets":
        return 2 if isinstance(value, Mapping) and "id_format" in value else 1
    return 2


def tenants(store: BaseStore) -> list[str]:
    """Every tenant with something under ``("alu", tenant, …)``."""
    found: set[str] = set()
    offset = 0
    while page := store.list_namespaces(prefix=("alu",), max_depth=2, limit=1000, offset=offset):
        found.update(ns[1] for ns in page if len(ns) >= 2)
        offset += len(page)
    return sorted(found)


@dataclass
class DoctorReport:
    """Problems found in one tenant's registry (each list empty: nothing wrong)."""

    tenant: str
    targets: int = 0
    schemas: dict[str, int] = field(default_factory=dict)
    old_items: int = 0
    colliding_ids: list[dict[str, Any]] = field(default_factory=list)
    ordinary_words: list[dict[str, str]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    orphan_parts: list[str] = field(default_factory=list)
    without_ledger: list[str] = field(default_factory=list)
    vector_models: dict[str, int] = field(default_factory=dict)
    stale_vectors: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> int:
        return (
            self.old_items
            + len(self.colliding_ids)
            + len(self.ordinary_words)
            + len(self.unreadable)
            + len(self.orphan_parts)
            + len(self.without_ledger)
            + sum(self.stale_vectors.values())
        )

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "problems": self.problems}


def doctor(store: BaseStore, tenant: str, *, model_key: str | None = None) -> DoctorReport:
    """What is wrong in ``tenant``'s registry: items of old schemas, ids 0.1.0 gave to two
    names (:meth:`TargetRegistry.check_ids`), targets today's rules would refuse
    (:func:`alu.domain.ordinary_word_reason`, unless opted in), items that do not parse,
    parts without a target, targets with no ledger entry, and — given the embedding model
    in use (``model_key``, :func:`alu.semantic.embeddings.model_key`) — vectors cached for
    another model (never read again: ``alu migrate --drop-stale-vectors`` deletes them)."""
    report = DoctorReport(tenant=tenant)
    schemas: dict[str, int] = {}
    ids: set[str] = set()
    ns = namespace(tenant)
    for item in _pages(store, ns):
        if tuple(item.namespace) != ns:
            continue
        _count(schemas, "targets", item_schema(item.value, "targets"))
        try:
            target = Target.parse(item.value, key=item.key, strict=False)
        except InvalidTargetError:
            report.unreadable.append(item.key)
            continue
        ids.add(target.id)
        if not target.allow_ordinary_word:
            for position, name in enumerate((target.name, *target.aliases)):
                reason = ordinary_word_reason(name)
                if reason is not None:
                    what = "name" if position == 0 else f"alias {position}"
                    report.ordinary_words.append({"id": target.id, "which": what, "reason": reason})
    report.targets = len(ids)
    prefix = parts_namespace(tenant)
    orphans = set()
    for part in _pages(store, prefix):
        if len(part.namespace) == 4:
            _count(schemas, "parts", item_schema(part.value, "parts"))
            if part.namespace[3] not in ids:
                orphans.add(part.namespace[3])
    report.orphan_parts = sorted(orphans)
    report.schemas = schemas
    report.old_items = sum(n for key, n in schemas.items() if not key.endswith(f"@{SCHEMA_VERSION}"))
    report.colliding_ids = TargetRegistry(store, tenant=tenant).check_ids()
    recorded = {r.get("target_id") for r in read_ledger(store, tenant)}
    report.without_ledger = sorted(ids - recorded)
    for vns in store.list_namespaces(prefix=("alu", tenant, "vectors"), max_depth=4):
        if len(vns) == 4:
            count = sum(1 for _ in _pages(store, tuple(vns)))
            report.vector_models[vns[3]] = count
            if model_key is not None and vns[3] != model_key:
                report.stale_vectors[vns[3]] = count
    return report


def _count(schemas: dict[str, int], kind: str, schema: int) -> None:
    key = f"{kind}@{schema}"
    schemas[key] = schemas.get(key, 0) + 1


@dataclass
class MigrationReport:
    tenant: str
    dry_run: bool
    targets_rewritten: int = 0
    parts_rewritten: int = 0
    baseline_entries: int = 0
    vectors_dropped: int = 0
    batches: int = 0

    @property
    def changed(self) -> int:
        return self.targets_rewritten + self.parts_rewritten + self.baseline_entries + self.vectors_dropped

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "changed": self.changed}


def migrate(
    store: BaseStore,
    tenant: str,
    *,
    dry_run: bool = False,
    actor: str = "migration",
    model_key: str | None = None,
    drop_stale_vectors: bool = False,
    batch_size: int = _BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> MigrationReport:
    """Bring ``tenant``'s registry to today's schema (see the module docstring);
    ``dry_run``: count only. ``on_batch`` is called after each batch written (tests stop a
    migration half-way with it)."""
    report = MigrationReport(tenant=tenant, dry_run=dry_run)
    ops: list[PutOp] = []
    touched: list[str] = []

    def flush(final: bool = False) -> None:
        nonlocal ops, touched
        if not ops or dry_run:
            ops, touched = [], []
            return
        if len(ops) < batch_size and not final:
            return
        version = new_version()
        store.batch(ops + version_ops(tenant, touched, version))
        report.batches += 1
        ops, touched = [], []
        if on_batch is not None:
            on_batch(report.batches)

    ns = namespace(tenant)
    recorded = {r.get("target_id") for r in read_ledger(store, tenant)}
    now = time.time()
    for item in list(_pages(store, ns)):
        if tuple(item.namespace) != ns:
            continue
        try:
            target = Target.parse(item.value, key=item.key, strict=False)
        except InvalidTargetError:
            continue  # doctor reports it; nothing here can repair it
        if item_schema(item.value, "targets") < SCHEMA_VERSION:
            value = dict(item.value)
            value.setdefault("id_format", id_format_of(item.key, target.name))
            value["schema"] = SCHEMA_VERSION
            ops.append(PutOp(ns, item.key, value, index=False))
            touched.append(item.key)
            report.targets_rewritten += 1
        if target.id not in recorded:
            ops.append(_baseline(tenant, target, actor, now))
            report.baseline_entries += 1
        flush()
    for part in list(_pages(store, parts_namespace(tenant))):
        if len(part.namespace) == 4 and item_schema(part.value, "parts") < SCHEMA_VERSION:
            value = {**dict(part.value), "schema": SCHEMA_VERSION}
            ops.append(PutOp(tuple(part.namespace), part.key, value, index=False))
            report.parts_rewritten += 1
            flush()
    if drop_stale_vectors and model_key is not None:
        for vns in store.list_namespaces(prefix=("alu", tenant, "vectors"), max_depth=4):
            if len(vns) == 4 and vns[3] != model_key:
                for item in list(_pages(store, tuple(vns))):
                    ops.append(PutOp(tuple(vns), item.key, None))
                    report.vectors_dropped += 1
                    flush()
    flush(final=True)
    return report


def _baseline(tenant: str, target: Target, actor: str, now: float) -> PutOp:
    """The ledger entry of a target registered before the ledger existed."""
    from datetime import UTC, datetime

    key = f"{0:020d}-baseline-{target.id}"
    value = {
        "schema": LEDGER_SCHEMA,
        "ts": now,
        "at": target.created_at or datetime.fromtimestamp(now, UTC).isoformat(),
        "actor": "unknown (registered before the ledger)",
        "via": "migrate",
        "action": "add",
        "target_id": target.id,
        "name": target.name,
        "aliases": list(target.aliases),
        "added": {"aliases": list(target.aliases), "keywords": list(target.keywords)},
        "registry_version": None,
        "baseline": {"migrated_by": actor, "migrated_at": datetime.fromtimestamp(now, UTC).isoformat()},
    }
    return PutOp(ledger_namespace(tenant), key, value, index=False)
