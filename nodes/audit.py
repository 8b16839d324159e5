"""Assembling the final answer and its audit record (one shape for every way a run ends)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage

from alu.graph.state import Audit, CallRecord, Decision, Flag, Rating, RatingSummary, StageError, State, run_error
from alu.graph.tracing import annotate_run

__all__ = ["finish", "stage_error"]


def stage_error(stage: str, error: BaseException) -> StageError:
    """The audit record's account of the error that forced a refusal."""
    message = " ".join(str(error).split())[:500] or type(error).__name__
    return StageError(stage=stage, type=type(error).__name__, message=message)


def finish(
    state: State,
    *,
    answer: str,
    decision: Decision,
    calls: Sequence[CallRecord] = (),
    ratings: Sequence[Rating] | None = None,
    error: StageError | None = None,
) -> dict[str, Any]:
    """The output keys of a finished run: ``answer``, ``audit`` and, for chat input,
    the answer appended to ``messages``. ``calls`` are this node's own calls, not yet in
    ``state``."""
    log = [*state.get("calls", []), *calls]
    flagged: list[Flag] = list(state.get("flagged") or [])
    audit: Audit = {
        "decision": decision,
        "flagged": flagged,
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
    annotate_run(
        {
            "alu_decision": decision,
            "alu_flagged": [f["id"] for f in flagged],
            "alu_error_stage": record["stage"] if (record := audit["error"]) else None,
        },
        tags=[f"alu:{decision}"],
    )
    update: dict[str, Any] = {"answer": answer, "audit": audit}
    if calls:
        update["calls"] = list(calls)
    if state.get("chat"):
        update["messages"] = [AIMessage(content=answer)]
    return update
