"""The forget-request ledger: who asked for what, when, and the registry version at which
it took effect — one append-only record per target per registry write.

Why: the people who register targets answer "forget me" requests (GDPR right to
erasure, hazardous knowledge) and must be able to show an auditor when a request was
honoured. The targets themselves say only what is forgotten now; the change records are
pruned after a day. The ledger keeps every add, alias change and removal for good.

Where: ``("alu", tenant, "ledger")``, key ``"<change key>-<n:06d>"`` (the change record's
key of the write: ``<time_ns:020d>-<token[:12]>``, so keys sort by time), value::

    {"schema": 1, "ts": 1764600000.0, "at": "2026-12-01T14:00:00.000000+00:00",
     "actor": "alice", "via": "python" | "cli" | "server",
     "action": "add" | "alias" | "unchanged" | "remove" | "purge",
     "target_id": "jane-austen", "name": "Jane Austen", "aliases": [...],
     "added": {"aliases": [...], "keywords": [...]},
     "registry_version": "<change key>"}

``registry_version`` is the version item's ``change`` of the write that carried the
request; a run's operator-side audit record names the version its index reflected
(``registry_version``), and the two compare as strings: a run at a version at or after
an entry's applied it. A request through the server's store API (a raw ``put_item`` /
``delete_item`` of a target, which bypasses the registry) is recorded by the server's auth
handler with ``via: "server"`` and ``registry_version`` the version in force then: it
takes effect at the index's next look for raw writes (``ALU_RAW_WRITE_CHECK_S``), not at a
version of its own.

Nothing here ever overwrites or deletes an entry; :func:`redact_entries` (a purge asked
to) replaces a removed target's names by their digest and says so in the entry.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any, Literal

from langgraph.store.base import BaseStore, PutOp

from alu.domain import Target
from alu.registry.items import DEFAULT_TENANT, namespace
from alu.text import normalize

__all__ = [
    "LEDGER_SCHEMA",
    "Action",
    "Via",
    "default_actor",
    "export_jsonl",
    "ledger_namespace",
    "ledger_ops",
    "name_digest",
    "read_ledger",
    "redact_entries",
    "server_entry",
    "target_from_ledger",
]

LEDGER_SCHEMA = 1
"""The shape of a ledger entry (the ``schema`` field of each)."""

Action = Literal["add", "alias", "unchanged", "remove", "purge"]
Via = Literal["python", "cli", "server"]


def ledger_namespace(tenant: str = DEFAULT_TENANT) -> tuple[str, str, str]:
    """The namespace of ``tenant``'s ledger."""
    namespace(tenant)
    return ("alu", tenant, "ledger")


