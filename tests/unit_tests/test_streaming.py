"""What a streaming caller can see, in every stream mode (scripted chat models: this tests
the graph's state and streaming logic; tests/integration_tests/test_server.py checks the
same over LangGraph server with the real bundled model)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted

from alu import TargetRegistry, create_alu_graph
from alu.graph.sealed import SealError, seal, unseal

DRAFT = "Pride and Prejudice was written by Jane Austen, who lived in Chawton."
REWRITES = ["Pride and Prejudice is a novel from 1813.", "The novel appeared in 1813 (Jane Austen)."]
ALL_MODES = ["values", "updates", "messages", "custom", "debug", "tasks", "checkpoints"]


def _dump(value) -> str:
    return json.dumps(value, default=lambda o: getattr(o, "content", None) or repr(o))


@pytest.mark.parametrize("chat", [False, True])
def test_no_stream_mode_shows_the_draft_or_the_rewrites(chat):
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    model = scripted(
        vanilla=DRAFT,
        eraser=list(REWRITES),
        critic={"rating": 5, "reason": "mentions Chawton? no"},
        composer="unused",
    )
    graph = create_alu_graph(model, store=store)
    payload = {"messages": [HumanMessage("Who wrote it?")]} if chat else {"query": "Who wrote it?"}
    seen = []
    context = {"k": 2, "j": 2, "threshold": 3.0}
    for mode, chunk in graph.stream(payload, context=context, stream_mode=ALL_MODES):
        seen.append((mode, _dump(chunk)))
    assert {m for m, _ in seen} >= {"values", "updates", "debug", "tasks"}
    text = "\n".join(d for _, d in seen)
    assert "Chawton" not in text, "the draft leaked into a stream"
    assert "Austen" not in text.replace('"name": "Jane Austen"', ""), "a rewrite or the draft leaked"
    assert "1813 (Jane" not in text  # the rewrite rated 1 never shows
    final = [d for m, d in seen if m == "values"][-1]
    assert REWRITES[0] in final  # the answer itself is what streams


def test_sealed_values_round_trip_and_refuse_foreign_tokens():
    token = seal("secret draft")
    assert "secret" not in token and unseal(token) == "secret draft"
    with pytest.raises(SealError):
        unseal("secret draft")
    with pytest.raises(SealError):
        unseal(token[:-4] + "AAAA")
