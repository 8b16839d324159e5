"""Target enrichment against the real bundled model (SmolLM2-135M through llama.cpp's
OpenAI-compatible server): the one structured call parses and the target is stored.
What a 135M model proposes is not judged here; only that the path works for real."""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore

from alu.targets import TargetRegistry

pytestmark = pytest.mark.slow


def test_enrichment_on_the_real_model_parses_and_stores_the_target(local_env):
    registry = TargetRegistry(InMemoryStore())
    # add() raises EnrichmentError (and stores nothing) unless the reply parsed
    stored = registry.add("Jane Austen", kind="person", description="English novelist", enrich=True)
    assert registry.get("Jane Austen") == stored
    assert stored.id == "jane-austen" and stored.kind == "person"
    assert len(stored.aliases) <= 10 and len(stored.keywords) <= 20
    assert all(isinstance(k, str) and k for k in (*stored.aliases, *stored.keywords))


def test_topic_enrichment_on_the_real_model_parses_and_keeps_the_given_examples(local_env):
    """A topic's one call (sub-topics, keywords, example questions) parses on the bundled
    model; what it proposes is bounded and the examples given at registration are kept."""
    registry = TargetRegistry(InMemoryStore())
    given = ["How could a pathogen be made more transmissible?"]
    stored = registry.add(
        "Biological weapons", kind="topic", description="Weapons made from pathogens and toxins.",
        examples=given, enrich=True,
    )  # fmt: skip
    assert registry.get("Biological weapons") == stored and stored.kind == "topic"
    assert stored.examples[: len(given)] == tuple(given)
    assert len(stored.examples) <= len(given) + 12 and len(stored.keywords) <= 20 + 12
    assert all(isinstance(x, str) and x and len(x) <= 300 for x in stored.examples)
