"""Eraser agent (AuditErase's rewriting): one rewrite of the draft without the flagged
targets — or, when the question itself named one (flagged before any draft was written),
one answer written straight from the question without them (nothing is waited for that
would be thrown away).

The composer owns the k rewrites (:mod:`alu.nodes.rewrites`): each is a traced child run
named ``eraser`` whose rewrite goes straight to its own critic, so ratings can never be
mismatched with rewrites, and the composer can stop the others once it can decide.

For a topic target (``kind`` topic) the prompts are the topic variants
(``prompts/eraser_topic_system.txt``, ``eraser_answer_topic_system.txt``): the hazardous
specifics go, what is safe and general stays, or the eraser answers "I don't know".
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from alu.graph.context import Context
from alu.graph.flags import open_flags
from alu.graph.models import Models, acall_text, call_text
from alu.graph.policy import run_context
from alu.graph.sealed import seal, unseal
from alu.graph.state import CallRecord, EraseTask, Flag, State
from alu.prompts import render

__all__ = ["aerase", "describe_targets", "erase", "erase_tasks", "topic_prompt"]


def describe_targets(flags: list[Flag]) -> str:
    """The flagged targets as the eraser and critic see them (and nothing else): a topic
    with its description, which says what counts as hazardous."""
    lines = []
    for f in open_flags(flags):
        line = f"- {f['name']}" + (f" (also: {', '.join(f['aliases'][:5])})" if f.get("aliases") else "")
        if f.get("kind") == "topic":
            line += " [topic" + (f": {f['description']}" if f.get("description") else "") + "]"
        lines.append(line)
    return "\n".join(lines)


def topic_prompt(name: str, flags: list[Flag]) -> str:
    """``name``'s topic variant when a flagged target is a topic (its specifics go, what
    is safe and general stays), else ``name``."""
    return f"{name}_topic" if any(f.get("kind") == "topic" for f in open_flags(flags)) else name


def erase_tasks(state: State | dict[str, Any], k: int) -> list[EraseTask]:
    """The k rewrites of a flagged run (``draft`` empty: the question named a target and
    the erasers answer it without the flagged ones)."""
    return [
        EraseTask(
            index=i,
            question=state["question"],
            draft=state.get("draft") or "",
            flagged=state.get("flagged") or [],
            window=state.get("window") or "",
            run_targets=state.get("run_targets") or [],
        )
        for i in range(k)
    ]


def _messages(task: EraseTask) -> list[BaseMessage]:
    if not task["draft"]:  # the question itself named a target: answer it without them
        return [
            SystemMessage(render(topic_prompt("eraser_answer", task["flagged"]) + "_system")),
            HumanMessage(
                render("eraser_answer_user", targets=describe_targets(task["flagged"]), question=task["question"])
            ),
        ]
    return [
        SystemMessage(render(topic_prompt("eraser", task["flagged"]) + "_system")),
        HumanMessage(
            render(
                "eraser_user",
                targets=describe_targets(task["flagged"]),
                question=task["question"],
                draft=unseal(task["draft"]),
            )
        ),
    ]


def erase(task: EraseTask, runtime: Runtime[Context], *, models: Models) -> tuple[str, CallRecord]:
    """Write rewrite number ``task['index']`` (returned sealed, with its call record)."""
    context = run_context(runtime.context)
    model, name = models.get("eraser", context, context.eraser_temperature)
    rewrite, record = call_text("eraser", model, name, _messages(task), context)
    return seal(rewrite), record


async def aerase(task: EraseTask, runtime: Runtime[Context], *, models: Models) -> tuple[str, CallRecord]:
    """:func:`erase` on the model's async API."""
    context = run_context(runtime.context)
    model, name = models.get("eraser", context, context.eraser_temperature)
    rewrite, record = await acall_text("eraser", model, name, _messages(task), context)
    return seal(rewrite), record
