"""Target enrichment (alu.nodes.enrich) with a scripted chat model (not a real model): one
structured call per added target, its proposal checked before it is stored, nothing
stored when the call fails, and the CLI's ``--enrich``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted

from alu.graph.models import ModelOutputError
from alu.nodes.enrich import Enrichment, EnrichmentError, merge_proposal, propose
from alu.shortlist import shortlist
from alu.targets import VERSION_KEY, Target, TargetRegistry, meta_namespace

AUSTEN_PROPOSAL = {
    "aliases": ["J. Austen", "Jane Austen", "Austen", "A Lady", "Miss Austen"],
    "keywords": ["Pride and Prejudice", "Emma", "Mr Darcy", "the", "Cassandra Austen"],
}


def test_add_with_enrich_makes_one_tagged_call_and_stores_the_checked_proposal() -> None:
    model = scripted(enrich=AUSTEN_PROPOSAL)
    store = InMemoryStore()
    registry = TargetRegistry(store)
    target = registry.add("Jane Austen", kind="person", description="English novelist", enrich=True, model=model)
    assert model.calls == ["enrich"]  # one call, tagged alu:enrich
    system, user = (m.content for m in model.messages_of("enrich")[0])
    assert "aliases" in system and "keywords" in system
    assert "Subject: Jane Austen" in user and "English novelist" in user
    # aliases that share a name word stay aliases; the bare surname and the name itself are
    # dropped; "A Lady" (no name word) becomes a keyword; stopword-only keywords are dropped
    assert target.aliases == ("J. Austen", "Miss Austen")
    assert target.keywords == ("A Lady", "Pride and Prejudice", "Emma", "Mr Darcy", "Cassandra Austen")
    assert registry.get("jane-austen") == target
    found = shortlist("Who wrote Emma?", store=store, tenant="default")
    assert [(m.target_id, m.kind) for m in found.candidates] == [("jane-austen", "keyword")]
    assert [m.target_id for m in shortlist("J. Austen", store=store, tenant="default").direct] == ["jane-austen"]


def test_enrichment_never_takes_another_targets_name() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Cassandra Austen")
    model = scripted(enrich={"aliases": ["Cassandra Austen", "Jane A. Austen"], "keywords": []})
    target = registry.add("Jane Austen", enrich=True, model=model)
    assert target.aliases == ("Jane A. Austen",)
    assert {t.id for t in registry.list()} == {"jane-austen", "cassandra-austen"}  # not merged
    assert registry.get("Cassandra Austen").id == "cassandra-austen"


def test_enrichment_merges_into_an_existing_target() -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Jane Austen", keywords=["Persuasion"])
    target = registry.add("jane austen", enrich=True, model=scripted(enrich={"aliases": [], "keywords": ["Emma"]}))
    assert target.id == "jane-austen" and target.keywords == ("Persuasion", "Emma")
    assert [t.keywords for t in registry.list()] == [("Persuasion", "Emma")]


@pytest.mark.parametrize(
    "fault",
    [ModelOutputError("bad"), ConnectionError("unreachable"), "not a tool call"],
)
def test_failed_enrichment_stores_nothing(fault) -> None:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    with pytest.raises(EnrichmentError, match="Jane Austen"):
        registry.add("Jane Austen", enrich=True, model=scripted(enrich=fault))
    assert registry.list() == []
    assert store.get(meta_namespace(), VERSION_KEY) is None


def test_add_many_with_enrich_calls_once_per_target_and_is_all_or_nothing() -> None:
    proposals = [{"aliases": [], "keywords": ["Emma"]}, {"aliases": [], "keywords": ["War and Peace"]}]
    model = scripted(enrich=proposals)
    registry = TargetRegistry(InMemoryStore())
    added = registry.add_many(["Jane Austen", "Leo Tolstoy"], enrich=True, model=model)
    assert model.calls == ["enrich", "enrich"]
    assert [t.keywords for t in added] == [("Emma",), ("War and Peace",)]
    failing = scripted(enrich=[{"aliases": [], "keywords": ["x y"]}, ModelOutputError("bad")])
    with pytest.raises(EnrichmentError):
        registry.add_many(["Mark Twain", "Emily Bronte"], enrich=True, model=failing)
    assert sorted(t.name for t in registry.list()) == ["Jane Austen", "Leo Tolstoy"]


def test_overlong_proposals_are_bounded_not_rejected() -> None:
    proposal = Enrichment(
        aliases=[f"Jane Austen {i}" for i in range(30)] + [None],  # type: ignore[list-item]
        keywords=["x" * 200] + [f"Novel Number {i}" for i in range(40)],
    )
    assert len(proposal.aliases) == 10 and len(proposal.keywords) == 20
    assert all(len(k) <= 80 for k in proposal.keywords)
    schema = Enrichment.model_json_schema()
    assert schema["properties"]["aliases"]["maxItems"] == 10
    assert schema["properties"]["keywords"]["maxItems"] == 20


def test_merge_keeps_what_is_known_and_drops_duplicates() -> None:
    base = Target("Samuel Clemens", aliases=("Mark Twain",), keywords=("Tom Sawyer",))
    merged = merge_proposal(
        base,
        Enrichment(aliases=["MARK TWAIN", "Sam Clemens", "Clemens"], keywords=["tom sawyer", "Huckleberry Finn"]),
    )
    assert merged.aliases == ("Mark Twain", "Sam Clemens")
    assert merged.keywords == ("Tom Sawyer", "Huckleberry Finn")
    assert (merged.id, merged.created_at) == (base.id, base.created_at)


def test_propose_uses_the_configured_structured_output_method() -> None:
    from alu.graph.context import Context

    model = scripted(enrich={"aliases": ["J. Austen"], "keywords": []})
    proposal, record = propose(
        Target("Jane Austen"), model=model, context=Context(structured_output_method="function_calling")
    )
    assert proposal.aliases == ["J. Austen"] and record["agent"] == "enrich"


def test_cli_targets_add_enrich(tmp_path: Path, monkeypatch, capsys) -> None:
    import alu.cli
    import alu.nodes.enrich
    from alu.graph.context import Context

    model = scripted(enrich=[AUSTEN_PROPOSAL, ModelOutputError("bad")])
    monkeypatch.setattr(alu.cli, "_configure_model", lambda args: None)  # no local server
    monkeypatch.setattr(alu.nodes.enrich, "_resolve", lambda m, c: (model, "scripted", Context()))
    store = str(tmp_path / "t.sqlite")
    code = alu.cli.main(["targets", "add", "Jane Austen", "--enrich", "--json", "--store", store])
    assert code == 0
    [stored] = json.loads(capsys.readouterr().out)
    assert stored["aliases"] == ["J. Austen", "Miss Austen"] and "Pride and Prejudice" in stored["keywords"]
    code = alu.cli.main(["targets", "add", "Leo Tolstoy", "--enrich", "--store", store])
    assert code == 1
    assert "nothing was stored" in capsys.readouterr().err
    alu.cli.main(["targets", "list", "--json", "--store", store])
    assert [t["name"] for t in json.loads(capsys.readouterr().out)] == ["Jane Austen"]
