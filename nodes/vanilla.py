"""Vanilla agent: the protected app model answers the query as it normally would."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from alu.graph.context import Context, ensure_context
from alu.graph.state import State
from alu.inputs import read_question
from alu.models import Models, call_text
from alu.prompts import load
from alu.sealed import seal
from alu.tracing import annotate_run


def vanilla(state: State, runtime: Runtime[Context], *, models: Models) -> dict:
    """Draft an answer (with the earlier chat turns as context). The draft is internal:
    it is sealed in state, and reaches the caller only if the auditor finds nothing to
    forget."""
    context = ensure_context(runtime.context)
    annotate_run({"alu_tenant": context.tenant})
    question, earlier, history = read_question(state, context)
    model, name = models.get("vanilla", context, context.vanilla_temperature)
    messages = [SystemMessage(load("vanilla_system")), *earlier, HumanMessage(question)]
    draft, record = call_text("vanilla", model, name, messages, context)
    return {"question": question, "history": history, "draft": seal(draft), "calls": [record]}
