"""The ALU graph: intake → vanilla → auditor → (END | composer, which owns eraser ×k → critic ×k).

The composer runs the k rewrites and critiques as its own child runs (one traced run each,
:mod:`alu.nodes.rewrites`) rather than a ``Send`` fan-out: a LangGraph step waits for all
of its tasks, and the composer must be able to answer at the first passing rewrite and
stop the rest. When the question itself names a target, intake goes to the composer
directly (no draft is written).

The guard entry (input with ``answer_to_audit``) goes intake → auditor: the answer was
made elsewhere, so the vanilla call is skipped.

Reads top to bottom: policies, nodes, edges, compile. Every node has a sync and an async
body (``invoke``/``stream`` and ``ainvoke``/``astream``, which LangGraph server uses), so
the async path awaits the models' async clients instead of a thread per call. ``graph`` at the bottom is the
default compiled graph that ``langgraph.json`` serves; it holds no model, store or
checkpointer (the server supplies persistence; models are resolved per run from the
``Context``), so it imports without any API key or model server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, cast

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

# LangGraph's own node wrapper (the one ``add_node`` builds from a plain function): it
# injects ``runtime`` and runs ``afunc`` on the async path. Public API offers no way to
# give one node both bodies; langgraph is pinned below 2 in pyproject.toml.
from langgraph._internal._runnable import RunnableCallable
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.types import RetryPolicy

from alu.domain import InvalidTargetError
from alu.graph.context import Context, InvalidContextError
from alu.graph.inputs import InvalidInputError
from alu.graph.models import ModelDeadlineError, ModelOutputError, Models
from alu.graph.semantic import SemanticStage
from alu.graph.state import InputState, OutputState, State
from alu.nodes import (
    aauditor,
    acomposer,
    aintake,
    areject,
    auditor,
    avanilla,
    composer,
    fail_closed,
    intake,
    reject,
    route_after_audit,
    vanilla,
)

__all__ = ["build_graph", "create_alu_graph", "graph", "retry_on"]


def _node(name: str, sync: Any, async_: Any, **bound: Any) -> RunnableCallable:
    """One node with both bodies, ``bound`` keyword arguments applied to each."""
    return RunnableCallable(partial(sync, **bound), partial(async_, **bound), name=name, trace=False)


# LangGraph's default retry test (network faults, 5xx, timeouts); the field is typed as
# "a function or a list of exception types", and the default is the function.
_TRANSIENT = cast(Callable[[Exception], bool], RetryPolicy().retry_on)


def retry_on(error: Exception) -> bool:
    """Retry transient faults and unusable model output (incl. a reply body that is not
    JSON, and a call past its deadline); never bad input."""
    if isinstance(error, (InvalidInputError, InvalidContextError, InvalidTargetError)):
        return False
    return isinstance(error, (ModelOutputError, ModelDeadlineError, json.JSONDecodeError)) or bool(_TRANSIENT(error))


def build_graph(
    models: BaseChatModel | str | Mapping[str, BaseChatModel | str] | None = None,
    *,
    embeddings: Embeddings | None = None,
    max_attempts: int = 3,
    warm: bool = False,
) -> StateGraph[State, Context, InputState, OutputState]:
    """The uncompiled graph (for callers who add their own nodes or compile options).

    ``models``: one chat model (or ``provider:model`` string) for every agent, or a
    mapping ``{"vanilla": ..., "eraser": ..., "default": ...}``; agents left out use the
    run's ``Context``. ``embeddings``: the semantic stage's LangChain ``Embeddings``
    (default: the offline MiniLM model, loaded when ``Context.semantic`` first runs).
    ``warm``: make every agent's model client now for the default ``Context`` (the
    provider import, ~2.4 s once per process, otherwise paid by the first query).
    """
    bound = Models(models)
    if warm:
        bound.warm(Context())
    semantic = SemanticStage(embeddings)
    retry = RetryPolicy(max_attempts=max_attempts, initial_interval=0.5, max_interval=8.0, retry_on=retry_on)
    builder = StateGraph(State, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    # An error handler is called with (state, NodeError, runtime); StateGraph's annotation
    # only knows node signatures, hence the cast.
    builder.set_node_defaults(retry_policy=retry, error_handler=cast(Any, fail_closed))

    # Nodes: intake (the run's input and policy), then one per agent.
    builder.add_node(
        "intake", _node("intake", intake, aintake), destinations=("vanilla", "auditor", "composer", "reject")
    )
    builder.add_node("reject", _node("reject", reject, areject))
    builder.add_node("vanilla", _node("vanilla", vanilla, avanilla, models=bound), metadata={"alu_agent": "vanilla"})
    builder.add_node(
        "auditor",
        _node("auditor", auditor, aauditor, models=bound, semantic=semantic),
        metadata={"alu_agent": "auditor"},
    )
    # The composer retries each of its model calls itself (one rewrite failing must not
    # re-run the others): the node as a whole runs once.
    builder.add_node(
        "composer",
        _node("composer", composer, acomposer, models=bound, semantic=semantic, retry=retry),
        metadata={"alu_agent": "composer"},
        retry_policy=RetryPolicy(max_attempts=1),
    )

    # Edges: the composer (and its rewrites) runs only when a target is flagged.
    builder.add_edge(START, "intake")
    builder.add_edge("vanilla", "auditor")
    builder.add_conditional_edges("auditor", route_after_audit, ["composer", END])
    builder.add_edge("composer", END)
    builder.add_edge("reject", END)
    return builder


def create_alu_graph(
    models: BaseChatModel | str | Mapping[str, BaseChatModel | str] | None = None,
    *,
    store: BaseStore | None = None,
    checkpointer: BaseCheckpointSaver | None = None,
    embeddings: Embeddings | None = None,
    max_attempts: int = 3,
    name: str = "alu",
    warm: bool = False,
    **compile_kwargs: Any,
) -> CompiledStateGraph[State, Context, InputState, OutputState]:
    """A compiled ALU graph, ready to ``invoke`` or to add as a node of a parent graph.

    ``store`` holds the targets (see :class:`alu.TargetRegistry`); leave it out inside a
    parent graph or on LangGraph server, which pass their own store down. ``warm=True``
    makes the model clients at build time (see :func:`build_graph`).
    """
    return build_graph(models, embeddings=embeddings, max_attempts=max_attempts, warm=warm).compile(
        store=store, checkpointer=checkpointer, name=name, **compile_kwargs
    )


# The graph LangGraph server loads (``langgraph.json``). ``ALU_WARM_MODELS=1`` in the
# server's environment makes its model clients when the server loads it, not on the
# first query; off by default, as ``import alu`` (the CLI) must not pay the import.
graph = build_graph(warm=os.environ.get("ALU_WARM_MODELS", "").strip().lower() in ("1", "true", "yes")).compile(
    name="alu"
)
