"""Targets at scale: the shortlist follows the registry live (versioned and unversioned
stores), Unicode and typo cases through the real shortlist, a 10,000-target registry, and
the benchmarks' outputs (shapes and invariants only: timings are the benchmark's job)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from langgraph.store.base import PutOp
from langgraph.store.memory import InMemoryStore
from langgraph.store.sqlite import SqliteStore

from alu.shortlist import _CACHE, cache_stats, shortlist
from alu.targets import (
    CHANGE_RETENTION_S,
    VERSION_KEY,
    Target,
    TargetRegistry,
    _prune_ops,
    bump_version,
    changes_namespace,
    meta_namespace,
    namespace,
    target_id_for,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NS = namespace("default")


def direct_ids(text: str, store, tenant: str = "default") -> set[str]:
    return {m.target_id for m in shortlist(text, store=store, tenant=tenant).direct}


def shortlisted(text: str, store, tenant: str = "default") -> dict[str, str]:
    """id -> kind of every target shortlisted (direct or candidate)."""
    found = shortlist(text, store=store, tenant=tenant, size=50)
    return {m.target_id: m.kind for m in (*found.direct, *found.candidates)}


# -- following the registry through its version ------------------------------------------


def test_registry_writes_bump_the_version_and_record_what_changed() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    assert store.get(meta_namespace(), VERSION_KEY) is None
    registry.add("Jane Austen")
    first = store.get(meta_namespace(), VERSION_KEY).value
    registry.add_many(["Leo Tolstoy", "Mark Twain"])
    second = store.get(meta_namespace(), VERSION_KEY).value
    registry.remove("Leo Tolstoy")
    third = store.get(meta_namespace(), VERSION_KEY).value
    assert len({first["token"], second["token"], third["token"]}) == 3
    records = sorted(store.search(changes_namespace(), limit=100), key=lambda i: i.key)
    assert [r.value["ids"] for r in records] == [["jane-austen"], ["leo-tolstoy", "mark-twain"], ["leo-tolstoy"]]
    assert third["change"] == records[-1].key


def test_registry_add_and_remove_are_visible_on_the_next_shortlist_incrementally() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Jane Austen")
    assert direct_ids("Who is Jane Austen?", store) == {"jane-austen"}  # first use: a build
    built = cache_stats(store, "default")
    assert built == {"rebuilds": 1, "incremental": 0, "raw_seen": 0, "targets": 1}
    registry.add("Mark Twain", aliases=["Samuel Clemens"])
    assert direct_ids("Samuel Clemens wrote it", store) == {"mark-twain"}
    registry.remove("Jane Austen")
    assert direct_ids("Who is Jane Austen?", store) == set()
    registry.add("Jane Austen", aliases=["J. Austen"])
    assert shortlisted("a letter from J. Austen", store)["jane-austen"] == "alias"
    registry.add_many([{"name": "Mark Twain", "keywords": ["Tom Sawyer"]}, "Leo Tolstoy"])
    assert shortlisted("Tom Sawyer again", store)["mark-twain"] == "keyword"
    assert direct_ids("Leo Tolstoy", store) == {"leo-tolstoy"}
    stats = cache_stats(store, "default")
    assert stats["rebuilds"] == 1, "registry writes must update the index, not rebuild it"
    assert stats["incremental"] == 4 and stats["targets"] == 3


class CountingStore(InMemoryStore):
    """Records the kind of every operation it serves."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[str] = []

    def batch(self, ops):
        ops = list(ops)
        self.ops.extend(type(op).__name__ for op in ops)
        return super().batch(ops)


def test_unchanged_registry_costs_one_version_read_per_query() -> None:
    store = CountingStore()
    TargetRegistry(store).add_many([f"Person Number {i}" for i in range(50)])
    shortlist("warm up", store=store, tenant="default")
    store.ops.clear()
    for _ in range(5):
        shortlist("Person Number 7 and friends", store=store, tenant="default")
    assert store.ops == ["GetOp"] * 5  # the version item, nothing else


