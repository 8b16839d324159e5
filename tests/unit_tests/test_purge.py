"""Purge: a target's text out of thread checkpoints (a real SqliteSaver file and the
in-memory saver; PostgreSQL in tests/integration_tests/test_postgres.py), change records
and vector caches — a dry run first (reports, changes nothing), then the purge, then
the raw database file scanned for every spelling of the name. The graph runs with the
scripted chat model of test_threads (what is tested is where the text is stored)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid

import numpy as np
import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from test_threads import thread_model

from alu import Context, TargetRegistry, create_alu_graph
from alu.cli import main
from alu.graph.purge import MARK, Redactor, purge_target
from alu.registry import read_ledger
from alu.registry.backends import open_sqlite
from alu.semantic.cache import StoreVectorCache, text_key

NAMES = ("Jane Austen", "jane austen", "J. Austen", "JANE AUSTEN")


def _raw(path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            data += (path.parent / (path.name + suffix)).read_bytes()
    return data


def _run_threads(graph, n: int = 2) -> list[str]:
    """Threads that hold the name: in the question, in the operator's audit, in a
    per-run target, in the (sealed) draft, in an answer; and a thread that never does."""
    ids = []
    for i in range(n):
        config = {"configurable": {"thread_id": f"t{i}-{uuid.uuid4().hex[:6]}"}}
        graph.invoke({"messages": [HumanMessage("Tell me about Jane Austen please.")]}, config,
                     context=Context(audit_view="operator"))  # fmt: skip
        graph.invoke({"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, config)
        graph.invoke({"messages": [HumanMessage("And who is jane austen anyway?")], "targets": ["Mark Twain"]}, config)
        ids.append(config["configurable"]["thread_id"])
    clean = {"configurable": {"thread_id": "clean"}}
    graph.invoke({"messages": [HumanMessage("What is the capital of France?")]}, clean)
    return ids


def test_redactor_replaces_every_spelling_and_keeps_the_rest():
    from alu.domain import Target

    r = Redactor(Target(name="Jane Austen", aliases=("J. Austen",)))
    assert r.text("I met JANE   austen and J. Austen.") == f"I met {MARK} and {MARK}."
    assert r.text("What is the capital of France?") == "What is the capital of France?"
    assert r.text("Jane Austn wrote Emma") == MARK  # a typo the matcher still reads as her: whole string
    assert r.strings == 2


def test_sqlite_checkpoints_dry_run_then_purge_then_nothing_left(tmp_path):
    db = tmp_path / "threads.sqlite"
    with open_sqlite(tmp_path / "targets.sqlite") as store, SqliteSaver.from_conn_string(str(db)) as saver:
        registry = TargetRegistry(store)
        registry.add("Jane Austen", aliases=["J. Austen"], keywords=["Pride and Prejudice"])
        graph = create_alu_graph(thread_model(), store=store, checkpointer=saver)
        threads = _run_threads(graph)
        before = _raw(db)
        assert b"Jane Austen" in before and b"jane austen" in before
        states = {t: graph.get_state({"configurable": {"thread_id": t}}).values for t in threads}

        dry = purge_target("Jane Austen", store=store, checkpointer=saver, dry_run=True)
        assert dry.dry_run and sorted(dry.threads) == sorted(threads) and dry.checkpoint_rows > 0 and dry.strings > 0
        assert "clean" not in dry.threads
        assert _raw(db) == before  # a dry run changes nothing
        assert not any(r["action"] == "purge" for r in read_ledger(store))

        done = purge_target("Jane Austen", store=store, checkpointer=saver, actor="dpo")
        assert sorted(done.threads) == sorted(threads) and done.checkpoint_rows == dry.checkpoint_rows
        assert done.sealed_unreadable == 0
        after = _raw(db)
        for name in NAMES:
            assert name.encode() not in after, name
        assert b"Austen" not in after and b"austen" not in after
        # the threads still load and keep their other turns
        for t in threads:
            values = graph.get_state({"configurable": {"thread_id": t}}).values
            assert len(values["messages"]) == len(states[t]["messages"])
            texts = [m.content for m in values["messages"]]
            assert "Who wrote Pride and Prejudice?" in texts and f"Tell me about {MARK} please." in texts
            from alu.graph.flags import open_flags

            flags = open_flags(values["flagged"])  # sealed JSON: redacted field by field, still opens
            assert flags and all(f["name"] == MARK and f["id"] == MARK for f in flags)
        graph.invoke({"messages": [HumanMessage("What is the capital of France?")]},
                     {"configurable": {"thread_id": threads[0]}})  # fmt: skip
        again = purge_target("Jane Austen", store=store, checkpointer=saver, dry_run=True)
        assert again.checkpoint_rows == 0 and again.threads == []
        (entry,) = [r for r in read_ledger(store) if r["action"] == "purge"]
        assert entry["actor"] == "dpo" and entry["purged"]["checkpoint_rows"] == done.checkpoint_rows
        assert registry.get("Jane Austen") is not None  # the target stays registered: answers still forget her


def test_memory_saver_threads_are_purged_too():
    saver = InMemorySaver()
    from langgraph.store.memory import InMemoryStore

    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    graph = create_alu_graph(thread_model(), store=store, checkpointer=saver)
    threads = _run_threads(graph, n=1)
    report = purge_target("Jane Austen", store=store, checkpointer=saver)
    assert report.threads == threads
    dump = repr(saver.storage) + repr(saver.blobs) + repr(saver.writes)
    values = graph.get_state({"configurable": {"thread_id": threads[0]}}).values
    assert "Austen" not in json.dumps([m.content for m in values["messages"]]) and "Austen" not in dump


def test_change_records_and_vectors_of_the_target_go(tmp_path):
    with open_sqlite(tmp_path / "targets.sqlite") as store:
        registry = TargetRegistry(store)
        registry.add("Jane Austen", keywords=["Emma"])
        registry.add("Mark Twain")
        cache = StoreVectorCache(store)
        cache.put_many("model-a", {text_key("Jane Austen"): np.ones(4), text_key("Mark Twain"): np.ones(4)})
        dry = purge_target("Jane Austen", store=store, dry_run=True)
        assert dry.change_records == 1 and dry.vectors == 1
        version = store.get(("alu", "default", "meta"), "version").value
        purge_target("Jane Austen", store=store)
        records = [r.value["ids"] for r in store.search(("alu", "default", "changes"), limit=100)]
        assert all("jane-austen" not in (ids or []) for ids in records)
        assert store.get(("alu", "default", "meta"), "version").value != version  # readers rebuild
        assert store.get(("alu", "default", "vectors", "model-a"), text_key("Jane Austen")) is None
        assert store.get(("alu", "default", "vectors", "model-a"), text_key("Mark Twain")) is not None


def test_ledger_redaction_keeps_who_and_when_but_not_the_name(tmp_path):
    with open_sqlite(tmp_path / "targets.sqlite") as store:
        registry = TargetRegistry(store, actor="dpo")
        registry.add("Jane Austen", aliases=["J. Austen"])
        registry.remove("Jane Austen")
        report = purge_target("Jane Austen", store=store, redact_ledger=True, actor="dpo")
        assert report.ledger_entries_redacted == 2
        rows = read_ledger(store)
        assert [r["action"] for r in rows] == ["add", "remove", "purge"]
        assert all(r["name"] == "" and r["target_id"] == "" and r["actor"] == "dpo" for r in rows)
        assert "Austen" not in json.dumps(rows) and "austen" not in json.dumps(rows)
        # an auditor holding the name can still find its entries (by digest)
        assert [r["action"] for r in read_ledger(store, target="Jane Austen")] == ["add", "remove", "purge"]
        con = sqlite3.connect(tmp_path / "targets.sqlite")
        assert not any(b"Austen" in bytes(v or b"") for (v,) in con.execute("SELECT value FROM store"))


def test_cli_purge_dry_run_then_purge(tmp_path, capsys):
    store_path, threads_path = tmp_path / "targets.sqlite", tmp_path / "threads.sqlite"
    with open_sqlite(store_path) as store, SqliteSaver.from_conn_string(str(threads_path)) as saver:
        TargetRegistry(store).add("Jane Austen")
        _run_threads(create_alu_graph(thread_model(), store=store, checkpointer=saver), n=1)
    args = ["purge", "Jane Austen", "--store", str(store_path), "--threads", str(threads_path), "--json"]
    capsys.readouterr()
    assert main([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] and dry["checkpoint_rows"] > 0 and len(dry["threads"]) == 1
    assert b"Jane Austen" in _raw(threads_path)
    assert main([*args, "--actor", "dpo"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert not done["dry_run"] and done["checkpoint_rows"] == dry["checkpoint_rows"]
    assert b"Austen" not in _raw(threads_path)
    assert main(["purge", "Nobody Here", "--store", str(store_path), "--threads", str(tmp_path / "none.sqlite")]) == 2


@pytest.mark.parametrize("bad", ["", "   "])
def test_purge_needs_a_name(bad):
    from alu.domain import InvalidTargetError

    with pytest.raises(InvalidTargetError):
        purge_target(bad)
