"""The operator's allow-list (``Context.allow_phrases``, :mod:`alu.graph.allow`).

The detection tests use the real registry and matcher. The graph tests use a scripted
chat model (routing and state logic only: which agents are called, what is decided).
"""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted

from alu import Context, InvalidContextError, TargetRegistry, create_alu_graph
from alu.graph.allow import mask_allowed, read_exchange_allowed
from alu.graph.policy import tighten


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Marcel Garcia", kind="person")
    registry.add("Jane Austen", aliases=["J. Austen"], keywords=["Pride and Prejudice"])
    registry.add("Emma Watson")
    return store


def found(store, text, allow=()):
    shortlist, _, _ = read_exchange_allowed(text, "", store=store, tenant="default", allow=allow)
    return {m.target_id for m in shortlist.direct}, {m.target_id for m in shortlist.candidates}


def test_mask_is_whole_words_case_and_spacing_folded():
    assert "Marcelo" not in mask_allowed("the MARCELO   garcia show", ["Marcelo Garcia"])
    assert mask_allowed("Marcelogarcia", ["Marcelo Garcia"]) == "Marcelogarcia"
    assert mask_allowed("nothing here", []) == "nothing here"


def test_an_allow_listed_near_miss_is_not_flagged(store):
    direct, _ = found(store, "Marcelo Garcia won the race in Madrid.")
    assert direct, "the near-miss is a direct (typo) flag without the allow-list"
    direct, candidates = found(store, "Marcelo Garcia won the race in Madrid.", ["Marcelo Garcia"])
    assert not direct and not candidates


def test_an_allow_listed_keyword_phrase_sends_nothing_to_the_judge(store):
    _, candidates = found(store, "Is the Pride and Prejudice ballet on tonight?")
    assert candidates
    direct, candidates = found(store, "Is the Pride and Prejudice ballet on tonight?", ["Pride and Prejudice ballet"])
    assert not direct and not candidates


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("The Jane Austen Society meets on Sunday.", "Jane Austen Society"),  # the name inside the phrase
        ("A talk on J. Austen Society history.", "J. Austen Society"),  # an alias inside it
        ("Emma Watson and Crick, a sketch.", "Watson and Crick"),  # a phrase overlapping the name
        ("Jane Austen", "Jane Austen"),  # the name itself listed
        ("J a n e  A u s t e n wrote it", "J a n e  A u s t e n wrote it"),  # a hidden form listed
    ],
)
def test_an_allow_listed_phrase_never_lets_a_registered_name_through(store, text, phrase):
    direct, _ = found(store, text, [phrase])
    assert direct & {TargetRegistry(store).get("Jane Austen").id, TargetRegistry(store).get("Emma Watson").id}


def test_graph_passes_an_allow_listed_phrase_without_a_judge_call(store):
    """Scripted model: the allow-listed near-miss is answered with the vanilla call only."""
    answer = "Marcelo Garcia won the race."
    without = scripted(vanilla=answer, auditor={"referenced": []}, eraser="x", critic={"rating": 1, "reason": "-"})
    out = create_alu_graph(without, store=store).invoke({"query": "Who won?"}, context=Context(k=1))
    assert out["audit"]["decision"] != "passthrough"
    model = scripted(vanilla=answer, auditor={"referenced": []})
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who won?"}, context=Context(allow_phrases=("Marcelo Garcia",))
    )
    assert out["audit"]["decision"] == "passthrough" and out["answer"] == answer
    assert model.calls == ["vanilla"]


def test_graph_still_refuses_a_target_named_inside_an_allow_listed_phrase(store):
    """Scripted model: the question names the target inside the phrase; it is flagged."""
    model = scripted(eraser="Jane Austen Society", critic={"rating": 5, "reason": "fine"})
    out = create_alu_graph(model, store=store).invoke(
        {"query": "When does the Jane Austen Society meet?"},
        context=Context(k=1, allow_phrases=("Jane Austen Society",)),
    )
    assert out["audit"]["decision"] == "refused"
    assert "Austen" not in out["answer"]


def test_a_server_caller_cannot_change_the_allow_list():
    base = Context(allow_phrases=("Marcelo Garcia",))
    with pytest.raises(InvalidContextError, match="allow_phrases is set by the operator"):
        tighten(base, {"allow_phrases": ["Marcelo Garcia", "Jane Austen"]})
    assert tighten(base, {"allow_phrases": ["Marcelo Garcia"]}) is base  # repeating it is fine


@pytest.mark.parametrize("value", [["ab"], "Marcelo Garcia", [1], ["x" * 201]])
def test_bad_allow_lists_are_rejected_with_a_clear_message(value):
    with pytest.raises(InvalidContextError, match="allow_phrases must be a list"):
        Context(allow_phrases=value)


def test_allow_list_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALU_ALLOW_PHRASES", '["Marcelo Garcia", "Paris Hilton Hotel"]')
    assert Context().allow_phrases == ("Marcelo Garcia", "Paris Hilton Hotel")
    monkeypatch.setenv("ALU_ALLOW_PHRASES", "Marcelo Garcia | Paris Hilton Hotel")
    assert Context().allow_phrases == ("Marcelo Garcia", "Paris Hilton Hotel")
    monkeypatch.setenv("ALU_ALLOW_PHRASES", "[oops")
    with pytest.raises(InvalidContextError, match="ALU_ALLOW_PHRASES"):
        Context()
