"""``Context.trace_texts="redacted"``: drafts, rewrites and critiques never reach a tracer.

A collecting tracer (a LangChain ``BaseTracer`` that keeps every run it is given, as
LangSmith's tracer would upload them) reads a run of the graph on a scripted chat model
(routing and state only, not a real model).
"""

from __future__ import annotations

import json

import pytest
from langchain_core.tracers.base import BaseTracer
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted

from alu import Context, TargetRegistry, create_alu_graph

DRAFT = "DRAFT-TEXT: Pride and Prejudice was written by Jane Austen."
KEPT = "REWRITE-ONE: the novel appeared in 1813."
DROPPED = "REWRITE-TWO: a novel of manners."
REASON = "CRITIC-REASON-TEXT"
EVIDENCE = "EVIDENCE-QUOTE-TEXT"


class Collecting(BaseTracer):
    """Keeps every run (inputs, outputs, metadata, errors) the graph hands a tracer."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list = []

    def _persist_run(self, run) -> None:
        pass

    def _end_trace(self, run) -> None:
        self.runs.append(run)
        super()._end_trace(run)

    def _start_trace(self, run) -> None:
        super()._start_trace(run)

    def dump(self) -> str:
        def walk(run):
            yield run
            for child in run.child_runs:
                yield from walk(child)

        everything = [r for top in self.runs for r in walk(top)]
        return json.dumps(
            [{"name": r.name, "in": r.inputs, "out": r.outputs, "meta": r.extra, "error": r.error} for r in everything],
            default=str,
        )


def rate(messages):
    text = messages[-1].content
    return {"rating": 5 if "REWRITE-ONE" in text else 3, "reason": REASON}


def run(trace_texts: str, query: str) -> tuple[dict, str]:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", keywords=["Pride and Prejudice"])
    model = scripted(
        vanilla=DRAFT,
        auditor={"referenced": []},
        eraser=[KEPT, DROPPED],
        critic=rate,
        composer="unused",
    )
    tracer = Collecting()
    out = create_alu_graph(model, store=store).invoke(
        {"query": query}, context=Context(k=2, trace_texts=trace_texts), config={"callbacks": [tracer]}
    )
    return out, tracer.dump()


@pytest.mark.parametrize("query", ["Who wrote that novel?", "Tell me about Jane Austen."])
def test_redacted_traces_hold_no_draft_rewrite_or_critique(query):
    out, full = run("full", query)
    assert out["audit"]["decision"] == "rewritten" and out["answer"] == KEPT
    assert DROPPED in full and REASON in full  # the default traces every model call's text
    if "Austen." not in query:
        assert DRAFT in full
    out, redacted = run("redacted", query)
    assert out["audit"]["decision"] == "rewritten" and out["answer"] == KEPT
    for text in (DRAFT, DROPPED, REASON, "DRAFT-TEXT"):
        assert text not in redacted, text
    names = {run["name"] for run in json.loads(redacted)}
    assert {"intake", "eraser", "critic", "composer"} <= names  # the node runs stay (no draft: the question named her)
    assert not any(name.endswith("_model") for name in names)  # no model call reached the tracer


def test_redacted_traces_hold_no_judge_evidence():
    store = InMemoryStore()
    target = TargetRegistry(store).add("Jane Austen", keywords=["Pride and Prejudice"])
    model = scripted(
        vanilla=f"A novel of 1813, Pride and Prejudice, {EVIDENCE}.",  # a flag's evidence is quoted from the text
        auditor={"referenced": [{"id": target.id, "evidence": EVIDENCE}]},
        eraser=KEPT,
        critic={"rating": 5, "reason": REASON},
    )
    for trace_texts, visible in (("full", True), ("redacted", False)):
        tracer = Collecting()
        out = create_alu_graph(model, store=store).invoke(
            {"query": "Which novel?"}, context=Context(k=1, trace_texts=trace_texts), config={"callbacks": [tracer]}
        )
        assert out["audit"]["decision"] == "rewritten"
        assert out["audit"]["flagged"][0]["source"] == "judge"
        dump = tracer.dump()
        assert (EVIDENCE in dump) is visible and (REASON in dump) is visible


def test_middleware_keeps_the_app_models_draft_out_of_traces_when_redacted():
    """``UnlearningMiddleware`` on a ``create_agent`` agent (scripted app and ALU models):
    with ``trace_texts="redacted"`` the app model's un-audited draft reaches no tracer."""
    from langchain.agents import create_agent
    from scripted_agent_model import app_model

    from alu import UnlearningMiddleware

    for trace_texts, visible in (("full", True), ("redacted", False)):
        store = InMemoryStore()
        TargetRegistry(store).add("Jane Austen")
        alu = scripted(auditor={"referenced": []}, eraser=KEPT, critic={"rating": 5, "reason": REASON}, composer=KEPT)
        guard = UnlearningMiddleware(models=alu, context=Context(k=1, trace_texts=trace_texts))
        agent = create_agent(app_model(DRAFT), [], middleware=[guard], store=store)
        tracer = Collecting()
        out = agent.invoke({"messages": [("user", "Who wrote Pride and Prejudice?")]}, config={"callbacks": [tracer]})
        assert out["messages"][-1].text == KEPT
        assert ("DRAFT-TEXT" in tracer.dump()) is visible
