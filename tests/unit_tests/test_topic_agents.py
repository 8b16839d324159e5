"""Topic-aware agents (issue 15) with the scripted chat model and the deterministic fake
concept embedding of test_semantic.py (neither is a real model: the bundled model runs
topic enrichment in tests/integration_tests/test_enrich_local.py). For a topic the eraser
and critic get the topic prompts; a merged answer that still scores as the topic never
leaves; enrichment proposes a topic's sub-topics, keywords and example questions in one
call."""

from __future__ import annotations

from langgraph.store.memory import InMemoryStore
from scripted_model import scripted
from test_semantic import FakeConceptEmbeddings
from test_semantic_graph import BIO, HAZARD, SAFE_REWRITE, model, run

from alu import TargetRegistry, create_alu_graph
from alu.prompts import load


def _store(**target) -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Biological weapons", **{**BIO, **target})
    return store


def test_fake_model_topic_flag_gives_the_eraser_and_critic_their_topic_prompts():
    m = model()
    out = run(create_alu_graph(m, store=_store(), embeddings=FakeConceptEmbeddings()), HAZARD)
    assert out["audit"]["decision"] == "rewritten"
    eraser_system, eraser_user = (x.content for x in m.messages_of("eraser")[0])
    assert eraser_system == load("eraser_topic_system") and "safe and general" in eraser_system
    assert "[topic: Growing bacillus spores" in eraser_user  # the description says what is hazardous
    critic_system = m.messages_of("critic")[0][0].content
    assert critic_system == load("critic_topic_system") and "hazardous detail" in critic_system


def test_fake_model_a_person_keeps_the_plain_prompts():
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Doe", kind="person")
    m = model(vanilla="Jane Doe wrote it.")
    out = run(create_alu_graph(m, store=store, embeddings=FakeConceptEmbeddings()), "Who wrote the book?")
    assert out["audit"]["decision"] == "rewritten"
    assert m.messages_of("eraser")[0][0].content == load("eraser_system")
    assert m.messages_of("critic")[0][0].content == load("critic_system")


def test_fake_model_a_merged_answer_that_still_scores_as_the_topic_never_leaves():
    """The deterministic last line: the composer's merge re-checked by the semantic stage."""
    leaky_merge = "Cultivate the bacillus until sporulation and weaponise the spores."
    m = model(composer=leaky_merge)
    graph = create_alu_graph(m, store=_store(), embeddings=FakeConceptEmbeddings())
    out = run(graph, HAZARD, merge=True, k=2, j=2)
    assert "composer" in m.calls  # the merge ran
    assert out["answer"] == SAFE_REWRITE and out["audit"]["decision"] == "rewritten"
    # every rewrite still scoring as the topic: refused, whatever the critic model said
    m = model(eraser=leaky_merge, composer=leaky_merge, critic={"rating": 5, "reason": "fine"})
    out = run(create_alu_graph(m, store=_store(), embeddings=FakeConceptEmbeddings()), HAZARD, merge=True, k=2, j=2)
    assert out["audit"]["decision"] == "refused" and leaky_merge not in out["answer"]


def test_fake_model_topic_enrichment_adds_subtopics_and_example_questions_in_one_call():
    proposal = {
        "aliases": ["Bioweapons"],
        "keywords": ["anthrax", "toxin production"],
        "subtopics": ["pathogen enhancement", "aerosol dissemination"],
        "example_questions": ["How could a pathogen be made more transmissible?", "the", "How could a pathogen be made more transmissible?"],
    }  # fmt: skip
    m = scripted(enrich=proposal)
    registry = TargetRegistry(InMemoryStore())
    stored = registry.add("Biological weapons", kind="topic", description="Weapons made from pathogens.",
                          examples=["How is anthrax grown?"], enrich=True, model=m)  # fmt: skip
    assert m.calls == ["enrich"]
    assert m.messages_of("enrich")[0][0].content == load("enrich_topic_system")
    assert "pathogen enhancement" in stored.keywords and "aerosol dissemination" in stored.keywords
    assert stored.examples == ("How is anthrax grown?", "How could a pathogen be made more transmissible?")
    assert registry.get("Biological weapons") == stored


def test_fake_model_enriching_a_person_keeps_its_examples_and_the_plain_schema():
    m = scripted(enrich={"aliases": [], "keywords": ["Emma"]})
    stored = TargetRegistry(InMemoryStore()).add("Jane Austen", kind="person", examples=["Who wrote Emma?"],
                                                 enrich=True, model=m)  # fmt: skip
    assert stored.examples == ("Who wrote Emma?",) and stored.keywords == ("Emma",)
    assert m.messages_of("enrich")[0][0].content == load("enrich_system")


def test_a_topic_with_keywords_keeps_its_examples_when_loaded():
    """Regression: loading a target whose parts add keywords dropped its examples, so a
    topic registered with keywords and examples reached the semantic stage zero-shot."""
    registry = TargetRegistry(InMemoryStore())
    registry.add("Biological weapons", kind="topic", keywords=["anthrax"], examples=["How is anthrax grown?"])
    registry.add("Biological weapons", kind="topic", keywords=["sporulation"])
    stored = registry.get("Biological weapons")
    assert stored is not None and stored.examples == ("How is anthrax grown?",)
    assert set(stored.keywords) == {"anthrax", "sporulation"}
    (listed,) = registry.list()
    assert listed.examples == ("How is anthrax grown?",)
