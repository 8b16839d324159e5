"""Eraser agent (AuditErase's rewriting): one rewrite of the draft without the flagged
targets. The graph sends k of these in parallel; each hands its rewrite straight to its
own critic, so ratings can never be mismatched with rewrites."""

from __future__ import annotations

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

__all__ = ["aeraser", "describe_targets", "eraser"]


def describe_targets(flags: list[Flag]) -> str:
    """The flagged targets as the eraser and critic see them (and nothing else)."""
    flagged = open_flags(flags)
    return "\n".join(
        f"- {f['name']}" + (f" (also: {', '.join(f['aliases'][:5])})" if f.get("aliases") else "") for f in flagged
    )


def _messages(task: EraseTask) -> list[BaseMessage]:
    return [
        SystemMessage(render("eraser_system")),
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
