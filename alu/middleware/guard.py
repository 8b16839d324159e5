"""Running the ALU graph's guard entry for an answer an app made, out of the app's run.

The middleware audits with the compiled ALU graph itself (``answer_to_audit`` input:
intake → auditor → eraser/critic/composer, the vanilla call skipped), so the audit, the
rewrites and the final checks are exactly the graph's. The run is *detached* from the
agent's run: it executes in an empty ``contextvars`` context, so it is not a subgraph of
the agent (no checkpoints on the agent's thread, nothing in the agent's ``updates`` or
``values`` streams even with ``subgraphs=True``, no ``custom`` writer), and its callbacks
are the agent's minus the streaming handlers (tracers still see it, nested under the
agent's model or tool run; no ``messages`` or ``events`` stream sees its input — which
holds the un-audited answer — or its agents' calls).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ensure_config, var_child_runnable_config
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from alu.graph.builder import create_alu_graph
from alu.graph.context import Context
from alu.graph.inputs import InvalidInputError
from alu.graph.models import internal_callbacks
from alu.graph.state import Audit, Decision, InputState, OutputState, StageError, State

__all__ = ["GuardResult", "Turn", "arun_guard", "guard_input", "held_stream", "run_guard"]

GuardGraph = CompiledStateGraph[State, Context, InputState, OutputState]

Turn = Literal["answer", "tool_call", "structured", "return_direct", "tool_result", "tool_args"]


@dataclass(frozen=True)
class GuardResult:
    """What ALU decided about one text: the text to use, the decision and the record."""

    answer: str
    decision: Decision
    calls: int
    error: StageError | None
    record: Audit | None
    latency_s: float


@contextmanager
def held_stream(redact: bool = False) -> Iterator[None]:
    """Run the block with the current callbacks minus the streaming handlers: a model
    called inside streams no token (and emits no model event) to any stream mode, and is
    not switched to its streaming API; LangGraph emits its message when the node ends.
    ``redact`` (``Context.trace_texts="redacted"``): minus the tracers too, so the app
    model's un-audited draft reaches no trace."""
    config = ensure_config()
    token = var_child_runnable_config.set({**config, "callbacks": internal_callbacks(redact)})
    try:
        yield
    finally:
        var_child_runnable_config.reset(token)


def guard_input(messages: Sequence[AnyMessage], answer: str) -> InputState:
    """The guard entry's input: the conversation (its last human message is the question,
    the turns before it the window) and the answer to audit."""
    return InputState(messages=list(messages), answer_to_audit=answer)


class GuardGraphs:
    """One compiled guard graph per store (the targets' store is fixed per compile)."""

    def __init__(self, models: BaseChatModel | str | Mapping[str, BaseChatModel | str] | None, max_attempts: int):
        self._models = models
        self._max_attempts = max_attempts
        self._graphs: dict[int, tuple[BaseStore, GuardGraph]] = {}

    def get(self, store: BaseStore) -> GuardGraph:
        entry = self._graphs.get(id(store))
        if entry is None or entry[0] is not store:
            graph = create_alu_graph(self._models, store=store, max_attempts=self._max_attempts, name="alu_guard")
            entry = self._graphs[id(store)] = (store, graph)
        return entry[1]


def _config(context: Context) -> RunnableConfig:
    # redacted traces: the guard's input is the app model's un-audited answer, so its run
    # reaches no tracer at all (the audit record and the metrics still count it)
    redact = context.trace_texts == "redacted"
    return {"callbacks": internal_callbacks(redact), "run_name": "alu_guard", "tags": ["nostream"]}


def _result(out: Mapping[str, Any], started: float) -> GuardResult:
    audit: Audit = out["audit"]
    return GuardResult(
        answer=out["answer"],
        decision=audit["decision"],
        calls=int(audit.get("calls") or 0),
        error=audit.get("error"),
        record=audit,
        latency_s=round(time.perf_counter() - started, 4),
    )


def _refused(context: Context, error: BaseException, started: float) -> GuardResult:
    """An answer the graph cannot audit as given (no human message, an over-long
    question) is refused: it never leaves un-audited."""
    record = StageError(stage="intake", type=type(error).__name__, message=str(error)[:500])
    return GuardResult(context.refusal, "refused", 0, record, None, round(time.perf_counter() - started, 4))


def run_guard(graph: GuardGraph, payload: InputState, context: Context) -> GuardResult:
    """The guard graph's verdict on ``payload`` (see :func:`guard_input`), detached."""
    started = time.perf_counter()
    config = _config(context)

    def call() -> Any:
        return graph.invoke(payload, config, context=context)

    try:
        out = contextvars.Context().run(call)
    except InvalidInputError as exc:
        return _refused(context, exc, started)
    return _result(out, started)


async def arun_guard(graph: GuardGraph, payload: InputState, context: Context) -> GuardResult:
    """:func:`run_guard` on the async path (a task in an empty context)."""
    started = time.perf_counter()
    config = _config(context)

    async def call() -> Any:
        return await graph.ainvoke(payload, config, context=context)

    task = asyncio.get_running_loop().create_task(call(), context=contextvars.Context())
    try:
        out = await task
    except InvalidInputError as exc:
        return _refused(context, exc, started)
    return _result(out, started)