def test_raw_store_writes_without_a_version_item_are_honoured_at_once() -> None:
    store = InMemoryStore()  # written only by another client, as through the server's store API
    assert direct_ids("Frida Kahlo painted it", store) == set()
    store.put(NS, "frida-kahlo", {"name": "Frida Kahlo", "aliases": ["Frida"]}, index=False)
    assert direct_ids("Frida Kahlo painted it", store) == {"frida-kahlo"}
    store.put(NS, "frida-kahlo", {"name": "Frida Kahlo", "aliases": ["Magdalena Carmen"]}, index=False)
    assert direct_ids("Magdalena Carmen painted it", store) == {"frida-kahlo"}
    store.delete(NS, "frida-kahlo")
    assert direct_ids("Frida Kahlo painted it", store) == set()
    assert store.get(meta_namespace(), VERSION_KEY) is None


def test_raw_write_after_registry_use_needs_a_version_bump() -> None:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    store.put(NS, "frida-kahlo", {"name": "Frida Kahlo"}, index=False)
    bump_version(store, ids=["frida-kahlo"])  # what a raw writer must do once a version exists
    assert direct_ids("Frida Kahlo", store) == {"frida-kahlo"}
    assert cache_stats(store, "default")["rebuilds"] == 1
    store.delete(NS, "frida-kahlo")
    bump_version(store)  # ids unknown: readers rebuild
    assert direct_ids("Frida Kahlo", store) == set()
    assert cache_stats(store, "default")["rebuilds"] == 2


def test_a_version_written_by_another_client_makes_readers_rebuild() -> None:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    store.put(NS, "mark-twain", {"name": "Mark Twain"}, index=False)
    store.put(meta_namespace(), VERSION_KEY, {"v": 2}, index=False)  # e.g. client.store.put_item
    assert direct_ids("Mark Twain and Jane Austen", store) == {"mark-twain", "jane-austen"}


def test_deleting_the_version_item_falls_back_to_listing() -> None:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    store.delete(meta_namespace(), VERSION_KEY)
    store.delete(NS, "jane-austen")
    assert direct_ids("Jane Austen", store) == set()


def test_two_writers_never_hide_each_others_changes() -> None:
    from alu.targets import _version_ops

    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    # Two processes write at once: A stamps its change first but commits last, so the
    # version left in the store is A's, written over B's. Each writer adds its own change
    # record, so the reader still re-reads both targets.
    batch_a = [PutOp(NS, "mark-twain", Target("Mark Twain").to_value(), index=False)]
    batch_a += _version_ops("default", ["mark-twain"])
    TargetRegistry(store).add("Leo Tolstoy")  # B commits
    store.batch(batch_a)  # A commits last
    assert store.get(meta_namespace(), VERSION_KEY).value["change"] == batch_a[1].key
    assert direct_ids("Mark Twain met Leo Tolstoy", store) == {"mark-twain", "leo-tolstoy"}
    assert cache_stats(store, "default")["rebuilds"] == 1


def test_change_stamped_before_the_last_look_is_still_applied() -> None:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    # A writer whose clock runs 100 s behind (or whose batch committed late).
    store.put(NS, "mark-twain", {"name": "Mark Twain"}, index=False)
    stamp = time.time() - 100
    store.batch(
        [
            PutOp(changes_namespace(), f"{int(stamp * 1e9):020d}-late", {"ts": stamp, "ids": ["mark-twain"]}),
            PutOp(
                meta_namespace(), VERSION_KEY, {"token": "late", "ts": stamp, "change": f"{int(stamp * 1e9):020d}-late"}
            ),
        ]
    )
    assert direct_ids("Mark Twain", store) == {"mark-twain"}
    assert cache_stats(store, "default") == {"rebuilds": 1, "incremental": 1, "raw_seen": 0, "targets": 2}


def test_reader_that_looked_too_long_ago_rebuilds() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    entry = _CACHE._entry(store, "default")
    entry.synced_at -= CHANGE_RETENTION_S  # its change records may have been pruned since
    registry.add("Mark Twain")
    assert direct_ids("Mark Twain", store) == {"mark-twain"}
    assert cache_stats(store, "default")["rebuilds"] == 2


def test_old_change_records_are_pruned() -> None:
    store = InMemoryStore()
    old = time.time() - CHANGE_RETENTION_S - 10
    store.put(changes_namespace(), "0-old", {"ts": old, "ids": ["x"]}, index=False)
    store.put(changes_namespace(), "1-new", {"ts": time.time(), "ids": ["y"]}, index=False)
    ops = _prune_ops(store, "default", force=True)
    assert [(op.key, op.value) for op in ops] == [("0-old", None)]
    store.batch(ops)
    assert [i.key for i in store.search(changes_namespace())] == ["1-new"]


