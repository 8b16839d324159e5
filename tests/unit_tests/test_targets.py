"""Tests for ``Target`` and ``TargetRegistry`` on ``InMemoryStore`` and ``SqliteStore``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.store.base import BaseStore, PutOp
from langgraph.store.memory import InMemoryStore
from langgraph.store.sqlite import SqliteStore

from alu.targets import (
    DEFAULT_TENANT,
    InvalidTargetError,
    Target,
    TargetRegistry,
    namespace,
    target_id_for,
)

NS = ("alu", "default", "targets")


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseStore]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    with SqliteStore.from_conn_string(str(tmp_path / "t.db")) as sqlite_store:
        sqlite_store.setup()
        yield sqlite_store


@pytest.fixture
def registry(store: BaseStore) -> TargetRegistry:
    return TargetRegistry(store)


def names(registry: TargetRegistry) -> list[str]:
    return sorted(t.name for t in registry.list())


# -- Target ---------------------------------------------------------------------------


def test_target_defaults_and_cleanup() -> None:
    t = Target("  Jane   Austen ")
    assert t.name == "Jane Austen"
    assert t.id == "jane-austen"
    assert t.kind == "other"
    assert t.aliases == () and t.keywords == () and t.description == ""
    assert t.created_at  # stamped


def test_target_id_is_folded_slug() -> None:
    assert Target("Zoë Saldaña").id == "zoe-saldana"
    assert Target("J.K. Rowling").id == "j-k-rowling"
    assert target_id_for("Jane Austen's") == "jane-austen"
    assert Target("JANE AUSTEN").id == Target("jane austen").id


def test_target_id_for_non_latin_names_is_non_empty_and_distinct() -> None:
    tokyo, osaka = Target("東京"), Target("大阪")
    assert tokyo.id and osaka.id
    assert tokyo.id != osaka.id


def test_target_explicit_id_and_created_at_kept() -> None:
    t = Target("Jane Austen", id="ja-1", created_at="2020-01-01T00:00:00+00:00")
    assert (t.id, t.created_at) == ("ja-1", "2020-01-01T00:00:00+00:00")


def test_target_aliases_cleaned() -> None:
    t = Target(
        "Jane Austen",
        aliases=["Miss  Austen", "Miss Austen", "jane AUSTEN", "Jane Austen", "!!!", "", "A Lady"],
        keywords=["Emma", "Emma", " Persuasion "],
        description="  English   novelist ",
    )
    assert t.aliases == ("Miss Austen", "A Lady")
    assert t.keywords == ("Emma", "Persuasion")
    assert t.description == "English novelist"


def test_target_single_string_alias_is_one_alias() -> None:
    assert Target("Jane Austen", aliases="Miss Austen").aliases == ("Miss Austen",)


def test_target_roundtrips_through_store_value() -> None:
    t = Target(
        "Jane Austen",
        aliases=("Miss Austen",),
        kind="person",
        description="novelist",
        keywords=("Emma",),
    )
    value = t.to_value()
    assert value["aliases"] == ["Miss Austen"] and value["keywords"] == ["Emma"]
    assert Target.parse(value) == t
    assert Target.parse(t) is t


def test_parse_name_string_and_key() -> None:
    assert Target.parse("Jane Austen").id == "jane-austen"
    assert Target.parse({"name": "Jane Austen"}, key="k1").id == "k1"


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (lambda: Target(""), ["non-empty 'name'"]),
        (lambda: Target("   "), ["non-empty 'name'"]),
        (lambda: Target("!!! ... ---"), ["'!!! ... ---'", "no letters or digits"]),
        (lambda: Target("x" * 201), ["201", "limit is 200"]),
        (lambda: Target("Jane Austen", kind="alien"), ["kind", "person", "'alien'"]),
        (lambda: Target("Jane Austen", aliases=[1]), ["aliases", "must be a string", "1"]),
        (lambda: Target("Jane Austen", aliases=5), ["aliases", "list of strings", "int"]),
        (
            lambda: Target("Jane Austen", aliases={"a": "b"}),
            ["aliases", "list of strings", "dict"],
        ),
        (lambda: Target("Jane Austen", keywords=[None]), ["keywords", "must be a string"]),
        (
            lambda: Target("Jane Austen", aliases=[f"Alias {i}" for i in range(65)]),
            ["at most 64 aliases"],
        ),
        (lambda: Target("Jane Austen", description=3), ["description", "string"]),
        (
            lambda: Target.parse({"name": "Jane Austen", "nickname": "Jenny"}),
            ["unknown target field", "nickname", "aliases"],
        ),
        (lambda: Target.parse({"aliases": ["x"]}), ["no 'name'"]),
        (lambda: Target.parse(42), ["name or an object", "int"]),
        (lambda: Target.parse({"name": "Jane Austen", "kind": "alien"}), ["kind", "'alien'"]),
        (lambda: Target.parse({"name": "Jane Austen", "aliases": 7}), ["aliases"]),
    ],
)
def test_invalid_target_raises_helpful_error(make, fragments: list[str]) -> None:
    with pytest.raises(InvalidTargetError) as info:
        make()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_invalid_target_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        Target("")


def test_lenient_parse_accepts_extra_field_and_unknown_kind() -> None:
    t = Target.parse({"name": "Jane Austen", "kind": "alien", "favourite_colour": "blue"}, strict=False)
    assert (t.name, t.kind, t.id) == ("Jane Austen", "other", "jane-austen")


def test_merged_unites_names_keywords_and_keeps_identity() -> None:
    a = Target("Jane Austen", aliases=("Miss Austen",), keywords=("Emma",), created_at="t0")
    b = Target(
        "jane austen",
        aliases=("MISS AUSTEN", "A Lady"),
        kind="person",
        description="novelist",
        keywords=("Emma", "Persuasion"),
    )
    m = a.merged(b)
    assert m.name == "Jane Austen" and m.id == a.id and m.created_at == "t0"
    assert m.aliases == ("Miss Austen", "A Lady")
    assert m.keywords == ("Emma", "Persuasion")
    assert (m.kind, m.description) == ("person", "novelist")


# -- namespace ------------------------------------------------------------------------


def test_namespace_per_tenant() -> None:
    assert namespace() == NS
    assert namespace("acme") == ("alu", "acme", "targets")


@pytest.mark.parametrize("tenant", ["", "a.b", None])
def test_invalid_tenant_rejected(tenant: Any) -> None:
    with pytest.raises(InvalidTargetError, match="tenant"):
        TargetRegistry(InMemoryStore(), tenant=tenant)


# -- TargetRegistry: add / get / list / remove ----------------------------------------


def test_registry_defaults(registry: TargetRegistry) -> None:
    assert registry.tenant == DEFAULT_TENANT
    assert registry.namespace == NS
    assert registry.list() == []


def test_add_stores_value_under_id(registry: TargetRegistry, store: BaseStore) -> None:
    t = registry.add("Jane Austen", aliases=["Miss Austen"], kind="person", keywords=["Emma"])
    item = store.get(NS, "jane-austen")
    assert item is not None
    assert item.value["name"] == "Jane Austen"
    assert item.value["aliases"] == ["Miss Austen"]
    assert item.value["kind"] == "person"
    assert Target.parse(item.value) == t


@pytest.mark.parametrize(
    "query",
    [
        "jane-austen",
        "Jane Austen",
        "jane AUSTEN",
        "  JANE   austen ",
        "Jäne Austén",
        "Jane Austen's",
        "Miss Austen",
        "miss-austen",
    ],
)
def test_get_by_id_name_alias_and_folded_name(registry: TargetRegistry, query: str) -> None:
    registry.add("Jane Austen", aliases=["Miss Austen"])
    registry.add("Leo Tolstoy")
    got = registry.get(query)
    assert got is not None
    assert got.id == "jane-austen"


@pytest.mark.parametrize("query", ["Jane Eyre", "Austen", "", "   ", "nobody"])
def test_get_unknown_returns_none(registry: TargetRegistry, query: str) -> None:
    registry.add("Jane Austen", aliases=["Miss Austen"])
    assert registry.get(query) is None


def test_list_returns_every_target(registry: TargetRegistry) -> None:
    for name in ["Jane Austen", "Leo Tolstoy", "Mark Rothko"]:
        registry.add(name)
    assert names(registry) == ["Jane Austen", "Leo Tolstoy", "Mark Rothko"]


@pytest.mark.parametrize("query", ["jane-austen", "Jane Austen", "JANE austen", "Miss Austen"])
def test_remove_by_id_name_alias_or_folded(registry: TargetRegistry, store: BaseStore, query: str) -> None:
    registry.add("Jane Austen", aliases=["Miss Austen"])
    registry.add("Leo Tolstoy")
    removed = registry.remove(query)
    assert removed is not None and removed.id == "jane-austen"
    assert registry.get("Jane Austen") is None
    assert store.get(NS, "jane-austen") is None
    assert names(registry) == ["Leo Tolstoy"]
    assert registry.remove(query) is None


def test_remove_absent_returns_none(registry: TargetRegistry) -> None:
    registry.add("Leo Tolstoy")
    assert registry.remove("Jane Austen") is None
    assert names(registry) == ["Leo Tolstoy"]


def test_add_accepts_mapping_and_target(registry: TargetRegistry) -> None:
    registry.add({"name": "Jane Austen", "aliases": ["Miss Austen"], "kind": "person"})
    registry.add(Target("Leo Tolstoy", kind="person"))
    assert registry.get("Miss Austen").kind == "person"
    assert registry.get("leo-tolstoy").kind == "person"


def test_add_mapping_is_strict(registry: TargetRegistry) -> None:
    with pytest.raises(InvalidTargetError, match="nickname"):
        registry.add({"name": "Jane Austen", "nickname": "Jenny"})
    assert registry.list() == []


@pytest.mark.parametrize("field", ["aliases", "keywords"])
def test_add_with_string_instead_of_list_is_one_entry_or_rejected(registry: TargetRegistry, field: str) -> None:
    try:
        t = registry.add("Jane Austen", **{field: "Miss Austen"})
    except InvalidTargetError:
        assert registry.list() == []
        return
    assert getattr(t, field) == ("Miss Austen",)
    assert getattr(registry.get("jane-austen"), field) == ("Miss Austen",)


# -- duplicates -----------------------------------------------------------------------


def test_adding_same_name_twice_gives_one_target(registry: TargetRegistry) -> None:
    first = registry.add("Jane Austen")
    second = registry.add("Jane Austen")
    assert len(registry.list()) == 1
    assert second.id == first.id and second.created_at == first.created_at


def test_folded_duplicate_with_alias_unites_aliases(registry: TargetRegistry) -> None:
    registry.add("Jane Austen", aliases=["Miss Austen"], keywords=["Emma"])
    merged = registry.add("jane austen", aliases=["MISS AUSTEN", "A Lady"], kind="person", keywords=["Persuasion"])
    listed = registry.list()
    assert len(listed) == 1
    assert listed[0] == merged
    assert merged.name == "Jane Austen"
    assert merged.aliases == ("Miss Austen", "A Lady")
    assert merged.keywords == ("Emma", "Persuasion")
    assert merged.kind == "person"


def test_duplicate_through_alias_merges_into_existing(registry: TargetRegistry) -> None:
    registry.add("Samuel Clemens", aliases=["Mark Twain"])
    merged = registry.add("Mark Twain", aliases=["Twain"])
    assert [t.id for t in registry.list()] == ["samuel-clemens"]
    assert merged.id == "samuel-clemens"
    assert merged.aliases == ("Mark Twain", "Twain")
    assert registry.get("Twain").id == "samuel-clemens"


def test_duplicate_with_explicit_other_id_merges(registry: TargetRegistry) -> None:
    registry.add("Jane Austen")
    registry.add(Target("Jane Austen", id="ja-2", aliases=("Miss Austen",)))
    assert [(t.id, t.aliases) for t in registry.list()] == [("jane-austen", ("Miss Austen",))]


def test_distinct_names_are_not_merged(registry: TargetRegistry) -> None:
    registry.add("Jane Austen")
    registry.add("Jane Eyre")
    registry.add("Austen")
    assert names(registry) == ["Austen", "Jane Austen", "Jane Eyre"]


# -- tenants --------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [("acme", "globex"), ("a_c", "abc"), ("t", "t2")])
def test_tenants_are_separate(store: BaseStore, a: str, b: str) -> None:
    reg_a, reg_b = TargetRegistry(store, tenant=a), TargetRegistry(store, tenant=b)
    reg_a.add("Jane Austen", aliases=["Miss Austen"])
    reg_b.add("Leo Tolstoy")
    assert names(reg_a) == ["Jane Austen"]
    assert names(reg_b) == ["Leo Tolstoy"]
    assert reg_b.get("Jane Austen") is None and reg_b.get("jane-austen") is None
    assert reg_b.remove("Miss Austen") is None
    assert reg_a.get("Miss Austen") is not None
    # the same name in both tenants: two independent targets
    reg_b.add("Jane Austen", aliases=["A Lady"])
    assert reg_a.get("Jane Austen").aliases == ("Miss Austen",)
    assert reg_b.get("Jane Austen").aliases == ("A Lady",)
    reg_a.remove("Jane Austen")
    assert reg_a.list() == []
    assert names(reg_b) == ["Jane Austen", "Leo Tolstoy"]
    assert TargetRegistry(store).list() == []  # default tenant untouched


# -- add_many -------------------------------------------------------------------------


def test_add_many_stores_all_and_merges(registry: TargetRegistry) -> None:
    added = registry.add_many(
        ["Jane Austen", {"name": "Leo Tolstoy", "kind": "person"}, {"name": "jane austen", "aliases": ["Miss Austen"]}]
    )
    assert {t.id for t in added} == {"jane-austen", "leo-tolstoy"}
    assert names(registry) == ["Jane Austen", "Leo Tolstoy"]
    assert registry.get("Jane Austen").aliases == ("Miss Austen",)


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("", "name"),
        ("?!", "no letters or digits"),
        ({"name": "Mark Rothko", "kind": "painter"}, "painter"),
        ({"name": "Mark Rothko", "style": "color field"}, "style"),
        ({"name": "Mark Rothko", "aliases": [1, 2]}, "aliases"),
        ({"aliases": ["Rothko"]}, "name"),
        (42, "int"),
    ],
)
def test_add_many_with_one_bad_entry_stores_nothing(
    registry: TargetRegistry, store: BaseStore, bad: Any, fragment: str
) -> None:
    with pytest.raises(InvalidTargetError, match=fragment):
        registry.add_many(["Jane Austen", {"name": "Leo Tolstoy"}, bad, "Emily Bronte"])
    assert registry.list() == []
    assert store.get(NS, "jane-austen") is None


# -- values written by other clients --------------------------------------------------


def test_lenient_parse_of_stored_value(registry: TargetRegistry, store: BaseStore) -> None:
    store.put(
        NS,
        "frida-kahlo",
        {"name": "Frida Kahlo", "kind": "painter", "aliases": ["Frida"], "added_by": "ui-v2"},
        index=False,
    )
    registry.add("Jane Austen")
    listed = {t.id: t for t in registry.list()}
    assert set(listed) == {"frida-kahlo", "jane-austen"}
    assert listed["frida-kahlo"].kind == "other"
    assert listed["frida-kahlo"].aliases == ("Frida",)
    assert registry.get("Frida").id == "frida-kahlo"
    assert registry.get("frida-kahlo").name == "Frida Kahlo"
    assert registry.remove("Frida Kahlo").id == "frida-kahlo"
    assert store.get(NS, "frida-kahlo") is None


def test_stored_value_without_id_uses_key(registry: TargetRegistry, store: BaseStore) -> None:
    store.put(NS, "custom-key", {"name": "Frida Kahlo"}, index=False)
    assert registry.get("Frida Kahlo").id == "custom-key"
    merged = registry.add("Frida Kahlo", aliases=["Frida"])
    assert merged.id == "custom-key"
    assert [(t.id, t.aliases) for t in registry.list()] == [("custom-key", ("Frida",))]


def test_unparseable_stored_values_are_skipped(registry: TargetRegistry, store: BaseStore) -> None:
    store.put(NS, "no-name", {"aliases": ["x"]}, index=False)
    store.put(NS, "bad-aliases", {"name": "Bad Aliases", "aliases": 5}, index=False)
    store.put(NS, "punct", {"name": "!!!"}, index=False)
    registry.add("Jane Austen")
    assert names(registry) == ["Jane Austen"]
    assert registry.get("no-name") is None


def test_deeper_namespace_items_not_listed(registry: TargetRegistry, store: BaseStore) -> None:
    store.put(NS + ("archive",), "old", {"name": "Old Target"}, index=False)
    store.put(("alu", "default"), "cfg", {"name": "Not A Target"}, index=False)
    registry.add("Jane Austen")
    assert names(registry) == ["Jane Austen"]


def test_remove_value_whose_id_differs_from_key(registry: TargetRegistry, store: BaseStore) -> None:
    store.put(NS, "k1", {"name": "Frida Kahlo", "id": "frida"}, index=False)
    removed = registry.remove("Frida Kahlo")
    assert removed is not None
    assert registry.get("Frida Kahlo") is None
    assert registry.list() == []


def test_list_pages_through_more_than_one_page(registry: TargetRegistry, store: BaseStore) -> None:
    n = 2_345
    store.batch([PutOp(NS, f"t{i}", {"name": f"Target Number {i}"}, index=False) for i in range(n)])
    listed = registry.list()
    assert len(listed) == n
    assert {t.id for t in listed} == {f"t{i}" for i in range(n)}


def test_sqlite_registry_persists_across_connections(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    with SqliteStore.from_conn_string(path) as s1:
        s1.setup()
        TargetRegistry(s1, tenant="acme").add("Jane Austen", aliases=["Miss Austen"])
    with SqliteStore.from_conn_string(path) as s2:
        s2.setup()
        got = TargetRegistry(s2, tenant="acme").get("miss austen")
        assert got is not None and got.name == "Jane Austen"
        assert TargetRegistry(s2).list() == []
