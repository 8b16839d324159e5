"""Intake: the first node of every run. It reads this run's input, applies the policy,
and starts the run's state empty.

Why a node of its own: on a checkpointer thread every channel keeps its value between
runs. Ratings, calls, an error or an old ``query`` left there would poison the next run
(ten ratings where five were expected; the previous question answered again). Intake
consumes ``query``, ``targets`` and ``answer_to_audit`` (they belong to this run's input only) and resets every
run channel, so the thread keeps the conversation (``messages``) and nothing else that a
later run reads. A caller error (bad input, a context that would loosen the policy, an
invalid per-run target) is recorded and raised by ``reject`` *after* the input has been
consumed, so it cannot stick to the thread either.

The guard entry: input with ``answer_to_audit`` (an answer made elsewhere) goes straight
to the auditor with that answer as the (sealed) draft; the vanilla model is not called.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command, Overwrite

from alu.domain import InvalidTargetError, Target
from alu.graph import metrics
from alu.graph.allow import read_exchange_allowed
from alu.graph.context import Context, InvalidContextError
from alu.graph.flags import make_flag
from alu.graph.inputs import InvalidInputError, read_input
from alu.graph.limits import admit_flagged
from alu.graph.policy import run_context
from alu.graph.sealed import seal
from alu.graph.state import Flag, StageError, State
from alu.graph.tracing import annotate_run
from alu.nodes.audit import limit_error

__all__ = ["RUN_RESET", "aintake", "areject", "intake", "reject"]

RUN_RESET: dict[str, Any] = {
    "query": None,
    "targets": None,
    "answer_to_audit": None,
    "question": "",
    "window": "",
    "chat": False,
    "run_targets": [],
    "rejection": None,
    "draft": None,
    "flagged": [],
    "answer": None,
    "audit": None,
    "registry_version": None,
}
"""What every run channel holds when a run starts (``ratings``, ``calls`` and ``errors``,
which have reducers, are overwritten empty beside these)."""

_CALLER_ERRORS = (InvalidInputError, InvalidContextError, InvalidTargetError)


def _reset() -> dict[str, Any]:
    return {**RUN_RESET, "ratings": Overwrite([]), "calls": Overwrite([]), "errors": Overwrite([])}


def _answer_to_audit(state: State) -> str | None:
    """The guard entry's answer, or None for an ordinary run (raises for a bad one)."""
    answer = state.get("answer_to_audit")
    if answer is None:
        return None
    if not isinstance(answer, str):
        raise InvalidInputError(f"answer_to_audit must be a string, got {type(answer).__name__}")
    if not answer.strip():
        raise InvalidInputError("answer_to_audit is empty: pass the answer to audit (or leave the key out)")
    return answer.strip()


def _start(state: State, runtime: Runtime[Context]) -> tuple[Command | None, dict[str, Any], Context | None]:
    """The run's channels (or, finished, the rejection or the guard entry's route to the
    auditor) and its context."""
    try:
        context = run_context(runtime.context)
        run = read_input(state, context)
        extra = [Target.parse(entry).to_value() for entry in state.get("targets") or ()]
        guarded = _answer_to_audit(state)
    except _CALLER_ERRORS as exc:
        rejection = StageError(stage="intake", type=type(exc).__name__, message=str(exc))
        return Command(update={**_reset(), "rejection": rejection}, goto="reject"), {}, None
    annotate_run({"alu_tenant": context.tenant, "alu_window_chars": len(run.window), "alu_guard": guarded is not None})
    update = {**_reset(), "question": run.question, "window": run.window, "chat": run.chat, "run_targets": extra}
    if guarded is not None:  # the guard entry: the answer was made elsewhere
        return Command(update={**update, "draft": seal(guarded)}, goto="auditor"), update, context
    return None, update, context


def _screen(update: dict[str, Any], runtime: Runtime[Context], context: Context) -> list[Flag]:
    """The model-free stage on the question and the window, before any draft: the
    targets the question itself names (direct mentions, by the window rule). Notes in
    ``update`` the registry version the read applied (the operator's audit names it)."""
    started = time.perf_counter()
    found, _, _ = read_exchange_allowed(
        update["question"],
        update["window"],
        store=runtime.store,
        tenant=context.tenant,
        extra=update["run_targets"],
        size=context.shortlist_size,
        allow=context.allow_phrases,
    )
    update["registry_version"] = found.version
    metrics.record_stage("screen", time.perf_counter() - started)
    if found.direct:
        annotate_run({"alu_flagged": [m.target_id for m in found.direct], "alu_question_flagged": True})
    return [make_flag(found.targets[m.target_id], m.span, "match") for m in found.direct]


def _route(update: dict[str, Any], flags: list[Flag], context: Context, admitted: bool) -> Command:
    if not flags:
        return Command(update=update, goto="vanilla")
    if not admitted:  # past the tenant's cap on flagged runs: refused, no rewrite written
        return Command(
            update={**update, "flagged": flags, "errors": Overwrite([limit_error("intake")])}, goto="composer"
        )
    # The question names a target: the draft would be thrown away, so none is written;
    # the composer's k erasers answer the question without the flagged targets (same
    # critics, same final checks as any rewrite).
    return Command(update={**update, "flagged": flags}, goto="composer")


def intake(state: State, runtime: Runtime[Context]) -> Command:
    """Start the run: its question, window and targets (or the caller's error), and the
    question's own audit."""
    finished, update, context = _start(state, runtime)
    if finished is not None or context is None:
        return finished or Command(goto="reject")
    flags = _screen(update, runtime, context)
    return _route(update, flags, context, not flags or admit_flagged(runtime.store, context))


async def aintake(state: State, runtime: Runtime[Context]) -> Command:
    """:func:`intake` on the async path: the question's audit in a worker thread."""
    finished, update, context = _start(state, runtime)
    if finished is not None or context is None:
        return finished or Command(goto="reject")
    flags = await asyncio.to_thread(_screen, update, runtime, context)
    admitted = not flags or await asyncio.to_thread(admit_flagged, runtime.store, context)  # may read the store
    return _route(update, flags, context, admitted)


_ERRORS = {cls.__name__: cls for cls in _CALLER_ERRORS}


def reject(state: State) -> dict:
    """Raise the caller's error recorded by ``intake`` (with its message)."""
    rejection = state.get("rejection") or StageError(stage="intake", type="InvalidInputError", message="invalid input")
    raise _ERRORS.get(rejection["type"], InvalidInputError)(rejection["message"])


async def areject(state: State) -> dict:
    return reject(state)
