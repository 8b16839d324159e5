"""The async path (``ainvoke``/``astream``, what LangGraph server runs), with scripted chat
models that have a native async API (tests/scripted_model.py): routing, deadlines and
fail-closed behaviour are the sync path's, and no model call needs a thread."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted
from test_threads import ANSWERS, answer_for, thread_model

from alu import Context, InvalidInputError, TargetRegistry, create_alu_graph

REFUSAL = Context().refusal
QUESTIONS = [
    ("What is the capital of France?", "passthrough"),
    ("Who wrote Pride and Prejudice?", "rewritten"),
    ("What is the weather like?", "passthrough"),
    ("Who wrote Emma?", "rewritten"),
    ("What is the first name of the author?", "passthrough"),  # a candidate: one judge call
]


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"], keywords=["Pride and Prejudice", "Emma"])
    return store


def test_fifty_concurrent_ainvoke_runs_decide_as_invoke_does(store):
    graph = create_alu_graph(thread_model(), store=store)
    payloads = [{"query": QUESTIONS[i % len(QUESTIONS)][0]} for i in range(50)]
    expected = [graph.invoke(p) for p in payloads[: len(QUESTIONS)]]

    async def run_all():
        return await asyncio.gather(*(graph.ainvoke(p) for p in payloads))

    outs = asyncio.run(run_all())
    for i, out in enumerate(outs):
        want = expected[i % len(QUESTIONS)]
        assert out["audit"]["error"] is None, out["audit"]["error"]
        assert out["audit"]["decision"] == QUESTIONS[i % len(QUESTIONS)][1] == want["audit"]["decision"]
        assert out["answer"] == want["answer"]
        # the composer decides at the first passing rewrite: how many of the others were
        # done by then depends on timing (a rewritten run makes 3 to 11 calls)
        calls, want_calls = out["audit"]["calls"], want["audit"]["calls"]
        assert calls == want_calls if want["audit"]["decision"] == "passthrough" else 3 <= calls <= 11


def test_async_model_calls_run_on_the_event_loop_thread(store):
    model = thread_model()
    graph = create_alu_graph(model, store=store)

    async def run() -> int:
        await graph.ainvoke({"query": "Who wrote Pride and Prejudice?"})
        return threading.get_ident()

    loop_thread = asyncio.run(run())
    assert 3 <= len(model.threads) <= 11  # early exit: the calls done by the first passing rewrite
    assert {kind for kind, _ in model.threads} == {"async"}
    assert {ident for _, ident in model.threads} == {loop_thread}


def test_slow_async_calls_overlap_instead_of_queueing(store):
    """Five rewrites and five critiques that each await 0.2 s: on the event loop they overlap."""
    model = thread_model()
    model.delay_s = 0.2
    graph = create_alu_graph(model, store=store)

    out = asyncio.run(graph.ainvoke({"query": "Who wrote Pride and Prejudice?"}))
    assert out["audit"]["decision"] == "rewritten"
    assert model.max_inflight >= 5  # the five rewrites (then the critiques) were in flight together


def test_async_deadline_refuses_instead_of_waiting(store):
    model = thread_model()
    model.delay_s = 2.0
    graph = create_alu_graph(model, store=store, max_attempts=1)
    out = asyncio.run(graph.ainvoke({"query": "Who wrote it?"}, context=Context(model_timeout=0.1)))
    assert out["answer"] == REFUSAL
    assert out["audit"]["error"] == {
        "stage": "vanilla",
        "type": "ModelDeadlineError",
        "message": out["audit"]["error"]["message"],
    }


@pytest.mark.parametrize("stage", ["vanilla", "auditor", "eraser", "critic", "composer"])
def test_a_failing_stage_on_the_async_path_refuses(store, stage):
    # the judge is asked only about a candidate: a surname alone, for the auditor's case
    draft, question = ("Austen wrote it.", "Who wrote it?") if stage == "auditor" else (ANSWERS["pride"], "Who?")
    model = thread_model(**{"vanilla": draft, stage: ConnectionError("model down")})
    graph = create_alu_graph(model, store=store, max_attempts=2)
    out = asyncio.run(graph.ainvoke({"query": question}, context=Context(merge=stage == "composer")))
    assert out["answer"] == REFUSAL and out["audit"]["decision"] == "refused"
    assert out["audit"]["error"]["stage"] == stage
    assert model.calls.count(stage) >= 2


def test_astream_on_a_thread_answers_each_turn(store):
    graph = create_alu_graph(thread_model(), store=store, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": uuid.uuid4().hex}}

    async def turns() -> list[str]:
        decisions = []
        for question in ["Who wrote Pride and Prejudice?", "What is the capital of France?", "Who wrote Emma?"]:
            final = None
            async for chunk in graph.astream({"messages": [HumanMessage(question)]}, config, stream_mode="values"):
                final = chunk
            decisions.append(final["audit"]["decision"])
        return decisions

    assert asyncio.run(turns()) == ["rewritten", "passthrough", "rewritten"]


def test_bad_input_on_the_async_path_raises_the_clear_error(store):
    model = scripted(vanilla=answer_for)
    with pytest.raises(InvalidInputError, match="empty"):
        asyncio.run(create_alu_graph(model, store=store).ainvoke({"query": "  "}))
    assert model.calls == []


def test_early_exit_cancels_the_rewrites_still_in_flight(store):
    """Scripted models with per-call delays (routing logic): the first rewrite is fast and
    passes, the other two are still being written — their requests are cancelled."""
    model = thread_model()
    model.delays = {"eraser": [0.01, 3.0, 3.0]}
    graph = create_alu_graph(model, store=store)
    out = asyncio.run(graph.ainvoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(k=3)))
    assert out["audit"]["decision"] == "rewritten" and out["audit"]["error"] is None
    assert model.max_inflight == 3 and model.cancelled == 2  # all three were sent
    assert model.calls.count("eraser") == 1 and model.calls.count("critic") == 1  # (a call is logged as it replies)
    assert out["audit"]["calls"] == 3 and [r["index"] for r in out["audit"]["ratings"]] == [0]


def test_a_rewrite_failing_before_the_decision_refuses_and_stops_the_others(store):
    model = thread_model(eraser=[ConnectionError("model down"), "A rewrite without the subject."])
    model.delays = {"eraser": [0.01, 3.0]}
    graph = create_alu_graph(model, store=store, max_attempts=1)
    out = asyncio.run(graph.ainvoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(k=2)))
    assert out["answer"] == REFUSAL and out["audit"]["error"]["stage"] == "eraser"
    assert model.cancelled == 1  # the other rewrite's request, stopped
