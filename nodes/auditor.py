"""Auditor agent (AuditErase's detection): which targets do the question and draft touch?

Stage 1 is deterministic and model-free (:mod:`alu.graph.conversation` over :mod:`alu.shortlist`):
direct mentions of a name or alias are flagged outright, so no prompt injection can talk
the auditor out of them, and the thread's window is read with the current exchange (a
target handed out in pieces over turns is flagged by the run that completes it). Stage 2
asks a judge model about the shortlisted *candidates only* (partial names, keyword cues, a
target named earlier in the window) — never the full forget list — and only when there
are candidates. A topic among them gets the topic-aware instruction
(``prompts/auditor_topic_system.txt``: hazardous specifics only). The judge's references
then stand only on evidence that could be one (:func:`judged_flags`): quoted from the
exchange, for a person more than another person's given name
(:mod:`alu.graph.evidence`), and for a topic, with the semantic stage on, evidence that
itself reads as the topic by meaning. On the async path stage 1 runs in a worker thread (it is CPU-bound and
reads the store), so the event loop never stalls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.graph import END
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from alu.domain import Target
from alu.graph import metrics
from alu.graph.allow import mask_allowed, read_exchange_allowed
from alu.graph.context import Context
from alu.graph.evidence import names_someone_else, quoted
from alu.graph.flags import make_flag
from alu.graph.limits import admit_flagged
from alu.graph.models import Models, acall_structured, call_structured
from alu.graph.policy import run_context
from alu.graph.sealed import unseal
from alu.graph.semantic import SemanticStage, semantic_runs
from alu.graph.state import CallRecord, State
from alu.graph.tracing import annotate_run
from alu.nodes.audit import finish, limit_error
from alu.prompts import render
from alu.registry import Shortlist, cache_stats, raw_check_age

__all__ = [
    "EVIDENCE_CHARS",
    "AuditVerdict",
    "aauditor",
    "auditor",
    "judge_prompts",
    "judged_flags",
    "quoted",
    "route_after_audit",
]


EVIDENCE_CHARS = 120
"""A quote of a few words, not a sentence: the verdict must fit its reply cap
(:data:`alu.graph.models.STRUCTURED_MIN_TOKENS`) with room for several references."""


class Reference(BaseModel):
    """One candidate the text refers to."""

    id: Annotated[str, Field(max_length=120, description="the candidate's id, as listed")]
    evidence: Annotated[
        str, Field(max_length=EVIDENCE_CHARS, description="the exact words of the text that refer to it, copied")
    ]


class AuditVerdict(BaseModel):
    """Candidates referred to by the question or answer (empty when none)."""

    referenced: Annotated[list[Reference], Field(max_length=16)] = Field(default_factory=list)


def judge_prompts(question: str, draft: str, candidates: list, window: str = "") -> tuple[str, str]:
    """The judge's system and user prompts: the shortlisted candidates only. With a topic
    among them the system prompt is the topic variant (``prompts/auditor_topic_system.txt``:
    a topic is referred to by hazardous specifics only, never by general education), and
    each topic is marked as one."""
    listing = "\n".join(
        f"- id: {t.id} | "
        + ("topic: " if t.kind == "topic" else "")
        + t.name
        + (f" (also: {', '.join(t.aliases[:5])})" if t.aliases else "")
        + (f" — {t.description[:160]}" if t.description else "")
        for t in candidates
    )
    system = "auditor_topic_system" if any(t.kind == "topic" for t in candidates) else "auditor_system"
    return render(system), render("auditor_user", candidates=listing, window=window, question=question, draft=draft)


@dataclass(frozen=True)
class Found:
    """Stage 1's result: the name matcher's shortlist, and the semantic stage's flags
    (target, the sentence that scored) and judge candidates."""

    shortlist: Shortlist
    draft: str
    semantic_flags: list[tuple[Target, str]]
    semantic_candidates: list[Target]


def _detect(state: State, runtime: Runtime[Context], context: Context, semantic: SemanticStage) -> Found:
    """Stage 1: the exchange (question and draft) read with the thread's window, by name
    and, with ``Context.semantic``, by meaning."""
    started = time.perf_counter()
    draft = unseal(state["draft"] or "")
    extra = state.get("run_targets") or ()
    allow = context.allow_phrases
    found, _, window = read_exchange_allowed(
        f"{state['question']}\n{draft}",
        state.get("window") or "",
        store=runtime.store,
        tenant=context.tenant,
        extra=extra,
        size=context.shortlist_size,
        allow=allow,
    )
    flags: list[tuple[Target, str]] = []
    candidates: list[Target] = []
    if semantic_runs(context.semantic, store=runtime.store, tenant=context.tenant, extra=extra):
        # by meaning, allow-listed phrases taken out (never a person's flag)
        texts = {
            "question": mask_allowed(state["question"], allow),
            "window": window,
            "draft": mask_allowed(draft, allow),
        }
        hits, targets = semantic.search(
            texts, store=runtime.store, tenant=context.tenant, extra=extra, thresholds=context.semantic_thresholds
        )
        direct = {m.target_id for m in found.direct}
        for hit in hits:
            target = targets.get(hit.target_id)
            if target is None or hit.target_id in direct:
                continue
            if hit.band == "flag":
                flags.append((target, hit.evidence))
                direct.add(hit.target_id)
            elif len(candidates) < context.shortlist_size:
                candidates.append(target)
        annotate_run({"alu_semantic_hits": [(h.target_id, h.band, round(h.score, 3)) for h in hits[:8]]})
    if metrics.enabled():
        metrics.record_stage("detect", time.perf_counter() - started)
        if runtime.store is not None:
            store, tenant = runtime.store, context.tenant
            metrics.record_registry(store, tenant, cache_stats(store, tenant), raw_check_age(store, tenant))
    return Found(found, draft, flags, candidates)


def _judge_request(state: State, found: Found, context: Context) -> tuple[dict[str, Target], list[BaseMessage]] | None:
    if context.audit_mode != "judge":
        return None
    shortlist = found.shortlist
    flagged = {m.target_id for m in shortlist.direct} | {t.id for t, _ in found.semantic_flags}
    candidates = {m.target_id: shortlist.targets[m.target_id] for m in shortlist.candidates}
    candidates.update({t.id: t for t in found.semantic_candidates})
    candidates = {tid: t for tid, t in candidates.items() if tid not in flagged}
    if not candidates:
        return None
    system, user = judge_prompts(state["question"], found.draft, list(candidates.values()), state.get("window") or "")
    return candidates, [SystemMessage(system), HumanMessage(user)]


def judged_flags(
    verdict: AuditVerdict | None,
    candidates: dict[str, Target],
    texts: list[str],
    already: Collection[str] = (),
    reads_as: Callable[[str, Target], bool] | None = None,
) -> tuple[list[Reference], list[tuple[str, str]]]:
    """The judge's references that stand, and the ``(id, reason)`` of those dropped.

    A reference stands when it names a listed candidate not flagged already and its
    evidence is a reference: quoted from the exchange (else ``not_quoted``: made up), for
    a person not only another person's given name (``someone_else``: "John Kander" for
    John Candy), and for a topic, when ``reads_as`` is given (the semantic stage is on),
    evidence that itself reads as the topic by meaning (``not_topic``: "Aurelio Beltrán"
    or "C. Tuberculosis" is no biosecurity evidence, however the judge labels it).
    """
    kept: list[Reference] = []
    dropped: list[tuple[str, str]] = []
    seen = set(already)
    for ref in verdict.referenced if verdict else ():
        target = candidates.get(ref.id)
        if target is None or ref.id in seen:
            continue
        if not quoted(ref.evidence, texts):
            dropped.append((ref.id, "not_quoted"))
        elif names_someone_else(ref.evidence, target):
            dropped.append((ref.id, "someone_else"))
        elif target.kind == "topic" and reads_as is not None and not reads_as(ref.evidence, target):
            dropped.append((ref.id, "not_topic"))
        else:
            kept.append(ref)
            seen.add(ref.id)
    return kept, dropped


def _topic_reader(
    state: State, runtime: Runtime[Context], context: Context, semantic: SemanticStage
) -> Callable[[str, Target], bool] | None:
    """With the semantic stage on: does a judge's evidence read as the topic, scored
    alone, at least in the topic's candidate band (the operator's bands)?"""
    if not semantic_runs(
        context.semantic, store=runtime.store, tenant=context.tenant, extra=state.get("run_targets") or ()
    ):
        return None

    def reads_as(evidence: str, target: Target) -> bool:
        hits, _ = semantic.search(
            {"question": mask_allowed(evidence, context.allow_phrases)},
            store=runtime.store,
            tenant=context.tenant,
            extra=state.get("run_targets") or (),
            thresholds=context.semantic_thresholds,
        )
        return any(h.target_id == target.id for h in hits)

    return reads_as


def _result(
    state: State,
    runtime: Runtime[Context],
    found: Found,
    context: Context,
    semantic: SemanticStage,
    verdict: AuditVerdict | None,
    candidates: dict[str, Target],
    calls: list[CallRecord],
) -> dict:
    shortlist = found.shortlist
    flagged = [make_flag(shortlist.targets[m.target_id], m.span, "match") for m in shortlist.direct]
    ids = [m.target_id for m in shortlist.direct]
    for target, evidence in found.semantic_flags:  # the sentence that scored: the operator's
        flagged.append(make_flag(target, evidence, "semantic"))
        ids.append(target.id)
    if verdict is not None:
        texts = [state["question"], found.draft, state.get("window") or ""]
        reader = _topic_reader(state, runtime, context, semantic)
        kept, dropped = judged_flags(verdict, candidates, texts, ids, reader)
        for ref in kept:  # the judge's evidence quotes the draft: it goes to the trace, not the caller
            flagged.append(make_flag(candidates[ref.id], "(indirect reference)", "judge"))
            ids.append(ref.id)
            if context.trace_texts != "redacted":
                annotate_run({f"alu_evidence_{ref.id}": ref.evidence})
        if dropped:
            annotate_run({"alu_judge_dropped": dropped})
    annotate_run({"alu_tenant": context.tenant, "alu_flagged": ids, "alu_candidates": len(candidates)})
    version = shortlist.version or state.get("registry_version")
    if flagged:
        return {"flagged": flagged, "calls": calls, "registry_version": version}
    return {
        "flagged": [],
        "registry_version": version,
        **finish(
            state,
            answer=found.draft,
            decision="passthrough",
            view=context.audit_view,
            tenant=context.tenant,
            calls=calls,
            registry_version=version,
        ),
    }


def _admitted(result: dict, runtime: Runtime[Context], context: Context) -> dict:
    """A flagged result past the tenant's cap on flagged runs: refused by the composer
    (no rewrite is written: that is the cost the cap bounds)."""
    if result.get("flagged") and not admit_flagged(runtime.store, context):
        return {**result, "errors": [limit_error("auditor")]}
    return result


def auditor(state: State, runtime: Runtime[Context], *, models: Models, semantic: SemanticStage) -> dict:
    """Flag the targets the exchange refers to; finish the run when there are none."""
    context = run_context(runtime.context)
    found = _detect(state, runtime, context, semantic)
    request = _judge_request(state, found, context)
    if request is None:
        return _admitted(_result(state, runtime, found, context, semantic, None, {}, []), runtime, context)
    candidates, messages = request
    model, name = models.get("auditor", context, context.judge_temperature)
    verdict, record = call_structured(
        "auditor", model, name, messages, AuditVerdict, context.structured_output_method, context
    )
    result = _result(state, runtime, found, context, semantic, verdict, candidates, [record])
    return _admitted(result, runtime, context)


async def aauditor(state: State, runtime: Runtime[Context], *, models: Models, semantic: SemanticStage) -> dict:
    """:func:`auditor` on the async path: stage 1 off the event loop, the judge awaited."""
    context = run_context(runtime.context)
    found = await asyncio.to_thread(_detect, state, runtime, context, semantic)
    request = _judge_request(state, found, context)
    if request is None:
        result = _result(state, runtime, found, context, semantic, None, {}, [])
        return await asyncio.to_thread(_admitted, result, runtime, context)
    candidates, messages = request
    model, name = models.get("auditor", context, context.judge_temperature)
    verdict, record = await acall_structured(
        "auditor", model, name, messages, AuditVerdict, context.structured_output_method, context
    )
    # the topic check embeds the evidence, and the cap may read the store: off the event loop
    result = await asyncio.to_thread(_result, state, runtime, found, context, semantic, verdict, candidates, [record])
    return await asyncio.to_thread(_admitted, result, runtime, context)


def route_after_audit(state: State) -> str:
    """To END when nothing is flagged; otherwise to the composer (which owns the k rewrites)."""
    return "composer" if state.get("flagged") else END
