"""Vanilla agent: the protected app model answers the query as it normally would."""

from __future__ import annotations

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from alu.graph.context import Context
from alu.graph.inputs import earlier_messages
from alu.graph.models import Models, acall_text, call_text
from alu.graph.policy import run_context
from alu.graph.sealed import seal
from alu.graph.state import State
from alu.prompts import load

__all__ = ["avanilla", "vanilla"]


def _messages(state: State, context: Context) -> list[BaseMessage]:
    """The system prompt, the thread's window (the same turns the auditor reads: nothing
    the model sees lies outside what is audited) and the question."""
    return [SystemMessage(load("vanilla_system")), *earlier_messages(state, context), HumanMessage(state["question"])]


def vanilla(state: State, runtime: Runtime[Context], *, models: Models) -> dict:
    """Draft an answer. The draft is internal: it is sealed in state, and reaches the
    caller only if the auditor finds nothing to forget."""
    context = run_context(runtime.context)
    model, name = models.get("vanilla", context, context.vanilla_temperature)
    draft, record = call_text("vanilla", model, name, _messages(state, context), context)
    return {"draft": seal(draft), "calls": [record]}


async def avanilla(state: State, runtime: Runtime[Context], *, models: Models) -> dict:
    """:func:`vanilla` on the model's async API."""
    context = run_context(runtime.context)
    model, name = models.get("vanilla", context, context.vanilla_temperature)
    draft, record = await acall_text("vanilla", model, name, _messages(state, context), context)
    return {"draft": seal(draft), "calls": [record]}
