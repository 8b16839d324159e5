"""The ALU graph: vanilla → auditor → (END | eraser ×k → critic ×k → composer).

Reads top to bottom: policies, nodes, edges, compile. ``graph`` at the bottom is the
default compiled graph that ``langgraph.json`` serves; it holds no model, store or
checkpointer (the server supplies persistence; models are resolved per run from the
``Context``), so it imports without any API key or model server.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any, Mapping

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.types import RetryPolicy

from alu.graph.context import Context, InvalidContextError
from alu.graph.state import CritiqueTask, EraseTask, InputState, OutputState, State
from alu.inputs import InvalidInputError
from alu.models import ModelDeadlineError, ModelOutputError, Models
from alu.targets import InvalidTargetError
from alu.nodes import auditor, composer, critic, eraser, fail_closed, route_after_audit, vanilla

__all__ = ["build_graph", "create_alu_graph", "graph", "retry_on"]


_TRANSIENT = RetryPolicy().retry_on  # LangGraph's default: network faults, 5xx, timeouts


def retry_on(error: Exception) -> bool:
    """Retry transient faults and unusable model output (incl. a reply body that is not
    JSON, and a call past its deadline); never bad input."""
    if isinstance(error, (InvalidInputError, InvalidContextError, InvalidTargetError)):
        return False
    return isinstance(error, (ModelOutputError, ModelDeadlineError, json.JSONDecodeError)) or _TRANSIENT(error)


def build_graph(
    models: "BaseChatModel | str | Mapping[str, BaseChatModel | str] | None" = None,
    *,
    max_attempts: int = 3,
) -> StateGraph:
    """The uncompiled graph (for callers who add their own nodes or compile options).

    ``models``: one chat model (or ``provider:model`` string) for every agent, or a
    mapping ``{"vanilla": ..., "eraser": ..., "default": ...}``; agents left out use the
    run's ``Context``.
    """
    bound = Models(models)
    retry = RetryPolicy(max_attempts=max_attempts, initial_interval=0.5, max_interval=8.0, retry_on=retry_on)
    builder = StateGraph(State, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    builder.set_node_defaults(retry_policy=retry, error_handler=fail_closed)

    # Nodes: one per agent.
    builder.add_node("vanilla", partial(vanilla, models=bound), metadata={"alu_agent": "vanilla"})
    builder.add_node("auditor", partial(auditor, models=bound), metadata={"alu_agent": "auditor"})
    builder.add_node(
        "eraser",
        partial(eraser, models=bound),
        input_schema=EraseTask,
        destinations=("critic",),
        metadata={"alu_agent": "eraser"},
    )
    builder.add_node("critic", partial(critic, models=bound), input_schema=CritiqueTask, metadata={"alu_agent": "critic"})
    builder.add_node("composer", partial(composer, models=bound), metadata={"alu_agent": "composer"})

    # Edges: the eraser branch is taken only when the auditor flags a target.
    builder.add_edge(START, "vanilla")
    builder.add_edge("vanilla", "auditor")
    builder.add_conditional_edges("auditor", route_after_audit, ["eraser", END])
    builder.add_edge("critic", "composer")
    builder.add_edge("composer", END)
    return builder


def create_alu_graph(
    models: "BaseChatModel | str | Mapping[str, BaseChatModel | str] | None" = None,
    *,
    store: BaseStore | None = None,
    checkpointer: BaseCheckpointSaver | None = None,
    max_attempts: int = 3,
    name: str = "alu",
    **compile_kwargs: Any,
) -> CompiledStateGraph:
    """A compiled ALU graph, ready to ``invoke`` or to add as a node of a parent graph.

    ``store`` holds the targets (see :class:`alu.TargetRegistry`); leave it out inside a
    parent graph or on LangGraph server, which pass their own store down.
    """
    return build_graph(models, max_attempts=max_attempts).compile(
        store=store, checkpointer=checkpointer, name=name, **compile_kwargs
    )


graph = build_graph().compile(name="alu")
