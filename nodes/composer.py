"""Composer agent: merge the best rewrites into the answer, or refuse.

Takes the top-j rewrites by rating; if their mean is under the threshold the run is
refused. Otherwise the passing ones are merged (one model call; none when a single
rewrite passes) and the result is checked deterministically once more: an answer that
names a flagged target never leaves — a clean passing rewrite is used instead, or the
refusal. A run that reached here through an error is refused without any model call.
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from alu.audit import finish
from alu.graph.context import Context, ensure_context
from alu.graph.state import State, StageError
from alu.matching import strict_mentions
from alu.models import Models, call_text
from alu.nodes.critic import flagged_targets
from alu.prompts import render
from alu.sealed import unseal


def composer(state: State, runtime: Runtime[Context], *, models: Models) -> dict:
    """The final answer of a flagged (or failed) run."""
    context = ensure_context(runtime.context)
    if state.get("error"):
        return finish(state, answer=context.refusal, decision="refused")
    ratings = state.get("ratings") or []
    if len(ratings) != context.k:
        missing = StageError(
            stage="critic",
            type="MissingRatings",
            message=f"expected {context.k} ratings, got {len(ratings)}",
        )
        return {**finish(state, answer=context.refusal, decision="refused", error=missing), "error": missing}
    top = sorted(ratings, key=lambda r: (-r["rating"], r["index"]))[: context.j]
    mean = sum(r["rating"] for r in top) / len(top)
    passing = [unseal(r["text"]) for r in top if r["rating"] >= context.threshold]
    if mean < context.threshold or not passing:
        return finish(state, answer=context.refusal, decision="refused")
    calls = []
    candidates = passing
    if len(passing) > 1:
        model, name = models.get("composer", context, context.composer_temperature)
        answers = "\n\n".join(f"Answer {i + 1}:\n{text}" for i, text in enumerate(passing))
        messages = [
            SystemMessage(render("composer_system")),
            HumanMessage(render("composer_user", question=state["question"], answers=answers)),
        ]
        composed, record = call_text("composer", model, name, messages, context)
        calls.append(record)
        candidates = [composed, *passing]
    targets = flagged_targets(state.get("flagged") or [])
    for answer in candidates:
        if not strict_mentions(answer, targets):
            return finish(state, answer=answer, decision="rewritten", calls=calls)
    return finish(state, answer=context.refusal, decision="refused", calls=calls)
