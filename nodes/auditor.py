"""Auditor agent (AuditErase's detection): which targets do the query and draft touch?

Stage 1 is deterministic and model-free (:mod:`alu.shortlist`): direct mentions of a
name or alias are flagged outright, so no prompt injection can talk the auditor out of
them. Stage 2 asks a judge model about the shortlisted *candidates only* (partial names,
keyword cues) — never the full forget list — and only when there are candidates.
"""

from __future__ import annotations

from typing import Annotated

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import BaseModel, Field

from alu.audit import finish
from alu.graph.context import Context, ensure_context
from alu.graph.state import EraseTask, Flag, State
from alu.models import Models, call_structured
from alu.prompts import render
from alu.sealed import unseal
from alu.shortlist import shortlist
from alu.tracing import annotate_run


class Reference(BaseModel):
    """One candidate the text refers to."""

    id: Annotated[str, Field(max_length=120, description="the candidate's id, as listed")]
    evidence: Annotated[str, Field(max_length=300, description="the exact words that refer to it")]


class AuditVerdict(BaseModel):
    """Candidates referred to by the question or answer (empty when none)."""

    referenced: Annotated[list[Reference], Field(max_length=16)] = Field(default_factory=list)


def _flag(target, evidence: str, source: str) -> Flag:
    return Flag(id=target.id, name=target.name, aliases=list(target.aliases), evidence=evidence, source=source)


def judge_prompts(question: str, draft: str, candidates: list) -> tuple[str, str]:
    """The judge's system and user prompts: the shortlisted candidates only."""
    listing = "\n".join(
        f"- id: {t.id} | {t.name}"
        + (f" (also: {', '.join(t.aliases[:5])})" if t.aliases else "")
        + (f" — {t.description[:160]}" if t.description else "")
        for t in candidates
    )
    return render("auditor_system"), render("auditor_user", candidates=listing, question=question, draft=draft)


def auditor(state: State, runtime: Runtime[Context], *, models: Models) -> dict:
    """Flag the targets the exchange refers to; finish the run when there are none."""
    context = ensure_context(runtime.context)
    draft = unseal(state["draft"])
    text = "\n".join(filter(None, [state.get("history"), state["question"], draft]))
    found = shortlist(
        text,
        store=runtime.store,
        tenant=context.tenant,
        extra=state.get("targets") or (),
        size=context.shortlist_size,
    )
    flagged = [_flag(found.targets[m.target_id], m.span, "match") for m in found.direct]
    calls = []
    if found.candidates and context.audit_mode == "judge":
        candidates = {m.target_id: found.targets[m.target_id] for m in found.candidates}
        model, name = models.get("auditor", context, context.judge_temperature)
        system, user = judge_prompts(state["question"], draft, list(candidates.values()))
        messages = [SystemMessage(system), HumanMessage(user)]
        verdict, record = call_structured(
            "auditor", model, name, messages, AuditVerdict, context.structured_output_method, context
        )
        calls.append(record)
        for ref in verdict.referenced:
            if ref.id in candidates and all(f["id"] != ref.id for f in flagged):
                # the judge's evidence quotes the draft: it goes to the trace, not the caller
                flagged.append(_flag(candidates[ref.id], "(indirect reference)", "judge"))
                annotate_run({f"alu_evidence_{ref.id}": ref.evidence})
    annotate_run(
        {"alu_tenant": context.tenant, "alu_flagged": [f["id"] for f in flagged], "alu_candidates": len(found.candidates)}
    )
    if flagged:
        return {"flagged": flagged, "calls": calls}
    return {"flagged": [], **finish(state, answer=draft, decision="passthrough", calls=calls)}


def route_after_audit(state: State, runtime: Runtime[Context]) -> list[Send] | str:
    """To END when nothing is flagged; otherwise k eraser calls in parallel."""
    if not state.get("flagged"):
        return END
    context = ensure_context(runtime.context)
    return [
        Send(
            "eraser",
            EraseTask(index=i, question=state["question"], draft=state["draft"], flagged=state["flagged"]),
        )
        for i in range(context.k)
    ]
