"""Eraser agent (AuditErase's rewriting): one rewrite of the draft without the flagged
targets — or, when the question itself named one (flagged before any draft was written),
one answer written straight from the question without them (nothing is waited for that
would be thrown away). The graph sends k of these in parallel; each hands its rewrite straight to its
own critic, so ratings can never be mismatched with rewrites.

For a topic target (``kind`` topic) the prompts are the topic variants
(``prompts/eraser_topic_system.txt``, ``eraser_answer_topic_system.txt``): the hazardous
specifics go, what is safe and general stays, or the eraser answers "I don't know"."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from langgraph.types import Command, Send

from alu.graph.context import Context
from alu.graph.flags import open_flags
from alu.graph.models import Models, acall_text, call_text
from alu.graph.policy import run_context
from alu.graph.sealed import seal, unseal
from alu.graph.state import CallRecord, CritiqueTask, EraseTask, Flag
from alu.prompts import render

__all__ = ["aeraser", "describe_targets", "erase_tasks", "eraser", "topic_prompt"]


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


def erase_tasks(
    question: str, draft: str, flags: list[Flag], window: str, run_targets: list[dict[str, Any]], k: int
) -> list[Send]:
    """The k eraser calls of a flagged run, sent in parallel (``draft`` empty: the
    question named a target and the erasers answer it without the flagged ones)."""
    return [
        Send(
            "eraser",
            EraseTask(index=i, question=question, draft=draft, flagged=flags, window=window, run_targets=run_targets),
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


def _to_critic(task: EraseTask, rewrite: str, record: CallRecord) -> Command:
    critique = CritiqueTask(
        index=task["index"],
        question=task["question"],
        rewrite=seal(rewrite),
        flagged=task["flagged"],
        window=task.get("window", ""),
        run_targets=task.get("run_targets", []),
    )
    return Command(update={"calls": [record]}, goto=Send("critic", critique))


def eraser(task: EraseTask, runtime: Runtime[Context], *, models: Models) -> Command:
    """Write rewrite number ``task['index']`` and send it to the critic."""
    context = run_context(runtime.context)
    model, name = models.get("eraser", context, context.eraser_temperature)
    rewrite, record = call_text("eraser", model, name, _messages(task), context)
    return _to_critic(task, rewrite, record)


async def aeraser(task: EraseTask, runtime: Runtime[Context], *, models: Models) -> Command:
    """:func:`eraser` on the model's async API."""
    context = run_context(runtime.context)
    model, name = models.get("eraser", context, context.eraser_temperature)
    rewrite, record = await acall_text("eraser", model, name, _messages(task), context)
    return _to_critic(task, rewrite, record)