def test_tenants_have_separate_indexes_and_versions() -> None:
    store = InMemoryStore()
    TargetRegistry(store, tenant="acme").add("Jane Austen")
    TargetRegistry(store, tenant="globex").add("Mark Twain")
    assert direct_ids("Jane Austen and Mark Twain", store, "acme") == {"jane-austen"}
    assert direct_ids("Jane Austen and Mark Twain", store, "globex") == {"mark-twain"}
    TargetRegistry(store, tenant="globex").remove("Mark Twain")
    assert direct_ids("Jane Austen and Mark Twain", store, "globex") == set()
    assert direct_ids("Jane Austen and Mark Twain", store, "acme") == {"jane-austen"}


def test_sqlite_store_follows_writes_from_another_connection(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    with SqliteStore.from_conn_string(path) as reader_store, SqliteStore.from_conn_string(path) as writer_store:
        reader_store.setup()
        writer_store.setup()
        writer = TargetRegistry(writer_store)
        writer.add("Jane Austen")
        assert direct_ids("Jane Austen", reader_store) == {"jane-austen"}
        writer.add("Mark Twain")
        writer.remove("Jane Austen")
        assert direct_ids("Jane Austen and Mark Twain", reader_store) == {"mark-twain"}
        assert cache_stats(reader_store, "default")["rebuilds"] == 1


class LockedStore(InMemoryStore):
    """InMemoryStore is not safe for a search while another thread writes; a real shared
    store (SQLite, Postgres) is. This test is about the index cache, so serialize the store."""

    def __init__(self) -> None:
        super().__init__()
        self._store_lock = threading.Lock()

    def batch(self, ops):
        with self._store_lock:
            return super().batch(ops)


def test_concurrent_queries_and_writes_stay_consistent() -> None:
    store = LockedStore()
    registry = TargetRegistry(store)
    registry.add_many([f"Resident Person {i}" for i in range(200)])
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                shortlist("Resident Person 17 met Visiting Writer 3", store=store, tenant="default")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(40):
            registry.add(f"Visiting Writer {i}")
            if i % 3 == 0:
                registry.remove(f"Visiting Writer {i}")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    expected = {f"visiting-writer-{i}" for i in range(40) if i % 3}
    shortlist("", store=store, tenant="default")
    indexed = {tid for tid in _CACHE._entry(store, "default").index.targets if tid.startswith("visiting")}
    assert indexed == expected


def test_registry_name_lookups_use_the_warm_index() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Samuel Clemens", aliases=["Mark Twain"])
    shortlist("warm", store=store, tenant="default")  # the auditor's index now exists
    merged = registry.add("mark twain", aliases=["Twain"])
    assert merged.id == "samuel-clemens" and "Twain" in merged.aliases
    assert registry.get("MARK TWAIN").id == "samuel-clemens"
    assert registry.remove("Mark Twain").id == "samuel-clemens"
    assert registry.list() == []


# -- Unicode and typos through the shortlist ---------------------------------------------


@pytest.fixture
def world() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add_many(
        [
            {"name": "Zoë Saldaña", "kind": "person"},
            {"name": "Лев Толстой", "kind": "person", "aliases": ["Leo Tolstoy"]},
            {"name": "Αριστοτέλης", "kind": "person"},
            {"name": "Jane Austen", "kind": "person", "keywords": ["Pride and Prejudice"]},
            {"name": "John Ronald Reuel Tolkien", "kind": "person"},
            {"name": "Søren Kierkegaard", "kind": "person"},
        ]
    )
    return store


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("what did zoe saldana say", "Zoë Saldaña"),
        ("ZOË SALDAÑA's new film", "Zoë Saldaña"),
        ("ｚｏｅ ｓａｌｄａｎａ", "Zoë Saldaña"),
        ("Zoe\u0308 Saldan\u0303a", "Zoë Saldaña"),
        ("Книга Льва... нет: Лев Толстой написал", "Лев Толстой"),
        ("Leo Tolstoy, again", "Лев Толстой"),
        ("ΑΡΙΣΤΟΤΕΛΗΣ και η ηθική", "Αριστοτέλης"),
        ("Søren Kierkegaard's diaries", "Søren Kierkegaard"),
    ],
)
def test_unicode_variants_are_direct_matches(world, text: str, target: str) -> None:
    assert target_id_for(target) in direct_ids(text, world)


