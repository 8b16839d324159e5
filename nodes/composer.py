"""Composer agent: it owns the k rewrites and their critiques, and answers the best clean
rewrite as soon as it can — or refuses.

The rewrites run as the composer's child runs (:mod:`alu.nodes.rewrites`: one traced
``eraser`` and one ``critic`` run each), so that the composer can decide without waiting
for all k: LangGraph's supersteps (and deferred nodes) would wait for every ``Send``.

The rule: a rewrite the deterministic check blocked (rated 1 by the critic's cap) leaves
the pool; a clean rewrite rated at or above the threshold passes. With ``early_exit``
(default) the composer decides at the first passing rewrite — ``j`` of them with
``merge`` — and the others are stopped; without it all k are rated. The best passing one
in (highest rating, then lowest index) is the answer, no model call; none passes: the
refusal. With ``merge`` (the paper's composer: one more call on the critical path,
measured in ``benchmarks/latency.py``) the passing ones among the top j are merged first,
and the merged text is checked deterministically once more with the thread's window
(:func:`alu.nodes.critic.final_check`): one that names a flagged target, or names or
completes any registered one, never leaves — the best passing rewrite is used instead.
A run that reached here through an error is refused without any model call.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.types import RetryPolicy

from alu.graph.context import Context
from alu.graph.models import Models, acall_text, call_text
from alu.graph.policy import run_context
from alu.graph.sealed import unseal
from alu.graph.semantic import SemanticStage
from alu.graph.state import CallRecord, Rating, StageError, State, run_error
from alu.graph.tracing import annotate_run
from alu.nodes.audit import describe_error, finish, stage_error
from alu.nodes.critic import final_check
from alu.nodes.eraser import erase_tasks
from alu.nodes.rewrites import CallFailed, Outcome, aretrying, arun_pipelines, retrying, run_pipelines
from alu.prompts import render

__all__ = ["acomposer", "composer", "decided", "passing"]


def passing(ratings: list[Rating], context: Context) -> list[Rating]:
    """The clean rewrites rated at or above the threshold, best first (rating, then index):
    a rewrite the deterministic check blocked is not in the pool."""
    clean = sorted((r for r in ratings if not r["names_target"]), key=lambda r: (-r["rating"], r["index"]))
    return [r for r in clean if r["rating"] >= context.threshold]


def decided(ratings: list[Rating], context: Context) -> bool:
    """May the composer decide now, without the rewrites still out? (``early_exit``: one
    passing rewrite, or ``j`` with ``merge``.)"""
    return context.early_exit and len(passing(ratings, context)) >= ((context.j or 1) if context.merge else 1)


def _refused(state: State, context: Context, outcome: Outcome | None = None, error: StageError | None = None) -> dict:
    ratings = outcome.ratings if outcome else None
    update = finish(
        state,
        answer=context.refusal,
        decision="refused",
        view=context.audit_view,
        tenant=context.tenant,
        calls=outcome.calls if outcome else (),
        ratings=ratings,
        error=error,
    )
    if ratings:
        update["ratings"] = ratings
    if error is not None:
        update["errors"] = [error]
    return update


def _plan(state: State, context: Context, outcome: Outcome) -> dict[str, Any] | list[str]:
    """The finished run (a dict) when no merge is needed, else the passing rewrites to merge."""
    if outcome.error is not None:
        return _refused(state, context, outcome, outcome.error)
    if not decided(outcome.ratings, context) and len(outcome.ratings) != context.k:
        missing = StageError(stage="critic", type="MissingRatings", message=describe_error("MissingRatings"))
        return _refused(state, context, outcome, missing)
    texts = [unseal(r["text"]) for r in passing(outcome.ratings, context)]
    if not texts:
        return _refused(state, context, outcome)
    return texts[: context.j] if context.merge else texts


def _merge_messages(state: State, texts: list[str]) -> list[BaseMessage]:
    answers = "\n\n".join(f"Answer {i + 1}:\n{text}" for i, text in enumerate(texts))
    return [
        SystemMessage(render("composer_system")),
        HumanMessage(render("composer_user", question=state["question"], answers=answers)),
    ]


def _checked(
    state: State, runtime: Runtime[Context], context: Context, semantic: SemanticStage, composed: str, best: str
) -> str:
    """The composed answer if the final check passes it, else the best passing rewrite
    (which its critic already checked with the same rules)."""
    return best if final_check(composed, state, runtime, context, semantic) else composed


def _answered(state: State, context: Context, outcome: Outcome, answer: str, calls: list[CallRecord]) -> dict:
    update = finish(
        state,
        answer=answer,
        decision="rewritten",
        view=context.audit_view,
        tenant=context.tenant,
        calls=[*outcome.calls, *calls],
        ratings=outcome.ratings,
    )
    return {**update, "ratings": outcome.ratings}


def _note(outcome: Outcome) -> None:
    annotate_run({"alu_rewrites_sent": outcome.sent, "alu_calls_cancelled": outcome.cancelled})


def _at_once(context: Context) -> int:
    return min(context.k, context.rewrites_at_once or context.k)


def composer(
    state: State, runtime: Runtime[Context], *, models: Models, semantic: SemanticStage, retry: RetryPolicy
) -> dict:
    """The final answer of a flagged (or failed) run."""
    context = run_context(runtime.context)
    if run_error(state):
        return _refused(state, context)
    outcome = run_pipelines(
        erase_tasks(state, context.k),
        runtime,
        models=models,
        semantic=semantic,
        policy=retry,
        at_once=_at_once(context),
        stop=lambda ratings: decided(ratings, context),
    )
    _note(outcome)
    plan = _plan(state, context, outcome)
    if isinstance(plan, dict):
        return plan
    if not (context.merge and len(plan) > 1):
        return _answered(state, context, outcome, plan[0], [])  # checked by its critic: no call, no re-check
    model, name = models.get("composer", context, context.composer_temperature)
    records: list[CallRecord] = []

    def merge() -> tuple[str, CallRecord]:
        text, record = call_text("composer", model, name, _merge_messages(state, plan), context)
        records.append(record)
        return text, record

    try:
        composed = retrying("composer", merge, retry)
    except CallFailed as failed:
        return _refused(state, context, outcome, stage_error("composer", failed.error))
    answer = _checked(state, runtime, context, semantic, composed, plan[0])
    return _answered(state, context, outcome, answer, records)


async def acomposer(
    state: State, runtime: Runtime[Context], *, models: Models, semantic: SemanticStage, retry: RetryPolicy
) -> dict:
    """:func:`composer` on the async path (the stopped rewrites' requests cancelled)."""
    context = run_context(runtime.context)
    if run_error(state):
        return _refused(state, context)
    outcome = await arun_pipelines(
        erase_tasks(state, context.k),
        runtime,
        models=models,
        semantic=semantic,
        policy=retry,
        at_once=_at_once(context),
        stop=lambda ratings: decided(ratings, context),
    )
    _note(outcome)
    plan = _plan(state, context, outcome)
    if isinstance(plan, dict):
        return plan
    if not (context.merge and len(plan) > 1):
        return _answered(state, context, outcome, plan[0], [])
    model, name = models.get("composer", context, context.composer_temperature)
    records: list[CallRecord] = []

    async def merge() -> tuple[str, CallRecord]:
        text, record = await acall_text("composer", model, name, _merge_messages(state, plan), context)
        records.append(record)
        return text, record

    try:
        composed = await aretrying("composer", merge, retry)
    except CallFailed as failed:
        return _refused(state, context, outcome, stage_error("composer", failed.error))
    answer = await asyncio.to_thread(_checked, state, runtime, context, semantic, composed, plan[0])
    return _answered(state, context, outcome, answer, records)
