"""Purge: a target's text out of what the product itself stored — thread checkpoints,
change records, vector caches — with a dry run that reports what it would touch.

Why: registering a target makes every later answer forget it; the conversations saved
before (a user's question naming the person, an answer quoting her, an operator-view
audit record with her name, a run's extra targets) stay in the checkpointer's tables.
A data-protection request wants those gone too.

What it does, per place:

- **Checkpoints** (``SqliteSaver``, ``PostgresSaver``, ``InMemorySaver``): every stored
  value of every thread — checkpoints, their channel blobs, pending writes, metadata —
  is loaded with the saver's own serializer, walked (strings, mappings, lists, messages
  and other pydantic models, ``Send`` payloads), and each string that names the target
  is *redacted*: every written occurrence of a name or alias (case-insensitive) becomes
  ``[redacted]``, and a string in which the matcher still finds a direct mention (a typo,
  a spelled-out or disguised name) is replaced whole. Sealed values (drafts, rewrites,
  flags) are opened, redacted and sealed again; one this process cannot open (another
  ``ALU_STATE_KEYS``) is counted as ``sealed_unreadable`` and left. The row is written
  back in place (same keys): threads keep their shape and their other turns. On SQLite
  the file is then vacuumed (the old pages would otherwise keep the text) and its WAL
  truncated. On PostgreSQL old row versions stay in the table files until ``VACUUM``
  (``vacuum=True`` runs a plain ``VACUUM`` of the checkpoint tables) and in WAL segments
  and backups until they are recycled: the operator's retention, not this code's.
- **Change records** naming the target's id are deleted, and the version bumped with
  "many" (every reader rebuilds, so none misses a change whose record went).
- **Vector caches** in the store (``("alu", tenant, "vectors", model)``): the vectors of
  the target's names, keywords and examples (content-addressed by their text).
- **The ledger** keeps its entries (they are the proof the request was honoured); with
  ``redact_ledger=True`` the target's names in them are replaced by their digests
  (:func:`alu.registry.ledger.redact_entries`). A purge appends an entry of its own.

Not reached: LangSmith traces (the operator's tracing choice), copies an application
made, PostgreSQL WAL and backups, a LangGraph server's own database (its checkpoints are
written by the server: run the purge with a saver opened on that database).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage
from langgraph.store.base import BaseStore, PutOp
from pydantic import BaseModel

from alu.detection import TargetIndex
from alu.domain import Target
from alu.graph.sealed import PREFIX, SealError, seal, unseal
from alu.registry import TargetRegistry, changes_namespace
from alu.registry.items import DEFAULT_TENANT, load_target
from alu.registry.ledger import ledger_namespace, ledger_ops, redact_entries, target_from_ledger
from alu.registry.versions import new_version, version_ops

__all__ = ["MARK", "PurgeReport", "Redactor", "purge_target"]

MARK = "[redacted]"
_UNREADABLE = "\x00unreadable"  # memo marker: a sealed value this process cannot open


@dataclass
class PurgeReport:
    """What a purge touched (``dry_run``: would touch). Counts only, and thread ids."""

    dry_run: bool
    target_id: str
    threads: list[str] = field(default_factory=list)
    checkpoint_rows: int = 0
    strings: int = 0
    sealed_unreadable: int = 0
    change_records: int = 0
    vectors: int = 0
    ledger_entries_redacted: int = 0
    saver: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: (sorted(v) if isinstance(v, list) else v) for k, v in self.__dict__.items()}


class Redactor:
    """Finds and redacts a target's names in a string (see the module docstring)."""

    def __init__(self, target: Target) -> None:
        names = sorted({n for n in (target.name, *target.aliases) if n.strip()}, key=len, reverse=True)
        parts = [r"\s+".join(re.escape(w) for w in n.split()) for n in names]
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        self._index = TargetIndex([target])
        self._memo: dict[str, str] = {}
        self.strings = 0
        self.sealed_unreadable = 0

    def names(self, text: str) -> bool:
        if self._pattern is not None and self._pattern.search(text):
            return True
        return any(m.direct for m in self._index.find(text, use_case=False))

    def text(self, text: str) -> str:
        """``text`` redacted (memoized: every checkpoint of a thread repeats its history,
        so most strings are seen many times)."""
        done = self._memo.get(text)
        if done is None:
            done = self._memo[text] = self._text(text)
            if len(self._memo) > 200_000:
                self._memo.clear()
        if done is _UNREADABLE:
            self.sealed_unreadable += 1
            return text
        if done == text:
            return text  # the caller's own object: "unchanged" is tested by identity
        self.strings += 1
        return done

    def _text(self, text: str) -> str:
        if text.startswith(PREFIX):
            try:
                opened = unseal(text)
            except SealError:
                return _UNREADABLE
            redacted = self._sealed_json(opened)
            if redacted is None:
                redacted = self._text(opened)
            return text if redacted == opened else seal(redacted)
        if not self.names(text):
            return text
        out = self._pattern.sub(MARK, text) if self._pattern is not None else text
        return MARK if any(m.direct for m in self._index.find(out, use_case=False)) else out

    def _sealed_json(self, opened: str) -> str | None:
        """A sealed flag is JSON: redacted field by field, so it still opens (None: not JSON)."""
        if not opened.startswith(("{", "[")):
            return None
        try:
            parsed = json.loads(opened)
        except ValueError:
            return None
        new = self.value(parsed)
        return opened if new is parsed else json.dumps(new)

    def value(self, obj: Any) -> Any:
        """``obj`` with every string in it redacted (the same object when nothing changed)."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, Mapping):
            items = {k: self.value(v) for k, v in obj.items()}
            if all(items[k] is obj[k] for k in obj):
                return obj
            return type(obj)(items) if isinstance(obj, dict) else items
        if isinstance(obj, (list, tuple)):
            values = [self.value(v) for v in obj]
            if all(a is b for a, b in zip(values, obj)):
                return obj
            return type(obj)(values) if not hasattr(obj, "_fields") else type(obj)(*values)
        if isinstance(obj, (BaseMessage, BaseModel)):
            update = {}
            for name in type(obj).model_fields:
                current = getattr(obj, name, None)
                new = self.value(current)
                if new is not current:
                    update[name] = new
            return obj.model_copy(update=update) if update else obj
        send_arg = getattr(obj, "arg", None) if type(obj).__name__ == "Send" else None
        if send_arg is not None:
            new_arg = self.value(send_arg)
            return obj if new_arg is send_arg else type(obj)(obj.node, new_arg)
        inner = getattr(obj, "value", None) if type(obj).__name__ == "Overwrite" else None
        if inner is not None:
            new_inner = self.value(inner)
            return obj if new_inner is inner else type(obj)(new_inner)
        return obj


# -- the savers ----------------------------------------------------------------------


def _typed(serde: Any, redactor: Redactor, kind: str | None, blob: bytes | None) -> bytes | None:
    """The redacted blob (None when unchanged)."""
    if blob is None or kind in (None, "empty"):
        return None
    value = serde.loads_typed((kind, bytes(blob)))
    new = redactor.value(value)
    if new is value:
        return None
    new_kind, data = serde.dumps_typed(new)
    if new_kind != kind:  # the serializer picked another encoding: keep the row's type
        raise RuntimeError(f"re-serializing a checkpoint value changed its type ({kind} -> {new_kind})")
    return data


def _json_text(redactor: Redactor, raw: Any) -> Any:
    """A JSON column (bytes/str/parsed) redacted, in the form it came (None: unchanged)."""
    if raw is None:
        return None
    parsed = json.loads(raw) if isinstance(raw, (bytes, str)) else raw
    new = redactor.value(parsed)
    if new is parsed:
        return None
    if isinstance(raw, bytes):
        return json.dumps(new).encode("utf-8")
    return json.dumps(new) if isinstance(raw, str) else new


def _sqlite(saver: Any, redactor: Redactor, report: PurgeReport, dry_run: bool) -> None:
    conn: sqlite3.Connection = saver.conn
    serde = saver.serde
    updates: list[tuple[str, tuple]] = []
    with saver.lock:
        rows = conn.execute("SELECT rowid, thread_id, type, checkpoint, metadata FROM checkpoints").fetchall()
        for rowid, thread, kind, blob, meta in rows:
            new_blob, new_meta = _typed(serde, redactor, kind, blob), _json_text(redactor, meta)
            if new_blob is not None or new_meta is not None:
                report.threads.append(thread)
                updates.append(
                    (
                        "UPDATE checkpoints SET checkpoint = ?, metadata = ? WHERE rowid = ?",
                        (new_blob if new_blob is not None else blob, new_meta if new_meta is not None else meta, rowid),
                    )
                )
        for rowid, thread, kind, blob in conn.execute("SELECT rowid, thread_id, type, value FROM writes").fetchall():
            new_blob = _typed(serde, redactor, kind, blob)
            if new_blob is not None:
                report.threads.append(thread)
                updates.append(("UPDATE writes SET value = ? WHERE rowid = ?", (new_blob, rowid)))
        report.checkpoint_rows += len(updates)
        if dry_run or not updates:
            return
        for sql, params in updates:
            conn.execute(sql, params)
        conn.commit()
        # the old pages would still hold the text: rewrite the file, empty the WAL
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _postgres(saver: Any, redactor: Redactor, report: PurgeReport, dry_run: bool, vacuum: bool) -> None:
    serde = saver.serde
    updates: list[tuple[str, tuple]] = []
    with saver._cursor() as cur:
        cur.execute("SELECT thread_id, checkpoint_ns, checkpoint_id, checkpoint, metadata FROM checkpoints")
        for row in cur.fetchall():
            new_cp, new_meta = _json_text(redactor, row["checkpoint"]), _json_text(redactor, row["metadata"])
            if new_cp is not None or new_meta is not None:
                report.threads.append(row["thread_id"])
                updates.append(
                    (
                        "UPDATE checkpoints SET checkpoint = %s::jsonb, metadata = %s::jsonb "
                        "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s",
                        (
                            json.dumps(new_cp if new_cp is not None else row["checkpoint"]),
                            json.dumps(new_meta if new_meta is not None else row["metadata"]),
                            row["thread_id"],
                            row["checkpoint_ns"],
                            row["checkpoint_id"],
                        ),
                    )
                )
        cur.execute("SELECT thread_id, checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs")
        for row in cur.fetchall():
            new_blob = _typed(serde, redactor, row["type"], row["blob"])
            if new_blob is not None:
                report.threads.append(row["thread_id"])
                updates.append(
                    (
                        "UPDATE checkpoint_blobs SET blob = %s WHERE thread_id = %s AND checkpoint_ns = %s "
                        "AND channel = %s AND version = %s",
                        (new_blob, row["thread_id"], row["checkpoint_ns"], row["channel"], row["version"]),
                    )
                )
        cur.execute("SELECT thread_id, checkpoint_ns, checkpoint_id, task_id, idx, type, blob FROM checkpoint_writes")
        for row in cur.fetchall():
            new_blob = _typed(serde, redactor, row["type"], row["blob"])
            if new_blob is not None:
                report.threads.append(row["thread_id"])
                updates.append(
                    (
                        "UPDATE checkpoint_writes SET blob = %s WHERE thread_id = %s AND checkpoint_ns = %s "
                        "AND checkpoint_id = %s AND task_id = %s AND idx = %s",
                        (
                            new_blob,
                            row["thread_id"],
                            row["checkpoint_ns"],
                            row["checkpoint_id"],
                            row["task_id"],
                            row["idx"],
                        ),
                    )
                )
        report.checkpoint_rows += len(updates)
        if dry_run:
            return
        for sql, params in updates:
            cur.execute(sql, params)
    if vacuum and not dry_run:
        with saver._cursor() as cur:  # autocommit connections: VACUUM cannot run in a transaction
            for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                cur.execute(f"VACUUM {table}")


def _memory(saver: Any, redactor: Redactor, report: PurgeReport, dry_run: bool) -> None:
    serde = saver.serde
    for thread, namespaces in list(saver.storage.items()):
        for checkpoints in list(namespaces.values()):
            for cid, (cp, meta, parent) in list(checkpoints.items()):
                new_cp, new_meta = _typed(serde, redactor, *cp), _typed(serde, redactor, *meta)
                if new_cp is not None or new_meta is not None:
                    report.threads.append(thread)
                    report.checkpoint_rows += 1
                    if not dry_run:
                        checkpoints[cid] = (
                            (cp[0], new_cp) if new_cp is not None else cp,
                            (meta[0], new_meta) if new_meta is not None else meta,
                            parent,
                        )
    for key, (kind, blob) in list(saver.blobs.items()):
        new_blob = _typed(serde, redactor, kind, blob)
        if new_blob is not None:
            report.threads.append(key[0])
            report.checkpoint_rows += 1
            if not dry_run:
                saver.blobs[key] = (kind, new_blob)
    for key, writes in list(saver.writes.items()):
        for wkey, entry in list(writes.items()):
            task, channel, (kind, blob), path = entry
            new_blob = _typed(serde, redactor, kind, blob)
            if new_blob is not None:
                report.threads.append(key[0])
                report.checkpoint_rows += 1
                if not dry_run:
                    writes[wkey] = (task, channel, (kind, new_blob), path)


def _saver_kind(saver: Any) -> str:
    module = type(saver).__module__
    if module.startswith("langgraph.checkpoint.sqlite") and not module.endswith("aio"):
        return "sqlite"
    if module.startswith("langgraph.checkpoint.postgres") and not module.endswith("aio"):
        return "postgres"
    if module.startswith("langgraph.checkpoint.memory"):
        return "memory"
    raise TypeError(
        f"purge reads SqliteSaver, PostgresSaver and InMemorySaver (sync); got {type(saver).__name__}: "
        "open the same database with the sync saver to purge it"
    )


# -- the store -----------------------------------------------------------------------


def _store_ops(store: BaseStore, tenant: str, target: Target, report: PurgeReport) -> list[PutOp]:
    ops: list[PutOp] = []
    ns = changes_namespace(tenant)
    offset = 0
    while page := store.search(ns, limit=1000, offset=offset):
        offset += len(page)
        for record in page:
            ids = record.value.get("ids") if isinstance(record.value, Mapping) else None
            if tuple(record.namespace) == ns and isinstance(ids, list) and target.id in ids:
                ops.append(PutOp(ns, record.key, None))
    report.change_records = len(ops)
    texts = [target.name, *target.aliases, *target.keywords, *target.examples]
    from alu.semantic.cache import text_key

    keys = {text_key(t) for t in texts}
    for vns in store.list_namespaces(prefix=("alu", tenant, "vectors")):
        for key in keys:
            if store.get(vns, key) is not None:
                ops.append(PutOp(tuple(vns), key, None))
                report.vectors += 1
    return ops


def purge_target(
    target: str | Target,
    *,
    store: BaseStore | None = None,
    checkpointer: Any = None,
    tenant: str = DEFAULT_TENANT,
    dry_run: bool = False,
    actor: str | None = None,
    via: Any = "python",
    redact_ledger: bool = False,
    vacuum: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> PurgeReport:
    """Find and redact ``target``'s text (a registered target's id, name or alias, or a
    :class:`Target`; a removed one as the ledger knew it; any other name as it is) in ``checkpointer``'s
    threads and ``store``'s change records and vector caches; ``dry_run``: only report.
    See the module docstring for what is and is not reached."""
    resolved = target if isinstance(target, Target) else None
    if resolved is None and store is not None:
        resolved = (
            TargetRegistry(store, tenant=tenant).get(str(target))
            or load_target(store, tenant, str(target))
            or target_from_ledger(store, tenant, str(target))
        )
    if resolved is None:
        resolved = Target(name=str(target))
    report = PurgeReport(dry_run=dry_run, target_id=resolved.id)
    redactor = Redactor(resolved)
    if checkpointer is not None:
        kind = _saver_kind(checkpointer)
        report.saver = kind
        if on_progress:
            on_progress(f"scanning the {kind} checkpoints")
        if kind == "sqlite":
            _sqlite(checkpointer, redactor, report, dry_run)
        elif kind == "postgres":
            _postgres(checkpointer, redactor, report, dry_run, vacuum)
        else:
            _memory(checkpointer, redactor, report, dry_run)
    report.threads = sorted(set(report.threads))
    report.strings, report.sealed_unreadable = redactor.strings, redactor.sealed_unreadable
    if store is not None:
        ops = _store_ops(store, tenant, resolved, report)
        ledger = list(redact_entries(store, tenant, resolved)) if redact_ledger else []
        report.ledger_entries_redacted = len(ledger)
        if not dry_run:
            version = new_version()
            purge_entry = Target(name=resolved.name, id=resolved.id) if not redact_ledger else None
            entry_ops = ledger_ops(
                tenant,
                version.change,
                version.ts,
                actor=actor or "unknown",
                via=via,
                changes=[("purge", purge_entry, None)] if purge_entry is not None else [],
            )
            if redact_ledger:  # the purge's own entry without the name
                entry_ops = _anonymous_purge_entry(tenant, version, actor or "unknown", via, resolved)
            summary = report.to_dict()
            if redact_ledger:
                summary["target_id"] = ""
            entry_ops = [
                PutOp(op.namespace, op.key, {**(op.value or {}), "purged": summary}, index=False) for op in entry_ops
            ]
            store.batch(ops + ledger + entry_ops + version_ops(tenant, None, version))
    return report


def _anonymous_purge_entry(tenant: str, version: Any, actor: str, via: Any, target: Target) -> list[PutOp]:
    from alu.registry.ledger import LEDGER_SCHEMA, name_digest

    names = [target.id, target.name, *target.aliases]
    value = {
        "schema": LEDGER_SCHEMA,
        "ts": version.ts,
        "at": _iso(version.ts),
        "actor": actor,
        "via": via,
        "action": "purge",
        "target_id": "",
        "name": "",
        "aliases": [],
        "added": {"aliases": [], "keywords": []},
        "name_digests": sorted({name_digest(n) for n in names if n}),
        "registry_version": version.change,
    }
    return [PutOp(ledger_namespace(tenant), f"{version.change}-000000", value, index=False)]


def _iso(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).isoformat()
