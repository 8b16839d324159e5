"""Typed state of the ALU graph, with the input and output schemas callers see.

Input: ``{"query": str}`` or chat ``{"messages": [...]}`` (the last human message is the
query, earlier turns are context), plus optional per-run ``targets``. Output: ``answer``,
``audit`` and, for chat input, ``messages`` with the answer appended. Everything else —
the vanilla draft, the rewrites, the ratings — is internal state: it is not in the output
schema, so it is never returned or streamed to the caller.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

__all__ = [
    "InputState",
    "OutputState",
    "State",
    "Audit",
    "Flag",
    "Rating",
    "CallRecord",
    "StageError",
    "EraseTask",
    "CritiqueTask",
    "Decision",
]

Decision = Literal["passthrough", "rewritten", "refused"]


class Flag(TypedDict):
    """A target the auditor found: for a deterministic match, the (folded) words that
    matched; for the judge's flags, "(indirect reference)" — its quote of the draft goes
    to the trace only."""

    id: str
    name: str
    aliases: list[str]
    evidence: str
    source: Literal["match", "judge"]


class Rating(TypedDict):
    """The critic's verdict on one rewrite (``text`` and ``reason`` sealed: internal)."""

    index: int
    text: str
    rating: int
    critic_rating: int | None
    reason: str
    names_target: bool


class RatingSummary(TypedDict):
    """A rating as the audit record shows it: numbers only, no rewrite text."""

    index: int
    rating: int
    critic_rating: int | None
    names_target: bool


class CallRecord(TypedDict):
    """One model call: which agent, which model, tokens and time."""

    agent: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


class StageError(TypedDict):
    """Why a run was refused: the stage (node) that failed and the error."""

    stage: str
    type: str
    message: str


class Audit(TypedDict):
    """What happened to a request, returned beside every answer."""

    decision: Decision
    flagged: list[Flag]
    ratings: list[RatingSummary]
    calls: int
    call_log: list[CallRecord]
    prompt_tokens: int
    completion_tokens: int
    error: StageError | None


def first_error(left: StageError | None, right: StageError | None) -> StageError | None:
    """Keep the first error of a run: it is the cause; later ones are consequences."""
    return left if left else right


class InputState(TypedDict, total=False):
    """What a caller passes: a query or a chat history, and optional per-run targets."""

    query: str
    messages: Annotated[list[AnyMessage], add_messages]
    targets: list[str | dict[str, Any]]
    """Targets to forget for this run only, on top of the tenant's registry."""


class OutputState(TypedDict, total=False):
    """What a caller gets back."""

    answer: str
    audit: Audit
    messages: Annotated[list[AnyMessage], add_messages]


class State(InputState, OutputState, total=False):
    """Everything the nodes share (internal keys are never returned)."""

    question: str
    """The query text the agents work on (from ``query`` or the last human message)."""
    history: str
    """Earlier human turns, scanned by the auditor for targets the query refers back to."""
    draft: str
    """The vanilla answer, sealed (:mod:`alu.sealed`): never leaves the graph un-audited."""
    flagged: list[Flag]
    ratings: Annotated[list[Rating], operator.add]
    calls: Annotated[list[CallRecord], operator.add]
    error: Annotated[StageError | None, first_error]


class EraseTask(TypedDict):
    """Payload of one eraser call (sent with ``Send``)."""

    index: int
    question: str
    draft: str
    flagged: list[Flag]


class CritiqueTask(TypedDict):
    """Payload of one critic call (sent by the eraser that wrote the rewrite)."""

    index: int
    question: str
    rewrite: str
    flagged: list[Flag]
