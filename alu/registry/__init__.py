"""Layer 4, the registry: a tenant's targets in a LangGraph ``BaseStore``, its version
item and change records, the index cache that follows them, and the shortlist read
from it.

Lives here: :mod:`~alu.registry.items` (namespaces, listing),
:mod:`~alu.registry.versions` (version item, change records, :func:`bump_version`),
:mod:`~alu.registry.ledger` (the forget-request ledger: who asked, when, what, at which
version), :mod:`~alu.registry.purge` (a removed target's text out of checkpoints, change
records and caches), :mod:`~alu.registry.upgrade` (schema versions: doctor, migrate),
:mod:`~alu.registry.store` (:class:`TargetRegistry`), :mod:`~alu.registry.cache` (one
index per store and tenant), :mod:`~alu.registry.shortlist` (the auditor's first stage).

May import: :mod:`alu.text`, :mod:`alu.domain`, :mod:`alu.detection`,
``langgraph.store``, the standard library. Never the graph or a model: enrichment (a
model call) is installed from above with :func:`use_enricher`.

Unlearning targets and the registry that keeps them in a LangGraph ``BaseStore``.

Why a store: the same registry then works embedded (``InMemoryStore``), from the CLI
(``SqliteStore`` on disk) and on LangGraph server (the server's own store, so a client's
``client.store.put_item`` is honoured by the very next run). One namespace per tenant:
``("alu", tenant, "targets")``; key = target id; value = the target's fields.

Why a version: the auditor keeps an index of the targets and must not list 100,000 of
them on every query to notice a change. Every write through :class:`TargetRegistry`
also puts, in the same batch, a *change record* (the ids it touched) under
``("alu", tenant, "changes")`` and a new *version* under ``("alu", tenant, "meta")``,
key ``"version"``. A reader fetches that one item per query; when it has changed, it
reads the change records since its last look and re-reads only those targets. Change
records are never overwritten (each writer adds its own), so two processes writing at
once cannot hide each other's change. A client that writes targets straight into the
store should then put any new value under the version key (see :func:`bump_version`),
which makes readers rebuild; in a store with no version item at all, readers list the
targets on every query, which is always right and slower.

Why parts: ``BaseStore`` has no compare-and-set, so two writers adding aliases to one
target could overwrite each other's copy of it. What a write adds (names, keywords) also
goes into a *part* of its own under ``("alu", tenant, "parts", id)`` (a fresh key), and a
target is read as its item merged with its parts: no write can lose another's names.

Store item format (the public contract): key = target id; value = ``{"name", "aliases",
"kind", "description", "keywords", "id", "created_at", "id_format"}``
(:meth:`Target.to_value` plus the id format: 2 = :func:`alu.domain.target_id_for`, 1 =
0.1.0's id, 0 = a key a client chose; an item without it is read as written by 0.1.0 or
a client). Part: ``("alu", tenant, "parts", id)``, any key, value ``{"aliases",
"keywords", "ts"}``.
Version item: ``("alu", tenant, "meta")``, key ``"version"``, value ``{"token", "ts",
"change", "schema"}``. Change record: ``("alu", tenant, "changes")``, key
``"<time_ns:020d>-<token[:12]>"``, value ``{"ts", "ids", "token", "schema"}`` (``ids``
None: many). Ledger entry: ``("alu", tenant, "ledger")`` (see :mod:`~alu.registry.ledger`).
Every item the registry writes carries ``"schema"`` (:data:`SCHEMA_VERSION`; targets and
parts too); an item without it is of 0.2.0 or 0.1.0 (``alu migrate`` upgrades it).
"""

from alu.registry.items import (
    DEFAULT_TENANT,
    SCHEMA_VERSION,
    VERSION_KEY,
    changes_namespace,
    load_targets,
    meta_namespace,
    namespace,
)
from alu.registry.ledger import export_jsonl, ledger_namespace, read_ledger
from alu.registry.shortlist import Shortlist, cache_stats, clear_memos, raw_check_age, shortlist, target_kinds
from alu.registry.store import Enricher, OrdinaryWordError, TargetRegistry, check_ordinary_words, use_enricher
from alu.registry.versions import CHANGE_RETENTION_S, MAX_CHANGE_IDS, bump_version

__all__ = [
    "CHANGE_RETENTION_S",
    "DEFAULT_TENANT",
    "MAX_CHANGE_IDS",
    "SCHEMA_VERSION",
    "VERSION_KEY",
    "Enricher",
    "OrdinaryWordError",
    "Shortlist",
    "TargetRegistry",
    "bump_version",
    "cache_stats",
    "changes_namespace",
    "check_ordinary_words",
    "clear_memos",
    "export_jsonl",
    "ledger_namespace",
    "load_targets",
    "meta_namespace",
    "namespace",
    "raw_check_age",
    "read_ledger",
    "shortlist",
    "target_kinds",
    "use_enricher",
]
