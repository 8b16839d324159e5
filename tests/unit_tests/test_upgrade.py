"""Upgrades: a target store and a checkpoint thread written by the previous releases'
own code (tests/fixtures/release-0.1.0, release-0.2.0; made by
tests/fixtures/make_previous_release.py, which says how) are read, diagnosed
(``doctor``), migrated (twice: the second run writes nothing; stopped half-way and
resumed) and answered on by today's code. The graph runs with the scripted chat model of
test_threads (what is tested is the stored shapes); real SQLite files throughout."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from test_threads import thread_model

from alu import TargetRegistry, create_alu_graph
from alu.cli import main
from alu.registry import SCHEMA_VERSION, read_ledger, shortlist
from alu.registry.backends import open_sqlite
from alu.registry.upgrade import doctor, migrate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
from make_previous_release import FIXTURE_KEY, THREAD_ID  # noqa: E402

RELEASES = ["0.1.0", "0.2.0"]


@pytest.fixture(params=RELEASES)
def old(request, tmp_path, monkeypatch):
    """A copy of a release's fixture files, with the sealing key their thread was written with."""
    from alu.graph.sealed import reset_keys

    here = tmp_path / request.param
    shutil.copytree(FIXTURES / f"release-{request.param}", here)
    monkeypatch.setenv("ALU_STATE_KEYS", FIXTURE_KEY)
    reset_keys()
    yield request.param, here
    reset_keys()


def _rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute("SELECT prefix, key, value FROM store").fetchall())
    finally:
        con.close()


def test_the_fixtures_were_made_by_the_previous_releases():
    for release, commit in [("0.1.0", "05026bc"), ("0.2.0", "23a9da3")]:
        manifest = json.loads((FIXTURES / f"release-{release}" / "manifest.json").read_text())
        assert manifest["release"] == release and manifest["commit"] == commit


def test_an_old_store_is_read_diagnosed_and_migrated(old):
    release, here = old
    with open_sqlite(here / "targets.sqlite") as store:
        registry = TargetRegistry(store)
        names = sorted(t.name for t in registry.list())
        assert names[:2] == ["Jane Austen", "Leo Tolstoy"] and "Emily Brontë" not in names
        assert {m.target_id for m in shortlist("I love Jane Austen", store=store, tenant="default").direct} == {
            "jane-austen"
        }
        before = doctor(store, "default")
        assert before.old_items > 0 and before.without_ledger and before.problems > 0
        assert {r["id"] for r in before.ordinary_words} == {"the-who"}
        assert bool(before.colliding_ids) == (release == "0.1.0")  # 0.1.0 merged Ukasz into Łukasz
        first = migrate(store, "default")
        assert first.targets_rewritten == before.targets and first.baseline_entries == before.targets
    rows = _rows(here / "targets.sqlite")
    with open_sqlite(here / "targets.sqlite") as store:
        second = migrate(store, "default")
        assert second.changed == 0 and second.batches == 0
        after = doctor(store, "default")
    assert _rows(here / "targets.sqlite") == rows  # the second run wrote nothing
    assert after.old_items == 0 and after.without_ledger == [] and after.orphan_parts == []
    assert after.schemas == {k.replace("@1", "@3").replace("@2", "@3"): v for k, v in before.schemas.items()}
    assert after.ordinary_words == before.ordinary_words  # a person decides: reported, never changed
    with open_sqlite(here / "targets.sqlite") as store:
        migrated = sorted(t.name for t in TargetRegistry(store).list())
        assert migrated == names  # no name lost or changed
        item = store.get(("alu", "default", "targets"), "jane-austen").value
        assert item["schema"] == SCHEMA_VERSION and item["id_format"] == 2  # an ASCII name: one id in every format
        nowak = TargetRegistry(store).get("Łukasz Nowak")
        assert store.get(("alu", "default", "targets"), nowak.id).value["id_format"] == (
            1 if release == "0.1.0" else 2
        )  # 0.1.0's id kept, and said to be 0.1.0's
        baseline = [r for r in read_ledger(store) if r["via"] == "migrate"]
        assert len(baseline) == len(names) and all(r["registry_version"] is None for r in baseline)
        # and it keeps working: a write through today's registry, recorded
        TargetRegistry(store, actor="dpo").add("Jane Austen", aliases=["Miss Austen"])
        assert [r["action"] for r in read_ledger(store, target="Jane Austen")] == ["add", "alias"]


