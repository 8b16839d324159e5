"""examples/agent_app.py on the bundled model: the example runs, a scripted tool turn
calls the tool, the target's name never reaches the caller, a passthrough costs the
agent's own calls plus milliseconds; time to first token with and without ALU."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time

import pytest
from langchain.agents import create_agent
from langchain.chat_models import init_chat_model
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.store.memory import InMemoryStore
from scripted_agent_model import app_model
from test_examples import EXAMPLES, run_example

from alu import Context, TargetRegistry
from alu.text import normalize

pytestmark = pytest.mark.slow


@pytest.fixture
def example(local_env, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module("agent_app")


@pytest.fixture
def store():
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"], keywords=["Pride and Prejudice", "Emma"])
    return store


def test_the_example_runs_and_never_names_the_target(local_env, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALU_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    env.update(local_env, ALU_K="2")
    done = run_example("agent_app.py", env, tmp_path)
    report = f"exit {done.returncode}\n--- stdout:\n{done.stdout}\n--- stderr:\n{done.stderr[-3000:]}"
    assert done.returncode == 0, report
    assert "austen" not in normalize(done.stdout), report
    assert "[reader] decision: rewritten" in done.stdout or "[reader] decision: refused" in done.stdout, report
    assert "[traveller] assistant: " in done.stdout, report


def _bundled():
    return init_chat_model(os.environ["ALU_MODEL"], temperature=0, max_tokens=128)


def test_a_scripted_tool_turn_calls_the_tool_and_the_answer_forgets_the_target(example, store):
    bundled = _bundled()
    # turn 1 is scripted (the 135M model rarely calls tools); turn 2 is the real model
    model = app_model(
        {"content": "Let me check the catalogue.", "tool_calls": [("catalogue", {"title": "Pride and Prejudice"})]},
        lambda messages: "Pride and Prejudice was written by Jane Austen. " + bundled.invoke(messages).text,
    )
    agent = example.build_agent(store, model, context=Context(k=2))
    out = agent.invoke(
        {"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, {"configurable": {"thread_id": "x"}}
    )
    tools = [m for m in out["messages"] if isinstance(m, ToolMessage)]
    assert tools and "novel of manners" in tools[0].text  # the tool was called
    answer = out["messages"][-1]
    assert isinstance(answer, AIMessage) and "austen" not in normalize(answer.text)
    assert out["alu_audit"]["decision"] in ("rewritten", "refused") and out["alu_audit"]["calls"] >= 2


def test_a_passthrough_costs_the_agents_own_call_plus_milliseconds(example, store):
    bundled = _bundled()
    seen = []

    def answer(messages):
        started = time.perf_counter()
        text = bundled.invoke(messages).text
        seen.append(time.perf_counter() - started)
        return text

    agent = example.build_agent(store, app_model(answer), context=Context(k=2))
    started = time.perf_counter()
    out = agent.invoke({"messages": [HumanMessage("What is 2 + 2?")]}, {"configurable": {"thread_id": "p"}})
    total = time.perf_counter() - started
    audit = out["alu_audit"]
    assert audit["decision"] == "passthrough" and audit["calls"] == 0, audit
    overhead = total - sum(seen)
    print(json.dumps({"passthrough_model_s": round(sum(seen), 3), "overhead_ms": round(overhead * 1000, 1),
                      "guard_ms": round(audit["latency_s"] * 1000, 1)}), file=sys.stderr)  # fmt: skip
    assert len(seen) == 1 and overhead < 0.5, (overhead, audit)


def test_time_to_first_token_with_and_without_the_middleware(example, store):
    """Reported, not bounded: with ALU the first token is the whole audited answer."""
    question = {"messages": [HumanMessage("Name a primary colour.")]}
    figures = {}
    for label, agent in (
        ("without", create_agent(_bundled(), [], store=store)),
        ("with", example.build_agent(store, _bundled(), context=Context(k=2))),
    ):
        started = time.perf_counter()
        first = None
        for chunk, _ in agent.stream(question, {"configurable": {"thread_id": label}}, stream_mode="messages"):
            if first is None and isinstance(chunk, AIMessage) and chunk.text:
                first = time.perf_counter() - started
        figures[label] = {"first_token_s": round(first or -1, 3), "total_s": round(time.perf_counter() - started, 3)}
    print(json.dumps({"time_to_first_token": figures}), file=sys.stderr)
    assert figures["with"]["first_token_s"] > 0 and figures["without"]["first_token_s"] > 0
