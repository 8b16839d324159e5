"""Critic agent: rates one rewrite 1–5 for residual traces of the flagged targets.

The model's rating is capped by the deterministic check (:func:`alu.graph.conversation.names_a_target`):
a rewrite that still names a flagged target (name, alias, typo of either, or surname), or
that — read with the thread's window and the question — names or completes any registered
target, is rated 1 whatever the model, or an injection inside the rewrite, says. With
``Context.semantic``, so is a rewrite that still scores as a target by meaning (above the
flag band): the deterministic last line for topics, also run by the composer on a merged
answer. For a topic the critic's prompt asks for residual hazardous detail
(``prompts/critic_topic_system.txt``).

Each critique is a traced child run named ``critic`` of the composer, which owns the k
rewrite-and-critique pipelines (:mod:`alu.nodes.rewrites`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Annotated, Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from alu.domain import Target
from alu.graph.context import Context
from alu.graph.conversation import names_a_target
from alu.graph.flags import targets_of
from alu.graph.models import Models, acall_structured, call_structured
from alu.graph.policy import run_context
from alu.graph.sealed import seal, unseal
from alu.graph.semantic import SemanticStage, semantic_runs
from alu.graph.state import CallRecord, CritiqueTask, EraseTask, Flag, Rating
from alu.nodes.eraser import describe_targets, topic_prompt
from alu.prompts import render

__all__ = ["Critique", "arate", "critique_task", "final_check", "flagged_targets", "rate"]


class Critique(BaseModel):
    """How well the response hides the subjects."""

    rating: Annotated[int, Field(ge=1, le=5, description="1 = reveals them, 5 = no trace")]
    reason: Annotated[str, Field(max_length=400, description="one short sentence")] = ""


def flagged_targets(flags: list[Flag]) -> list[Target]:
    """Targets rebuilt from the (sealed) flags, for the deterministic checks."""
    return targets_of(flags)


def final_check(
    text: str, task: Mapping[str, Any], runtime: Runtime[Context], context: Context, semantic: SemanticStage
) -> bool:
    """True when ``text`` may not leave: see :func:`alu.graph.conversation.names_a_target`;
    with ``Context.semantic`` also when it still scores as a target by meaning (a topic's
    hazardous detail left in a rewrite: the deterministic last line for topics)."""
    window = "\n".join(filter(None, [task.get("window") or "", task.get("question") or ""]))
    extra = task.get("run_targets") or ()
    # the name check first: it brings the tenant's index in step with the store, which the
    # semantic stage's auto setting then reads (a run resumed here may come to a stale one)
    if names_a_target(
        text,
        flagged_targets(task.get("flagged") or []),
        window,
        store=runtime.store,
        tenant=context.tenant,
        extra=extra,
    ):
        return True
    if not semantic_runs(context.semantic, store=runtime.store, tenant=context.tenant, extra=extra):
        return False
    hits, _ = semantic.search(
        {"draft": text}, store=runtime.store, tenant=context.tenant, extra=extra, thresholds=context.semantic_thresholds
    )
    return any(hit.band == "flag" for hit in hits)


def _messages(task: CritiqueTask, rewrite: str) -> list[BaseMessage]:
    return [
        SystemMessage(render(topic_prompt("critic", task["flagged"]) + "_system")),
        HumanMessage(
            render("critic_user", targets=describe_targets(task["flagged"]), question=task["question"], rewrite=rewrite)
        ),
    ]


def critique_task(task: EraseTask, rewrite: str) -> CritiqueTask:
    """What the critic of rewrite ``task['index']`` reads (``rewrite`` sealed)."""
    return CritiqueTask(
        index=task["index"],
        question=task["question"],
        rewrite=rewrite,
        flagged=task["flagged"],
        window=task.get("window", ""),
        run_targets=task.get("run_targets", []),
    )


def _rating(task: CritiqueTask, critique: Critique, names_target: bool) -> Rating:
    return Rating(
        index=task["index"],
        text=task["rewrite"],  # still sealed
        rating=1 if names_target else critique.rating,
        critic_rating=critique.rating,
        reason=seal(critique.reason),
        names_target=names_target,
    )


StoreRead = Callable[[], AbstractContextManager[bool]]
"""Entered around a check that reads the store: yields False once the run has decided
(the composer's pipelines, nodes/rewrites.py), when nothing may read it any more."""


def _checked(
    text: str,
    task: Mapping[str, Any],
    runtime: Runtime[Context],
    context: Context,
    semantic: SemanticStage,
    store_read: StoreRead | None,
) -> bool:
    """:func:`final_check`, unless the run has already decided: then nothing is read and
    the rewrite counts as naming a target (fail closed; its rating is dropped anyway)."""
    if store_read is None:
        return final_check(text, task, runtime, context, semantic)
    with store_read() as allowed:
        return final_check(text, task, runtime, context, semantic) if allowed else True


def rate(
    task: CritiqueTask,
    runtime: Runtime[Context],
    *,
    models: Models,
    semantic: SemanticStage,
    store_read: StoreRead | None = None,
) -> tuple[Rating, CallRecord]:
    """Rate one rewrite; the deterministic check has the last word."""
    context = run_context(runtime.context)
    rewrite = unseal(task["rewrite"])
    model, name = models.get("critic", context, context.judge_temperature)
    critique, record = call_structured(
        "critic", model, name, _messages(task, rewrite), Critique, context.structured_output_method, context
    )
    return _rating(task, critique, _checked(rewrite, task, runtime, context, semantic, store_read)), record


async def arate(
    task: CritiqueTask,
    runtime: Runtime[Context],
    *,
    models: Models,
    semantic: SemanticStage,
    store_read: StoreRead | None = None,
) -> tuple[Rating, CallRecord]:
    """:func:`rate` on the async path (the check in a worker thread, the model awaited)."""
    context = run_context(runtime.context)
    rewrite = unseal(task["rewrite"])
    model, name = models.get("critic", context, context.judge_temperature)
    check = asyncio.create_task(asyncio.to_thread(_checked, rewrite, task, runtime, context, semantic, store_read))
    try:
        critique, record = await acall_structured(
            "critic", model, name, _messages(task, rewrite), Critique, context.structured_output_method, context
        )
    except BaseException:
        check.cancel()
        raise
    return _rating(task, critique, await check), record