@pytest.mark.parametrize(
    "text",
    [
        "Who is Zoe Saldama?",  # substitution
        "Who is Jane Asuten?",  # transposition
        "Лев Толстый wrote War and Peace",  # Cyrillic typo
        "Søren Kirkegaard wrote it",  # missing letter
        "JaneAusten wrote it",  # words run together
        "who is jane austin",  # all lower case: no case to go by
    ],
)
def test_typos_are_direct_matches(world, text: str) -> None:
    assert direct_ids(text, world), text


def test_initials_and_surname_are_candidates_not_direct(world) -> None:
    found = shortlisted("A letter signed J. Austen, and one by J. R. R. Tolkien.", world)
    assert found["jane-austen"] == "initials"
    assert found["john-ronald-reuel-tolkien"] == "initials"
    assert direct_ids("A letter signed J. Austen.", world) == set()
    assert shortlisted("Austen wrote this.", world)["jane-austen"] == "partial"


def test_everyday_words_need_name_case_in_cased_text() -> None:
    store = InMemoryStore()
    TargetRegistry(store).add_many(
        [{"name": "Olivia Green", "kind": "person"}, {"name": "Anna Little", "kind": "person"}]
    )
    assert shortlisted("Green tea is good. I drink a little every day.", store) == {"olivia-green": "partial"}
    assert shortlisted("I drink green tea, a little every day.", store) == {}
    assert shortlisted("i drink green tea", store) == {"olivia-green": "partial"}  # no case to go by
    assert shortlisted("A. Little signed it.", store)["anna-little"] == "initials"


