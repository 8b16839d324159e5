"""Ids without collisions, merge-safe registry writes, raw writes noticed, sealing keys,
and connection errors without passwords — on the stores that run offline (InMemoryStore,
SqliteStore in a temporary file). PostgreSQL itself: tests/integration_tests/test_postgres.py.
"""

from __future__ import annotations

import threading

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st
from langgraph.store.base import PutOp
from langgraph.store.memory import InMemoryStore

from alu.domain import (
    Target,
    contested_target_id_for,
    id_format_of,
    legacy_target_id_for,
    target_id_for,
)
from alu.graph import sealed
from alu.registry import TargetRegistry, shortlist
from alu.registry import cache as cache_module
from alu.registry.backends import is_postgres_url, open_sqlite, redact
from alu.text import normalize

NS = ("alu", "default", "targets")


def test_names_that_collided_in_0_1_0_get_distinct_ids():
    for a, b in [
        ("Александр Сергеевич Пушкин", "Александр Сергеевич Грибоедов"),  # cut at 60 characters
        ("Łukasz Nowak", "Ukasz Nowak"),  # Ł dropped by the ASCII fold
    ]:
        assert legacy_target_id_for(a) == legacy_target_id_for(b)
        assert target_id_for(a) != target_id_for(b)
    assert target_id_for("Zoë Saldaña") == "zoe-saldana" == legacy_target_id_for("Zoë Saldaña")  # unchanged
    assert target_id_for("Łukasz Nowak").startswith("lukasz-nowak--")
    assert target_id_for("ŁUKASZ  NOWAK") == target_id_for("Łukasz Nowak")  # same folded name, same id
    assert contested_target_id_for("Mark Twain") not in {target_id_for("Mark Twain"), target_id_for("Mark Twaín")}
    assert id_format_of("jane-austen", "Jane Austen") == 2 and id_format_of("ja-1", "Jane Austen") == 0
    assert id_format_of("ukasz-nowak", "Łukasz Nowak") == 1


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=2, max_size=6, unique=True))
def test_distinct_folded_names_get_distinct_ids(names):
    folded = {}
    for name in names:
        if normalize(name):
            folded.setdefault(normalize(name), name)
    ids = [target_id_for(n) for n in folded.values()]
    assert len(set(ids)) == len(ids)
    assert all("." not in i and i for i in ids)


def test_add_many_keeps_both_names_of_a_0_1_0_collision():
    registry = TargetRegistry(InMemoryStore())
    stored = registry.add_many(
        ["Łukasz Nowak", "Ukasz Nowak", "Александр Сергеевич Пушкин", "Александр Сергеевич Грибоедов"]
    )
    assert len({t.id for t in stored}) == 4 == len(registry.list())


def test_a_contested_id_stays_with_its_holder():
    store = InMemoryStore()
    store.put(NS, "mark-twain", Target("Samuel Clemens", id="mark-twain").to_value())
    registry = TargetRegistry(store)
    twain = registry.add("Mark Twain")
    assert twain.id == contested_target_id_for("Mark Twain")
    assert registry.get("mark-twain").name == "Samuel Clemens" and registry.get("Mark Twain").id == twain.id
    assert registry.add("Mark Twain", aliases=["M. Twain"]).id == twain.id  # found again by name


