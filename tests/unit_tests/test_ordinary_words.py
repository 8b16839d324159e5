"""Targets that cannot be told from ordinary words ("the", "I", "42") are refused at
registration unless opted in; such targets already stored keep being honoured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langgraph.store.base import PutOp
from langgraph.store.memory import InMemoryStore

from alu.cli import main
from alu.domain import ordinary_word_reason
from alu.registry.cache import INDEX_CACHE
from alu.targets import InvalidTargetError, OrdinaryWordError, Target, TargetRegistry

NS = ("alu", "default", "targets")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a", "has two letters or fewer"),
        ("I", "has two letters or fewer"),
        ("AI", "has two letters or fewer"),
        ("J. K.", "has two letters or fewer"),
        ("李", "has two letters or fewer"),  # one character of a script without spaces
        ("김", "has two letters or fewer"),
        ("the", "is only common words"),
        ("The Who", "is only common words"),
        ("The 42", "is only common words"),
        ("1984 (novel)", "is only common words"),
        ("7", "is a number alone"),
        ("42", "is a number alone"),
        ("1984", "is a number alone"),
        ("3.14", "is a number alone"),
        ("٤٢٠", "is a number alone"),  # Arabic-Indic digits are numbers too
        ("?!", "has no letters or digits"),
    ],
)
def test_ordinary_words_are_named_with_a_reason_that_does_not_quote_them(name: str, reason: str) -> None:
    got = ordinary_word_reason(name)
    assert got == reason
    assert name.casefold() not in got.casefold().split()


@pytest.mark.parametrize(
    "name",
    ["Jane Austen", "Bob", "Zoë", "Area 51", "Apollo 11", "Catch-22", "Orwell 1984", "東京", "李白", "Пушкин", "Theo"],
)
def test_names_are_fine(name: str) -> None:
    assert ordinary_word_reason(name) is None


def test_registration_refuses_an_ordinary_word_and_stores_nothing() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    with pytest.raises(OrdinaryWordError) as caught:
        registry.add("the")
    message = str(caught.value)
    assert "is only common words" in message and "allow_ordinary_word" in message
    assert "--allow-ordinary-word" in message and "Nothing was stored" in message
    assert isinstance(caught.value, InvalidTargetError)  # the CLI's usage error
    with pytest.raises(OrdinaryWordError, match="alias 1 has two letters or fewer"):
        registry.add("Jane Austen", aliases=["JA"])
    assert registry.list() == []
    assert store.search(NS) == []


def test_add_many_names_the_entry_and_writes_nothing() -> None:
    registry = TargetRegistry(InMemoryStore())
    with pytest.raises(OrdinaryWordError, match=r"entry 2: the name is a number alone"):
        registry.add_many(["Jane Austen", "42"])
    assert registry.list() == []


def test_opt_in_is_accepted_and_recorded() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    kept = registry.add("42", allow_ordinary_word=True)
    assert kept.allow_ordinary_word
    assert store.get(NS, kept.id).value["allow_ordinary_word"] is True
    assert registry.get("42").allow_ordinary_word
    with pytest.raises(OrdinaryWordError, match="entry 1"):
        registry.add_many(["The Who", {"name": "1984", "allow_ordinary_word": True}])
    added = registry.add_many([{"name": "1984", "allow_ordinary_word": True}])
    assert [t.allow_ordinary_word for t in added] == [True]
    added = registry.add_many(["The Who", "U2"], allow_ordinary_word=True)
    assert {t.name for t in added} == {"The Who", "U2"}
    # A target without the opt-in keeps 0.1.0's item shape.
    plain = registry.add("Jane Austen")
    assert "allow_ordinary_word" not in store.get(NS, plain.id).value
    with pytest.raises(InvalidTargetError, match="true or false"):
        Target.parse({"name": "x y z", "allow_ordinary_word": "yes"})


def test_a_stored_ordinary_target_keeps_being_honoured() -> None:
    """Stored before the rule (written as 0.1.0 did): read, matched, and merged into."""
    store = InMemoryStore()
    store.batch([PutOp(NS, "42", {"name": "42", "aliases": [], "kind": "other"})])
    registry = TargetRegistry(store)
    assert [t.name for t in registry.list()] == ["42"]
    with INDEX_CACHE.synced(store, "default") as index:
        assert index is not None
        assert {m.target_id for m in index.find("The answer is 42.") if m.direct} == {"42"}
    # Re-registering it, or adding a fuller alias, is not refused: its own name is stored.
    merged = registry.add("42", aliases=["Forty-Two (band)"])
    assert merged.id == "42" and "Forty-Two (band)" in merged.aliases
    assert registry.add_many(["42"])[0].id == "42"
    # A new ordinary alias still needs the opt-in.
    with pytest.raises(OrdinaryWordError, match="alias"):
        registry.add("42", aliases=["the"])


def test_enrichment_keeps_the_opt_in_and_examples() -> None:
    from alu.nodes.enrich import Enrichment, merge_proposal

    target = Target(name="1984", allow_ordinary_word=True, examples=("a novel of surveillance",))
    out = merge_proposal(target, Enrichment(aliases=["Nineteen Eighty-Four"], keywords=[]))
    assert out.allow_ordinary_word and out.examples == target.examples


def test_cli_refuses_without_the_flag_and_accepts_with_it(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    store = str(tmp_path / "t.db")
    assert main(["targets", "add", "the", "--store", store]) == 2
    err = capsys.readouterr().err
    assert "is only common words" in err and "--allow-ordinary-word" in err
    assert main(["targets", "add", "the", "--store", store, "--allow-ordinary-word"]) == 0
    entries = tmp_path / "t.json"
    entries.write_text(json.dumps(["42", "Jane Austen"]))
    assert main(["targets", "import", str(entries), "--store", store]) == 2
    assert "entry 1" in capsys.readouterr().err
    assert main(["targets", "import", str(entries), "--store", store, "--allow-ordinary-word"]) == 0
    assert main(["targets", "list", "--store", store, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(t["name"] for t in listed) == ["42", "Jane Austen", "the"]


def test_the_server_store_path_refuses_an_ordinary_target_item_unless_opted_in() -> None:
    """The auth handler's check of an HTTP ``put`` (the handler itself, no server: the
    server test covers the wire)."""
    from langgraph_sdk import Auth

    from alu.server.auth import _refuse_ordinary_words

    with pytest.raises(Auth.exceptions.HTTPException) as caught:
        _refuse_ordinary_words(NS, {"name": "the", "aliases": []})
    assert caught.value.status_code == 422 and "allow_ordinary_word" in str(caught.value.detail)
    with pytest.raises(Auth.exceptions.HTTPException, match="alias 1"):
        _refuse_ordinary_words(("alu", "default", "parts", "jane-austen"), {"aliases": ["I"], "keywords": []})
    _refuse_ordinary_words(NS, {"name": "the", "allow_ordinary_word": True})
    _refuse_ordinary_words(NS, {"name": "Jane Austen", "aliases": ["Miss Austen"]})
    _refuse_ordinary_words(("alu", "default", "meta"), {"version": 3})
    _refuse_ordinary_words(NS, {"version": 3})  # not a target item
