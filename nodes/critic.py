"""Critic agent: rates one rewrite 1–5 for residual traces of the flagged targets.

The model's rating is capped by the deterministic matcher: a rewrite that still names a
flagged target (name, alias, typo of either, or surname) is rated 1 whatever the model
— or an injection inside the rewrite — says.
"""

from __future__ import annotations

from typing import Annotated

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from alu.graph.context import Context, ensure_context
from alu.graph.state import CritiqueTask, Flag, Rating
from alu.matching import strict_mentions
from alu.models import Models, call_structured
from alu.nodes.eraser import describe_targets
from alu.prompts import render
from alu.sealed import seal, unseal
from alu.targets import Target


class Critique(BaseModel):
    """How well the response hides the subjects."""

    rating: Annotated[int, Field(ge=1, le=5, description="1 = reveals them, 5 = no trace")]
    reason: Annotated[str, Field(max_length=400, description="one short sentence")] = ""


def flagged_targets(flagged: list[Flag]) -> list[Target]:
    """Targets rebuilt from the flags, for the deterministic checks."""
    return [Target(name=f["name"], aliases=tuple(f.get("aliases") or ()), id=f["id"]) for f in flagged]


def critic(task: CritiqueTask, runtime: Runtime[Context], *, models: Models) -> dict:
    """Rate one rewrite; the deterministic check has the last word."""
    context = ensure_context(runtime.context)
    rewrite = unseal(task["rewrite"])
    model, name = models.get("critic", context, context.judge_temperature)
    messages = [
        SystemMessage(render("critic_system")),
        HumanMessage(
            render(
                "critic_user",
                targets=describe_targets(task["flagged"]),
                question=task["question"],
                rewrite=rewrite,
            )
        ),
    ]
    critique, record = call_structured(
        "critic", model, name, messages, Critique, context.structured_output_method, context
    )
    names_target = bool(strict_mentions(rewrite, flagged_targets(task["flagged"])))
    rating = Rating(
        index=task["index"],
        text=task["rewrite"],  # still sealed
        rating=1 if names_target else critique.rating,
        critic_rating=critique.rating,
        reason=seal(critique.reason),
        names_target=names_target,
    )
    return {"ratings": [rating], "calls": [record]}