def test_check_ids_reports_what_0_1_0_merged():
    store = InMemoryStore()
    store.put(
        NS, "ukasz-nowak", Target("Łukasz Nowak", aliases=("Ukasz Nowak", "L. Nowak"), id="ukasz-nowak").to_value()
    )
    (row,) = TargetRegistry(store).check_ids()
    assert (row["id"], row["kept_by"], row["contested_by"], row["id_format"]) == (
        "ukasz-nowak",
        "Łukasz Nowak",
        "Ukasz Nowak",
        1,
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        yield InMemoryStore()
    else:
        with open_sqlite(tmp_path / "t.sqlite") as s:
            yield s


def test_twelve_threads_adding_aliases_to_one_target_keep_them_all(store):
    TargetRegistry(store).add("Jane Austen")
    barrier = threading.Barrier(12)

    def add(i: int) -> None:
        barrier.wait()
        TargetRegistry(store).add("Jane Austen", aliases=[f"Austen{chr(97 + i)} Writer"], keywords=[f"kw{i}"])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    jane = TargetRegistry(store).get("jane-austen")
    assert {f"Austen{chr(97 + i)} Writer" for i in range(12)} <= set(jane.aliases)
    assert {f"kw{i}" for i in range(12)} <= set(jane.keywords)


def test_a_copy_that_lost_an_alias_does_not_lose_it(store):
    """Another writer's stale copy of the item overwrites it: the part keeps the alias."""
    registry = TargetRegistry(store)
    registry.add("Jane Austen", aliases=["J. Austen"])
    store.put(NS, "jane-austen", Target("Jane Austen").to_value())  # a stale copy, written later
    assert "J. Austen" in registry.get("Jane Austen").aliases
    registry.remove("Jane Austen")
    assert registry.list() == [] and store.search(("alu", "default", "parts")) == []
    assert registry.add("Jane Austen").aliases == ()  # no part outlives its target


def test_a_raw_put_into_a_versioned_store_is_noticed(store, monkeypatch):
    monkeypatch.setattr(cache_module, "RAW_CHECK_S", 0.0)
    registry = TargetRegistry(store)
    registry.add("Jane Austen")  # the store now has a version item
    assert {m.target_id for m in shortlist("Mark Twain and Jane Austen", store=store, tenant="default").direct} == {
        "jane-austen"
    }
    store.put(NS, "mark-twain", Target("Mark Twain").to_value())  # no bump_version
    direct = {m.target_id for m in shortlist("Mark Twain and Jane Austen", store=store, tenant="default").direct}
    assert direct == {"jane-austen", "mark-twain"}
    store.batch([PutOp(NS, "jane-austen", None)])  # a raw delete
    direct = {m.target_id for m in shortlist("Mark Twain and Jane Austen", store=store, tenant="default").direct}
    assert direct == {"mark-twain"}


def test_sealing_keys_rotate_and_name_the_key_they_need(monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("ALU_STATE_KEYS", old)
    sealed.reset_keys()
    try:
        value = sealed.seal("the draft")
        monkeypatch.setenv("ALU_STATE_KEYS", f"{new},{old}")  # rotated: new seals, old still opens
        sealed.reset_keys()
        assert sealed.unseal(value) == "the draft"
        monkeypatch.setenv("ALU_STATE_KEYS", new)
        sealed.reset_keys()
        with pytest.raises(sealed.SealError, match=sealed.fingerprint(old.encode())):
            sealed.unseal(value)
        monkeypatch.setenv("ALU_STATE_KEYS", "not-a-key")
        sealed.reset_keys()
        with pytest.raises(sealed.SealError, match="key 1 of 1 is not a valid Fernet key"):
            sealed.seal("x")
    finally:
        sealed.reset_keys()


def test_workers_that_would_disagree_are_refused_at_start_up(monkeypatch):
    store = InMemoryStore()
    a, b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    try:
        monkeypatch.delenv("ALU_STATE_KEYS", raising=False)
        monkeypatch.delenv("ALU_STATE_KEY", raising=False)
        sealed.reset_keys()
        with pytest.raises(sealed.SealError, match="ALU_STATE_KEYS is not set"):
            sealed.verify_shared_keys(store)
        monkeypatch.setenv("ALU_STATE_KEYS", a)
        sealed.reset_keys()
        sealed.verify_shared_keys(store)
        monkeypatch.setenv("ALU_STATE_KEYS", b)
        sealed.reset_keys()
        with pytest.raises(sealed.SealError, match="workers would disagree"):
            sealed.verify_shared_keys(store)
        monkeypatch.setenv("ALU_STATE_KEYS", f"{b},{a}")  # sealing with b too early
        sealed.reset_keys()
        with pytest.raises(sealed.SealError, match="first add the new key second"):
            sealed.verify_shared_keys(store)
        monkeypatch.setenv("ALU_STATE_KEYS", f"{a},{b}")  # rotation, step 1
        sealed.reset_keys()
        sealed.verify_shared_keys(store)
    finally:
        sealed.reset_keys()


def test_connection_texts_never_keep_a_password(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "env-secret")
    url = "postgresql://alu:p%40ss-word@db:5432/alu"
    text = f'missing "=" after "{url}" in connection info; password=plain-secret; also env-secret'
    clean = redact(text, url)
    for secret in ("p%40ss-word", "p@ss-word", "plain-secret", "env-secret"):
        assert secret not in clean
    assert is_postgres_url("postgresql://x") and is_postgres_url("postgres://x") and not is_postgres_url("a/b.sqlite")