def test_a_migration_stopped_half_way_resumes_to_the_same_result(old, tmp_path):
    _, here = old
    whole = tmp_path / "whole.sqlite"
    shutil.copy(here / "targets.sqlite", whole)

    class Stop(Exception):
        pass

    def stop_after_first(batch: int) -> None:
        if batch == 1:
            raise Stop

    with open_sqlite(here / "targets.sqlite") as store:
        with pytest.raises(Stop):
            migrate(store, "default", batch_size=2, on_batch=stop_after_first)
        half = doctor(store, "default")
        assert 0 < half.old_items < doctor_of(whole).old_items
        rest = migrate(store, "default", batch_size=2)
        assert rest.changed > 0
        assert migrate(store, "default").changed == 0
    with open_sqlite(whole) as store:
        migrate(store, "default")

    def shape(path: Path) -> list[tuple]:
        out = []
        for prefix, key, value in _rows(path):
            if prefix.endswith((".changes", ".meta")):
                continue  # per-write bookkeeping: tokens and times differ
            value = json.loads(value)
            value.pop("ts", None)
            value.pop("baseline", None)
            out.append((prefix, key, json.dumps(value, sort_keys=True)))
        return out

    assert shape(here / "targets.sqlite") == shape(whole)


def doctor_of(path: Path):
    with open_sqlite(path) as store:
        return doctor(store, "default")


def test_an_old_thread_loads_answers_and_purges(old):
    release, here = old
    with (
        open_sqlite(here / "targets.sqlite") as store,
        SqliteSaver.from_conn_string(str(here / "threads.sqlite")) as saver,
    ):
        graph = create_alu_graph(thread_model(), store=store, checkpointer=saver)
        config = {"configurable": {"thread_id": THREAD_ID}}
        state = graph.get_state(config).values
        kept = len(state["messages"])  # two chat turns and a `query` turn of the old release
        assert kept == (5 if release == "0.1.0" else 4)  # 0.1.0 appended a `query` turn's answer; 0.2.0 not
        assert state["messages"][0].content == "What is the capital of France?"
        out = graph.invoke({"messages": [HumanMessage("What is the capital of France?")]}, config)
        assert out["answer"] == "The capital of France is Paris." and out["audit"]["decision"] == "passthrough"
        flagged = graph.invoke({"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, config)
        assert flagged["audit"]["decision"] == "rewritten" and "Austen" not in flagged["answer"]
        assert len(flagged["messages"]) == kept + 4
        from alu.graph.purge import purge_target

        report = purge_target("Jane Austen", store=store, checkpointer=saver)
        assert report.threads == [THREAD_ID] and report.sealed_unreadable == 0
    data = (here / "threads.sqlite").read_bytes()
    assert b"Jane Austen" not in data and b"Austen" not in data


def test_cli_doctor_then_migrate_twice(old, capsys):
    _, here = old
    store = str(here / "targets.sqlite")
    assert main(["doctor", "--store", store, "--all-tenants", "--json"]) == 4
    reports = json.loads(capsys.readouterr().out)
    assert {r["tenant"] for r in reports} == {"default", "acme"}
    assert main(["migrate", "--store", store, "--all-tenants", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert all(r["dry_run"] and r["changed"] > 0 for r in dry)
    assert main(["migrate", "--store", store, "--all-tenants", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert [r["changed"] for r in done] == [r["changed"] for r in dry]
    assert main(["migrate", "--store", store, "--all-tenants", "--json"]) == 0
    assert all(r["changed"] == 0 for r in json.loads(capsys.readouterr().out))
    # left: what only a person can settle (today's rules refuse The Who; 0.1.0's collision)
    main(["doctor", "--store", store, "--all-tenants", "--json"])
    left = {r["tenant"]: r for r in json.loads(capsys.readouterr().out)}
    assert left["acme"]["problems"] == 0 and left["default"]["old_items"] == 0
    assert left["default"]["problems"] == len(left["default"]["ordinary_words"]) + len(left["default"]["colliding_ids"])


def test_doctor_reports_vectors_of_another_embedding_model_and_migrate_drops_them(tmp_path):
    import numpy as np

    from alu.semantic.cache import StoreVectorCache, text_key

    with open_sqlite(tmp_path / "t.sqlite") as store:
        TargetRegistry(store).add("Jane Austen", examples=["Pride and Prejudice is a novel of manners."])
        cache = StoreVectorCache(store)
        cache.put_many("minilm-new", {text_key("Jane Austen"): np.ones(4)})
        cache.put_many("minilm-old", {text_key("Jane Austen"): np.ones(4), text_key("Emma"): np.ones(4)})
        report = doctor(store, "default", model_key="minilm-new")
        assert report.vector_models == {"minilm-new": 1, "minilm-old": 2}
        assert report.stale_vectors == {"minilm-old": 2} and report.problems == 2
        assert doctor(store, "default").stale_vectors == {}  # no model named: nothing to compare
        dropped = migrate(store, "default", model_key="minilm-new", drop_stale_vectors=True)
        assert dropped.vectors_dropped == 2 and dropped.targets_rewritten == 0
        assert doctor(store, "default", model_key="minilm-new").problems == 0
        assert cache.get_many("minilm-new", [text_key("Jane Austen")])
