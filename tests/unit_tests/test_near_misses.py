"""Near-miss typos, ambiguity-aware: direct while unambiguous, a judge candidate (kind
"near_miss", never nothing) when the changed word is another registered name's word or
two registered targets lie within the bound; the strict checks block any near miss."""

from __future__ import annotations

from langgraph.store.memory import InMemoryStore

from alu.detection import TargetIndex, strict_mentions
from alu.domain import Target
from alu.registry import TargetRegistry, shortlist

JANE = Target("Jane Austen", kind="person")


def kinds(index: TargetIndex, text: str) -> dict[str, str]:
    return {m.target_id: m.kind for m in index.find(text)}


def test_an_unambiguous_typo_is_direct() -> None:
    index = TargetIndex([JANE, Target("Mark Twain")])
    assert kinds(index, "It was Jane Austin.")[JANE.id] == "fuzzy"
    assert kinds(index, "It was JaneAusten.")[JANE.id] in ("fuzzy", "hidden")


def test_a_typo_that_is_another_registered_name_word_goes_to_the_judge() -> None:
    index = TargetIndex([JANE, Target("Austin Powers", kind="person")])
    found = {m.target_id: m for m in index.find("It was Jane Austin.")}
    assert found[JANE.id].kind == "near_miss" and not found[JANE.id].direct
    assert strict_mentions("It was Jane Austin.", [JANE])  # once flagged, it blocks


def test_two_registered_targets_within_the_bound_make_a_near_miss_ambiguous() -> None:
    john, joan = Target("John Smithson", kind="person"), Target("Joan Smithson", kind="person")
    index = TargetIndex([john, joan])
    assert kinds(index, "Then Jon Smithson scored.") == {john.id: "near_miss", joan.id: "near_miss"}
    assert kinds(TargetIndex([john]), "Then Jon Smithson scored.") == {john.id: "fuzzy"}


def test_a_longer_first_name_that_is_a_registered_word_goes_to_the_judge() -> None:
    marcel = Target("Marcel Garcia", kind="person")
    assert kinds(TargetIndex([marcel]), "Then Marcelo Garcia scored.") == {marcel.id: "fuzzy"}
    index = TargetIndex([marcel, Target("Marcelo Rios", kind="person")])
    assert kinds(index, "Then Marcelo Garcia scored.")[marcel.id] == "near_miss"


def test_a_near_miss_is_a_shortlist_candidate_not_nothing() -> None:
    store = InMemoryStore()
    TargetRegistry(store).add_many([JANE.to_value(), {"name": "Austin Powers", "kind": "person"}])
    found = shortlist("It was Jane Austin.", store=store, tenant="default")
    assert JANE.id not in {m.target_id for m in found.direct}
    assert JANE.id in {m.target_id for m in found.candidates}
