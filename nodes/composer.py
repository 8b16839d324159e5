"""Composer agent: the best clean rewrite is the answer, or the refusal.

A rewrite the deterministic check blocked (rated 1 by the critic's cap) leaves the pool;
the clean rewrites rated at or above the threshold pass, and the best of them (highest
rating, then lowest index) is the answer — no model call. With ``merge`` (the paper's
composer: one more call on the critical path, measured in ``benchmarks/latency.py``) the
passing ones among the top j are merged first. The answer is checked deterministically
once more, with the thread's
window (:func:`alu.nodes.critic.final_check`): an answer that names a flagged target, or
names or completes any registered one, never leaves — a clean passing rewrite is used
instead, or the refusal. A run that reached here through an error is refused without any
model call.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from alu.graph.context import Context
from alu.graph.models import Models, acall_text, call_text
from alu.graph.policy import run_context
from alu.graph.sealed import unseal
from alu.graph.semantic import SemanticStage
from alu.graph.state import CallRecord, StageError, State, run_error
from alu.nodes.audit import describe_error, finish
from alu.nodes.critic import final_check
from alu.prompts import render

__all__ = ["acomposer", "composer"]


def _plan(state: State, context: Context) -> dict[str, Any] | list[str]:
    """The finished run (a dict) when no merge is needed, else the passing rewrites."""
    if run_error(state):
        return finish(state, answer=context.refusal, decision="refused", view=context.audit_view, tenant=context.tenant)
    ratings = state.get("ratings") or []
    if len(ratings) != context.k:
        missing = StageError(stage="critic", type="MissingRatings", message=describe_error("MissingRatings"))
        return {
            **finish(
                state,
                answer=context.refusal,
                decision="refused",
                view=context.audit_view,
                tenant=context.tenant,
                error=missing,
            ),
            "errors": [missing],
        }
    # A rewrite the deterministic check blocked leaves the pool (it cannot drag clean ones
    # down); a clean one rated at or above the threshold is answered; the refusal only
    # when none passes. With ``merge``, the passing ones among the top j are merged.
    clean = sorted((r for r in ratings if not r["names_target"]), key=lambda r: (-r["rating"], r["index"]))
    passing = [unseal(r["text"]) for r in clean if r["rating"] >= context.threshold]
    if not passing:
        return finish(state, answer=context.refusal, decision="refused", view=context.audit_view, tenant=context.tenant)
    return passing[: context.j] if context.merge else passing


def _merge_messages(state: State, passing: list[str]) -> list[BaseMessage]:
    answers = "\n\n".join(f"Answer {i + 1}:\n{text}" for i, text in enumerate(passing))
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


def _finish(state: State, context: Context, answer: str | None, calls: list[CallRecord]) -> dict:
    if answer is None:
        return finish(
            state,
            answer=context.refusal,
            decision="refused",
            view=context.audit_view,
            tenant=context.tenant,
            calls=calls,
        )
    return finish(
        state, answer=answer, decision="rewritten", view=context.audit_view, tenant=context.tenant, calls=calls
    )


def composer(state: State, runtime: Runtime[Context], *, models: Models, semantic: SemanticStage) -> dict:
    """The final answer of a flagged (or failed) run."""
    context = run_context(runtime.context)
    plan = _plan(state, context)
    if isinstance(plan, dict):
        return plan
    if not (context.merge and len(plan) > 1):
        return _finish(state, context, plan[0], [])  # checked by its critic: no call, no re-check
    model, name = models.get("composer", context, context.composer_temperature)
    composed, record = call_text("composer", model, name, _merge_messages(state, plan), context)
    return _finish(state, context, _checked(state, runtime, context, semantic, composed, plan[0]), [record])


async def acomposer(state: State, runtime: Runtime[Context], *, models: Models, semantic: SemanticStage) -> dict:
    """:func:`composer` on the async path."""
    context = run_context(runtime.context)
    plan = _plan(state, context)
    if isinstance(plan, dict):
        return plan
    if not (context.merge and len(plan) > 1):
        return _finish(state, context, plan[0], [])
    model, name = models.get("composer", context, context.composer_temperature)
    composed, record = await acall_text("composer", model, name, _merge_messages(state, plan), context)
    answer = await asyncio.to_thread(_checked, state, runtime, context, semantic, composed, plan[0])
    return _finish(state, context, answer, [record])
