"""Assembling the final answer and its audit record (one shape for every way a run ends).

The record (version :data:`~alu.graph.state.AUDIT_VERSION`) is what a caller sees: the
decision, counts, ratings as numbers, each flag as an opaque per-run reference, and for a
refusal caused by an error the stage, the error's type and a fixed description of its
class — never text from a model or from a provider's error body (a model server's 500
body can quote the generated text, and the generated text may be what must be forgotten).
Who was flagged is the operator's: in traces (``alu_flagged``, ``alu_flag_refs``) and in
the record only with ``audit_view="operator"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage

from alu.graph.flags import AuditView, open_flags, summarize
from alu.graph.limits import record_usage
from alu.graph.metrics import record_run
from alu.graph.state import (
    AUDIT_VERSION,
    Audit,
    CallRecord,
    Decision,
    Flag,
    Rating,
    RatingSummary,
    StageError,
    State,
    run_error,
)
from alu.graph.tracing import annotate_run

__all__ = ["ERROR_DESCRIPTIONS", "describe_error", "finish", "limit_error", "stage_error"]

_NO_SEMANTIC_EXTRA = (
    "the semantic stage (topics and works) needs the `semantic` extra:"
    ' pip install "langgraph-alu[semantic]", or set ALU_SEMANTIC=0'
)
ERROR_DESCRIPTIONS: dict[str, str] = {
    "ModelDeadlineError": "the model gave no complete reply within the deadline",
    "ModelOutputError": "the model's reply was empty or did not match the expected structure",
    "SealError": "the run's internal state could not be opened (a different ALU_STATE_KEY?)",
    "MissingRatings": "not every rewrite was rated",
    "FlaggedWorkLimitError": "the tenant's limit of flagged answers per minute was reached",
    "SemanticStageUnavailable": _NO_SEMANTIC_EXTRA,
    "EmbeddingsUnavailable": _NO_SEMANTIC_EXTRA,
    "APITimeoutError": "the model provider did not answer in time",
    "APIConnectionError": "the model provider could not be reached",
    "RateLimitError": "the model provider refused the request (rate limit)",
    "InternalServerError": "the model provider failed with a server error",
    "APIStatusError": "the model provider answered with an error status",
    "BadRequestError": "the model provider rejected the request",
    "AuthenticationError": "the model provider refused the credentials",
    "PermissionDeniedError": "the model provider refused the request (permission)",
    "NotFoundError": "the model provider does not know the model or endpoint",
    "JSONDecodeError": "the model provider's reply was not valid JSON",
    "ConnectionError": "a connection failed",
    "TimeoutError": "an operation timed out",
    "ValidationError": "a reply did not match the expected structure",
    "OutputParserException": "a reply did not match the expected structure",
}
"""The fixed description of each error class in the audit record (by class name, for a
class and its bases); anything else is "the stage failed"."""


def limit_error(stage: str) -> StageError:
    """The refusal's error when the tenant is past the operator's cap on flagged runs
    (:mod:`alu.graph.limits`)."""
    return StageError(stage=stage, type="FlaggedWorkLimitError", message=describe_error("FlaggedWorkLimitError"))


def describe_error(error: BaseException | str) -> str:
    """The fixed description of an error's class (its own, else its nearest base's)."""
    if isinstance(error, str):
        return ERROR_DESCRIPTIONS.get(error, "the stage failed")
    for cls in type(error).__mro__:
        if cls.__name__ in ERROR_DESCRIPTIONS:
            return ERROR_DESCRIPTIONS[cls.__name__]
    return "the stage failed"


def stage_error(stage: str, error: BaseException, *, redact: bool = False) -> StageError:
    """The audit record's account of the error that forced a refusal: no text of the
    error itself (it may quote a model's output); the trace has the exception's text
    unless ``redact`` (``Context.trace_texts="redacted"``)."""
    if not redact:
        annotate_run({"alu_error_detail": " ".join(str(error).split())[:500]})
    return StageError(stage=stage, type=type(error).__name__, message=describe_error(error))


def finish(
    state: State,
    *,
    answer: str,
    decision: Decision,
    view: AuditView = "caller",
    tenant: str = "default",
    calls: Sequence[CallRecord] = (),
    ratings: Sequence[Rating] | None = None,
    error: StageError | None = None,
    registry_version: str | None = None,
) -> dict[str, Any]:
    """The output keys of a finished run: ``answer``, ``audit`` and, for chat input,
    the answer appended to ``messages``. ``calls`` are this node's own calls, not yet in
    ``state``; ``view`` is the context's ``audit_view``; ``tenant`` is whose usage and
    metrics the run counts in (:mod:`alu.graph.limits`, :mod:`alu.graph.metrics`). The
    operator's record also names the registry version the run applied
    (``registry_version``, default the state's: a ledger entry at or before it was in
    force; a caller's record does not: a change of version would tell a caller that the
    forget list changed)."""
    log = [*state.get("calls", []), *calls]
    flags: list[Flag] = list(state.get("flagged") or [])
    audit: Audit = {
        "version": AUDIT_VERSION,
        "decision": decision,
        "flagged": summarize(flags, view),
        # the rewrites and the critics' reasons are sealed internals: only the numbers go out
        "ratings": [
            RatingSummary(
                index=r["index"], rating=r["rating"], critic_rating=r["critic_rating"], names_target=r["names_target"]
            )
            for r in sorted(ratings if ratings is not None else state.get("ratings", []), key=lambda r: r["index"])
        ],
        "calls": len(log),
        "call_log": log,
        "prompt_tokens": sum(c["prompt_tokens"] for c in log),
        "completion_tokens": sum(c["completion_tokens"] for c in log),
        "error": error if error is not None else run_error(state),
    }
    version = registry_version or state.get("registry_version")
    if view == "operator":
        audit["registry_version"] = version
    opened = open_flags(flags)
    annotate_run(
        {
            "alu_decision": decision,
            "alu_flagged": [f["id"] for f in opened],
            "alu_flag_refs": {f["ref"]: f["id"] for f in opened},
            "alu_error_stage": record["stage"] if (record := audit["error"]) else None,
            "alu_registry_version": version,
        },
        tags=[f"alu:{decision}"],
    )
    record_usage(tenant, log)
    record_run(tenant, decision, flags, log, audit["error"])
    update: dict[str, Any] = {"answer": answer, "audit": audit}
    if calls:
        update["calls"] = list(calls)
    if state.get("chat"):
        update["messages"] = [AIMessage(content=answer)]
    return update