def default_actor() -> str:
    """Who writes when the caller names no one: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container)
        return "unknown"


def name_digest(name: str) -> str:
    """sha256 of the folded name: lets an auditor check a name against a purged entry
    (the entry keeps the digest, not the name)."""
    return hashlib.sha256(normalize(name).encode("utf-8")).hexdigest()


def _entry(
    *,
    ts: float,
    actor: str,
    via: Via,
    action: Action,
    target: Target,
    added_aliases: Iterable[str] = (),
    added_keywords: Iterable[str] = (),
    registry_version: str | None,
) -> dict[str, Any]:
    return {
        "schema": LEDGER_SCHEMA,
        "ts": ts,
        "at": datetime.fromtimestamp(ts, UTC).isoformat(),
        "actor": actor,
        "via": via,
        "action": action,
        "target_id": target.id,
        "name": target.name,
        "aliases": list(target.aliases),
        "added": {"aliases": list(added_aliases), "keywords": list(added_keywords)},
        "registry_version": registry_version,
    }


def ledger_ops(
    tenant: str,
    change_key: str,
    ts: float,
    *,
    actor: str,
    via: Via,
    changes: Iterable[tuple[Action, Target, Target | None]],
) -> list[PutOp]:
    """One ledger put per ``(action, target, existing)`` of a registry write whose change
    record is ``change_key`` (the names and keywords it added: ``target`` less ``existing``)."""
    ns = ledger_namespace(tenant)
    ops: list[PutOp] = []
    for n, (action, target, existing) in enumerate(changes):
        known = {normalize(x) for x in (existing.name, *existing.aliases)} if existing is not None else set()
        ends = action in ("remove", "purge")
        added = [a for a in (target.name, *target.aliases) if normalize(a) not in known] if not ends else []
        words = [k for k in target.keywords if existing is None or k not in existing.keywords]
        if action == "alias" and not added and not words:
            action = "unchanged"
        value = _entry(
            ts=ts,
            actor=actor,
            via=via,
            action=action,
            target=target,
            added_aliases=added if action != "add" else [a for a in added if a != target.name],
            added_keywords=words if not ends else [],
            registry_version=change_key,
        )
        ops.append(PutOp(ns, f"{change_key}-{n:06d}", value, index=False))
    return ops


def server_entry(
    tenant: str,
    *,
    actor: str,
    action: Literal["put", "delete"],
    key: str,
    value: Mapping[str, Any] | None,
    registry_version: str | None,
    ts: float,
    token: str,
    part_of: str | None = None,
) -> tuple[tuple[str, ...], str, dict[str, Any]]:
    """The ledger item for a request through the server's store API (namespace, key,
    value): ``put`` of a target is an add (or alias change), ``delete`` a removal. With
    ``part_of`` (a target id) the write is one of that target's parts (``("alu", tenant,
    "parts", id)``): a ``put`` adds its names and keywords to the target (``alias``), a
    ``delete`` takes them away again (``alias``, ``removed``: the part's key)."""
    given: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
    name = given["name"] if isinstance(given.get("name"), str) else ""
    aliases: list[Any] = given["aliases"] if isinstance(given.get("aliases"), list) else []
    keywords: list[Any] = given["keywords"] if isinstance(given.get("keywords"), list) else []
    entry: dict[str, Any] = {
        "schema": LEDGER_SCHEMA,
        "ts": ts,
        "at": datetime.fromtimestamp(ts, UTC).isoformat(),
        "actor": actor,
        "via": "server",
        "action": "add" if action == "put" else "remove",
        "target_id": key,
        "name": name,
        "aliases": [a for a in aliases if isinstance(a, str)],
        "added": {"aliases": [], "keywords": []},
        "registry_version": registry_version,
        "effective": "at the next look for raw writes (a write through the store API)",
    }
    if part_of is not None:
        entry |= {"action": "alias", "target_id": part_of, "name": "", "aliases": [], "part": key}
        if action == "put":
            entry["added"] = {
                "aliases": [a for a in aliases if isinstance(a, str)],
                "keywords": [k for k in keywords if isinstance(k, str)],
            }
        else:
            entry["removed_part"] = key
    change_key = f"{int(ts * 1e9):020d}-{token[:12]}"
    return ledger_namespace(tenant), f"{change_key}-{0:06d}", entry


def _entries(store: BaseStore, tenant: str) -> list[tuple[str, dict[str, Any]]]:
    ns = ledger_namespace(tenant)
    out: list[tuple[str, dict[str, Any]]] = []
    offset = 0
    while page := store.search(ns, limit=10_000, offset=offset):
        out += [(i.key, dict(i.value)) for i in page if tuple(i.namespace) == ns and isinstance(i.value, Mapping)]
        offset += len(page)
    return sorted(out)


def read_ledger(store: BaseStore, tenant: str = DEFAULT_TENANT, target: str | None = None) -> list[dict[str, Any]]:
    """The tenant's ledger, oldest first (with ``target``: the entries whose id, name or
    an alias is it, folded, or whose digest is its digest), each with its ``key``."""
    rows = [{"key": key, **value} for key, value in _entries(store, tenant)]
    if target is None:
        return rows
    folded, digest = normalize(target), name_digest(target)

    def about(row: Mapping[str, Any]) -> bool:
        names = [row.get("name") or "", *(row.get("aliases") or [])]
        return (
            row.get("target_id") == target
            or any(isinstance(n, str) and n and normalize(n) == folded for n in names)
            or digest in (row.get("name_digests") or [])
        )

    return [r for r in rows if about(r)]


def export_jsonl(store: BaseStore, tenant: str, out: IO[str], target: str | None = None) -> int:
    """Write the ledger as JSON lines (one entry a line, oldest first); returns the count."""
    count = 0
    for row in read_ledger(store, tenant, target):
        out.write(json.dumps({"tenant": tenant, **row}, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def target_from_ledger(store: BaseStore, tenant: str, name_or_id: str) -> Target | None:
    """A target no longer registered, as the ledger last knew it (its names united over
    every entry about it), or None."""
    rows = [r for r in read_ledger(store, tenant, name_or_id) if r.get("name")]
    if not rows:
        return None
    names = list(dict.fromkeys(n for r in rows for n in (r["name"], *(r.get("aliases") or []))))
    own = rows[-1]["name"]
    return Target(name=own, aliases=tuple(n for n in names if normalize(n) != normalize(own)), id=rows[-1]["target_id"])


def redact_entries(store: BaseStore, tenant: str, target: Target) -> Iterator[PutOp]:
    """Rewrites of the ledger entries about a removed ``target`` with its names replaced by
    their digests (``name_digests``) — for an operator who must not keep even the name.
    The entry's who, when, action and version stay; ``redacted_at`` says it was done."""
    now = datetime.now(UTC).isoformat()
    ns = ledger_namespace(tenant)
    rows = {r["key"]: r for name in (target.id, target.name, *target.aliases) for r in read_ledger(store, tenant, name)}
    for key, row in sorted(rows.items()):
        row.pop("key")
        if row.get("redacted_at"):
            continue
        names = [
            row.get("target_id") or "",
            row.get("name") or "",
            *(row.get("aliases") or []),
            *(row.get("added") or {}).get("aliases", []),
        ]
        row["name_digests"] = sorted({name_digest(n) for n in names if isinstance(n, str) and n})
        row.update(target_id="", name="", aliases=[], added={"aliases": [], "keywords": []}, redacted_at=now)
        yield PutOp(ns, key, row, index=False)