# -- 10,000 targets --------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_target_registry_in_seconds() -> None:
    pytest.importorskip("faker")
    from alu.bench import synthetic_targets

    entries = synthetic_targets(10_000, seed=11)
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add_many(entries)
    people = [e for e in entries if e["kind"] == "person"]
    for entry in people[:: len(people) // 40][:40]:
        found = shortlist(f"Yesterday I read about {entry['name']} in the paper.", store=store, tenant="default")
        assert target_id_for(entry["name"]) in {m.target_id for m in found.direct}, entry["name"]
    victim = people[123]
    victim_id = target_id_for(victim["name"])
    words = victim["name"].split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[longest]
    words[longest] = w[:2] + w[3] + w[2] + w[4:]  # a transposition
    typo = " ".join(words)
    assert victim_id in direct_ids(f"Yesterday I read about {typo}.", store)
    registry.remove(victim["name"])
    assert victim_id not in direct_ids(f"Yesterday I read about {victim['name']}.", store)
    registry.add("Completely Newperson Here")
    assert direct_ids("completely newperson here", store) == {"completely-newperson-here"}
    assert cache_stats(store, "default")["rebuilds"] == 1
    assert cache_stats(store, "default")["targets"] == len(registry.list())


# -- the benchmarks ----------------------------------------------------------------------------


@pytest.mark.slow
def test_synthetic_targets_are_the_same_in_every_process() -> None:
    # Figures quoted from one run must be reproducible: the registry may not depend on
    # Python's per-process string hashing (Faker's it_IT cities once did).
    pytest.importorskip("faker")
    import hashlib
    import os
    import subprocess
    import sys

    script = "import json; from alu.bench import synthetic_targets; print(json.dumps(synthetic_targets(400)))"
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        digests.add(hashlib.sha256(out.stdout.encode()).hexdigest())
    assert len(digests) == 1


ROW_KEYS = {"targets", "p50_ms", "p95_ms", "build_s", "rss_mb", "prompt_tokens_alu", "prompt_tokens_linear"}


def test_bench_targets_rows_have_the_documented_keys() -> None:
    pytest.importorskip("faker")
    from alu.bench import bench_targets, format_targets_table

    rows = bench_targets([40, 200], queries=24, data_dir=None)
    assert [r["targets"] for r in rows] == [40, 200]
    for row in rows:
        assert set(row) >= ROW_KEYS
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        assert row["build_s"] >= 0 and row["rss_mb"] > 0
        assert 0 <= row["prompt_tokens_alu"] <= row["prompt_tokens_alu_max"]
        assert 0 <= row["judge_call_rate"] <= 1 and 0 <= row["mention_recall"] <= 1
        assert 0 <= row["judge_call_rate_unrelated"] <= 1
    # the paper's approach pays for every name; ours is bounded by the shortlist size
    assert rows[1]["prompt_tokens_linear"] - rows[0]["prompt_tokens_linear"] >= 3 * 160
    assert max(r["prompt_tokens_alu_max"] for r in rows) < 3000
    table = format_targets_table(rows)
    assert "p95 ms" in table and "200" in table


def test_bench_cli_prints_one_json_object(capsys) -> None:
    pytest.importorskip("faker")
    import json

    from alu.cli import main

    assert main(["bench", "targets", "--sizes", "30,60", "--queries", "10", "--json", "--data", "/nonexistent"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["rows"] and [r["targets"] for r in out["rows"]] == [30, 60]
    assert all(set(r) >= ROW_KEYS for r in out["rows"])


def test_judge_prompt_of_the_bench_is_the_auditors(monkeypatch) -> None:
    from scripted_model import scripted

    from alu import create_alu_graph
    from alu.bench import judge_messages

    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", description="Regency novelist", aliases=["Miss Austen"])
    model = scripted(vanilla="Austen is a surname, yes.", auditor={"referenced": []})
    create_alu_graph(model, store=store).invoke({"query": "Is Austen a surname?"})
    [sent] = model.messages_of("auditor")
    target = TargetRegistry(store).get("Jane Austen")
    assert [m.content for m in sent] == judge_messages("Is Austen a surname?", "Austen is a surname, yes.", [target])


def test_recall_bench_skips_cleanly_without_data(tmp_path: Path, capsys) -> None:
    from alu.bench import DataMissing, bench_recall
    from alu.cli import main

    with pytest.raises(DataMissing, match="no RWKU data"):
        bench_recall(tmp_path)
    assert main(["bench", "recall", "--data", str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().err


@pytest.mark.skipif(not (DATA / "rwku").is_dir(), reason=f"RWKU data not found at {DATA / 'rwku'}")
def test_recall_bench_on_rwku_invariants() -> None:
    from alu.bench import bench_recall

    report = bench_recall(DATA, limit=4)
    assert report["targets"] > 0 and report["targets_probed"] == 4
    for config in ("without_enrichment", "with_enrichment"):
        forget, neighbor = report[config]["forget"], report[config]["neighbor"]
        assert forget["all"]["probes"] > 0 and neighbor["all"]["probes"] > 0
        for stats in (*forget.values(), *neighbor.values()):
            for key, value in stats.items():
                if key in ("direct", "recall", "not_named_candidate", "false_direct", "false_candidate"):
                    assert 0.0 <= value <= 1.0, (key, value)
        assert forget["all"]["direct"] <= forget["all"]["recall"]


def test_a_foreign_item_among_the_change_records_makes_readers_rebuild_not_fail() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Jane Austen")
    assert direct_ids("Jane Austen", store) == {"jane-austen"}
    store.put(changes_namespace(), "junk", {"note": "written by someone else"}, index=False)
    registry.add("Mark Twain")
    assert direct_ids("Mark Twain and Jane Austen", store) == {"mark-twain", "jane-austen"}
    assert _prune_ops(store, "default", force=True) == []


@pytest.mark.slow
def test_bench_goals_measures_the_three_goals_in_one_run() -> None:
    """On a part of the committed suite (its first cases of three obfuscations, all its
    controls) and a small registry: every figure present, each goal judged against it."""
    pytest.importorskip("faker")
    from alu.bench.goals import GOALS, bench_goals, format_goals
    from alu.evaluation.adversarial import load_suite

    suite = load_suite()
    keep = {"plain", "HTML table cells", "script: arabic"}
    part = {
        **suite,
        "cases": [c for c in suite["cases"] if c["obfuscation"] in keep][:12],
        "controls": suite["controls"][:20],
    }
    result = bench_goals(targets=60, queries=12, repeat=1, data_dir=None, suite=part)
    figures = result["figures"]
    assert figures["suite_cases"] == len(part["cases"]) and figures["controls"] == 20
    assert 0 <= figures["suite_blocked"] <= 1 and 0 <= figures["controls_touched"] <= 1
    assert result["met"]["suite_blocked"] == (figures["suite_blocked"] >= GOALS["suite_blocked"])
    assert result["met"]["p95_ms"] == (figures["p95_ms"] <= 20)
    text = format_goals(result)
    assert "adversarial suite" in text and "false direct" in text and "p95" in text
