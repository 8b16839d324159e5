"""A chat app that embeds the ALU graph as a subgraph node.

The parent is an ordinary LangGraph chat graph over ``MessagesState``: a ``triage`` router
answers small talk itself (a canned reply, no model involved) and sends everything else
to the ``alu`` node — the compiled ALU graph, added as a node like any other. The ALU
subgraph takes the parent's ``messages`` (the last human message is the query, earlier
turns are context), reads the parent's store and context, and hands back ``messages``
with the audited answer appended, plus ``answer`` and ``audit`` — which the parent keeps
because its state declares them.

    python examples/subgraph_app.py

Models come from the environment like everywhere else (``ALU_MODEL``, ``OPENAI_BASE_URL``,
``OPENAI_API_KEY``, ``ALU_K``…; see ``.env.example``). With no model configured and no
``OPENAI_API_KEY``, the bundled local model is started for the duration of the demo.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Literal

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from alu import Context, TargetRegistry, create_alu_graph
from alu.graph.state import Audit

SMALL_TALK = re.compile(r"^\s*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening))\b[\s!.,]*$", re.I)
GREETING = "Hello! Ask me anything."


class ChatState(MessagesState, total=False):
    """The app's state: the chat, plus what the ALU subgraph reports about its last answer."""

    answer: str
    audit: Audit | None


def triage(state: ChatState) -> dict:
    """Clear the previous turn's audit; the route is decided by :func:`route`."""
    return {"audit": None}


def route(state: ChatState) -> Literal["small_talk", "alu"]:
    last = state["messages"][-1]
    return "small_talk" if isinstance(last, HumanMessage) and SMALL_TALK.match(last.text) else "alu"


def small_talk(state: ChatState) -> dict:
    """A canned reply: no model output, so nothing to audit."""
    return {"messages": [AIMessage(GREETING)], "answer": GREETING}


def build_app(store: BaseStore, models=None) -> CompiledStateGraph:
    """The chat app: START → triage → (small_talk | alu) → END."""
    builder = StateGraph(ChatState, context_schema=Context)
    builder.add_node("triage", triage)
    builder.add_node("small_talk", small_talk)
    # The compiled ALU graph is the node. No store or checkpointer of its own: it uses the
    # parent's store (where the targets live) and runs under the parent's checkpointer.
    builder.add_node("alu", create_alu_graph(models))
    builder.add_edge(START, "triage")
    builder.add_conditional_edges("triage", route, ["small_talk", "alu"])
    builder.add_edge("small_talk", END)
    builder.add_edge("alu", END)
    return builder.compile(store=store, checkpointer=InMemorySaver(), name="chat_app")


def chat(app: CompiledStateGraph, thread: str, text: str, context: Context) -> dict:
    """One chat turn in conversation ``thread``; prints the question, answer and decision."""
    state = app.invoke(
        {"messages": [HumanMessage(text)]},
        config={"configurable": {"thread_id": thread}},
        context=context,
    )
    audit = state.get("audit")
    print(f"[{thread}] user: {text}")
    print(f"[{thread}] assistant: {state['messages'][-1].text}")
    if audit is None:
        print(f"[{thread}] decision: none (small talk, answered by the router)")
    else:
        # the caller's audit record names no target: references only (the operator's
        # view, audit_view="operator", and the traces say who)
        flagged = len(audit["flagged"])
        print(f"[{thread}] decision: {audit['decision']} (targets flagged: {flagged}; model calls: {audit['calls']})")
        if audit["error"]:
            print(f"[{thread}] error: {audit['error']['stage']}: {audit['error']['message']}")
    return state


def _start_local_model_if_needed():
    """Like ``alu ask``: use the configured model, else the bundled one (if installed)."""
    if os.environ.get("ALU_MODEL") or os.environ.get("OPENAI_API_KEY"):
        return None
    from alu.local_model import LocalModelError, LocalModelServer

    server = LocalModelServer()
    try:
        server.start(progress=lambda message: print(message, file=sys.stderr))
    except LocalModelError as exc:
        sys.exit(f"no model configured (ALU_MODEL / OPENAI_API_KEY) and the bundled model cannot start: {exc}")
    os.environ.update(server.environment())
    return server


def main() -> int:
    server = _start_local_model_if_needed()
    try:
        context = Context()  # defaults from the environment: ALU_MODEL, ALU_K, ALU_TENANT, …
        store = InMemoryStore()
        TargetRegistry(store, tenant=context.tenant).add("Jane Austen")
        app = build_app(store)

        chat(app, "reader", "Who wrote Pride and Prejudice?", context)  # flagged: her name never comes back
        chat(app, "traveller", "Hi!", context)  # small talk: the router answers
        chat(app, "traveller", "What is the capital of France?", context)  # unrelated: passes through
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
