"""What a caller sees of a run never names a target nor quotes a model: the audit record
(caller and operator views), the error record, thread state and every stream mode.
Scripted chat models (tests/scripted_model.py): this tests the record's logic; the same
with a real fault server whose 500 body quotes the target is in
tests/integration_tests/test_faults.py."""

from __future__ import annotations

import json
import uuid

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import MemorySaver
from langgraph.store.memory import InMemoryStore
from test_threads import thread_model

from alu import Context, TargetRegistry, create_alu_graph
from alu.nodes.audit import ERROR_DESCRIPTIONS

SECRETS = ("Jane", "Austen", "jane-austen", "J. Austen")
ALL_MODES = ["values", "updates", "messages", "custom", "debug", "tasks", "checkpoints"]


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"], keywords=["Emma"])
    return store


def _dump(value) -> str:
    return json.dumps(value, default=lambda o: getattr(o, "content", None) or repr(o))


def _names_nothing(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_callers_audit_record_names_no_target(store):
    graph = create_alu_graph(thread_model(), store=store)
    first = graph.invoke({"query": "Who wrote Pride and Prejudice?"})
    second = graph.invoke({"query": "Who wrote Pride and Prejudice?"})
    assert first["audit"]["decision"] == "rewritten" and first["audit"]["version"] == 2
    _names_nothing(_dump(first["audit"]))
    (flag,) = first["audit"]["flagged"]
    assert set(flag) == {"ref", "source"} and flag["source"] == "match"
    # references are drawn per run: the same target in two runs cannot be linked or guessed
    assert flag["ref"] != second["audit"]["flagged"][0]["ref"]


def test_the_operators_view_says_who_and_why(store):
    graph = create_alu_graph(thread_model(), store=store)
    out = graph.invoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(audit_view="operator"))
    (flag,) = out["audit"]["flagged"]
    assert flag["id"] == "jane-austen" and flag["name"] == "Jane Austen" and flag["aliases"] == ["J. Austen"]
    assert flag["evidence"] and flag["source"] == "match"


def test_a_caller_on_a_server_cannot_ask_for_the_operators_view(store):
    from alu import InvalidContextError

    graph = create_alu_graph(thread_model(), store=store)
    config = {"configurable": {"langgraph_request_id": "r", "audit_view": "operator"}}
    with pytest.raises(InvalidContextError, match="audit_view is set by the operator"):
        graph.invoke({"query": "Who wrote it?"}, config, context={"audit_view": "operator"})


def test_thread_state_and_every_stream_mode_hold_no_targets_name(store):
    graph = create_alu_graph(
        thread_model(vanilla="Emma was written by Jane Austen."), store=store, checkpointer=MemorySaver()
    )
    config = {"configurable": {"thread_id": uuid.uuid4().hex}}
    seen = [
        _dump(chunk)
        for _, chunk in graph.stream({"messages": [HumanMessage("Who wrote Emma?")]}, config, stream_mode=ALL_MODES)
    ]
    _names_nothing("\n".join(seen))
    _names_nothing(_dump(graph.get_state(config).values))
    for snapshot in graph.get_state_history(config):
        _names_nothing(_dump(snapshot.values))
        _names_nothing(_dump([repr(t) for t in snapshot.tasks]))


class QuotingError(RuntimeError):
    """A provider error whose body quotes the generated text (llama.cpp's tool-call parse
    errors do)."""


@pytest.mark.parametrize("stage", ["vanilla", "eraser", "critic", "composer"])
def test_an_error_record_holds_a_fixed_description_never_the_errors_text(store, stage):
    failing = QuotingError("500: failed to parse tool call: Jane Austen wrote Pride and Prejudice")
    model = thread_model(**{stage: failing})
    graph = create_alu_graph(model, store=store, max_attempts=1)
    out = graph.invoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(merge=stage == "composer"))
    error = out["audit"]["error"]
    assert out["audit"]["decision"] == "refused" and error["stage"] == stage
    assert error == {"stage": stage, "type": "QuotingError", "message": "the stage failed"}
    _names_nothing(_dump(out))


def test_known_error_classes_have_their_own_description(store):
    from alu.graph.models import ModelOutputError

    model = thread_model(critic=ModelOutputError("critic: model output does not match Critique: Jane Austen"))
    out = create_alu_graph(model, store=store, max_attempts=1).invoke({"query": "Who wrote Pride and Prejudice?"})
    assert out["audit"]["error"]["message"] == ERROR_DESCRIPTIONS["ModelOutputError"]
    _names_nothing(_dump(out["audit"]))
