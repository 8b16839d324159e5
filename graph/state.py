"""Typed state of the ALU graph, with the input and output schemas callers see.

Input: ``{"query": str}`` or chat ``{"messages": [...]}`` (the last human message is the
query, earlier turns are context), plus optional per-run ``targets``, and for the guard
entry ``answer_to_audit`` (an answer made elsewhere, audited instead of a vanilla draft). Output: ``answer``,
``audit`` and, for chat input, ``messages`` with the answer appended. Everything else —
the vanilla draft, the rewrites, the ratings — is internal state: it is not in the output
schema, so it is never returned or streamed to the caller.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

__all__ = [
    "AUDIT_VERSION",
    "Audit",
    "CallRecord",
    "CritiqueTask",
    "Decision",
    "EraseTask",
    "Flag",
    "FlagSource",
    "FlagSummary",
    "FlaggedTarget",
    "InputState",
    "OutputState",
    "Rating",
    "StageError",
    "State",
]

Decision = Literal["passthrough", "rewritten", "refused"]


FlagSource = Literal["match", "judge", "semantic"]


class Flag(TypedDict):
    """A target the auditor flagged, as state holds it: an opaque reference drawn at
    random for this run (``ref``: a hash of the id would let anyone test a guess), how it
    was found, and the target itself *sealed* (:mod:`alu.graph.sealed`; JSON of
    :class:`FlaggedTarget`) — who was flagged is the operator's, and state is visible to a
    caller (thread state, the ``debug``/``tasks``/``checkpoints`` stream modes)."""

    ref: str
    source: FlagSource
    target: str


class FlaggedTarget(TypedDict):
    """A flag opened: the target's id, name and aliases, and the evidence (for a
    deterministic match, the folded words that matched; for the judge, "(indirect
    reference)" — its quote of the draft goes to the trace only)."""

    ref: str
    source: FlagSource
    id: str
    name: str
    aliases: list[str]
    evidence: str
    kind: NotRequired[str]
    """The target's kind (``topic`` picks the agents' topic prompts); absent in old flags."""
    description: NotRequired[str]
    """A topic's description, for its eraser and critic (what counts as hazardous)."""


class FlagSummary(TypedDict, total=False):
    """A flag as the audit record shows it: ``ref`` and ``source`` for a caller; with
    ``audit_view="operator"`` also ``id``, ``name``, ``aliases`` and ``evidence``."""

    ref: str
    source: FlagSource
    id: str
    name: str
    aliases: list[str]
    evidence: str


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


AUDIT_VERSION = 2
"""Version of the audit record's shape: 2 since 0.2.0 (flags as opaque references; error
messages fixed per error class). Version 1 (0.1.0) named the flagged targets."""


class Audit(TypedDict):
    """What happened to a request, returned beside every answer."""

    version: int
    decision: Decision
    flagged: list[FlagSummary]
    ratings: list[RatingSummary]
    calls: int
    call_log: list[CallRecord]
    prompt_tokens: int
    completion_tokens: int
    error: StageError | None


def run_error(state: State | dict) -> StageError | None:
    """The first error of the run (the cause; later ones are consequences), or None."""
    errors = state.get("errors") or []
    return errors[0] if errors else None


class InputState(TypedDict, total=False):
    """What a caller passes: a query or a chat history, and optional per-run targets.

    ``query`` and ``targets`` are this run's only: the first node consumes them, so an
    old query left on a thread never answers a newer ``messages`` input."""

    query: str | None
    messages: Annotated[list[AnyMessage], add_messages]
    targets: list[str | dict[str, Any]] | None
    """Targets to forget for this run only, on top of the tenant's registry."""
    answer_to_audit: str | None
    """The guard entry: an answer made elsewhere (an app's own model or agent) to audit
    instead of drafting one — the vanilla call is skipped. The question still comes from
    ``query`` or the last human message (the judge reads it). A key of its own, distinct
    from the output's ``answer`` (which stays on a thread), consumed by the first node."""


class OutputState(TypedDict, total=False):
    """What a caller gets back."""

    answer: str
    audit: Audit
    messages: Annotated[list[AnyMessage], add_messages]


class State(InputState, OutputState, total=False):
    """Everything the nodes share (internal keys are never returned).

    Every key but ``messages`` is per run: the first node (``intake``) sets or empties it
    at the start of every run on a thread, so nothing a run accumulated (ratings, calls,
    an error, flags, the draft, the question) can reach the next run."""

    question: str
    """The query text the agents work on (from ``query`` or the last human message)."""
    window: str
    """The earlier turns of the thread the run reads (bounded by ``Context.window_*``):
    the vanilla model's context and the auditor's multi-turn reading."""
    chat: bool
    """True for chat input: the answer is appended to ``messages``."""
    run_targets: list[dict[str, Any]]
    """This run's extra targets (from the input's ``targets``), validated."""
    rejection: StageError | None
    """A caller error found by ``intake`` (bad input or context), raised by ``reject``."""
    draft: str | None
    """The vanilla answer, sealed (:mod:`alu.graph.sealed`): never leaves the graph un-audited."""
    flagged: list[Flag]
    ratings: Annotated[list[Rating], operator.add]
    calls: Annotated[list[CallRecord], operator.add]
    errors: Annotated[list[StageError], operator.add]
    """The run's errors, first the cause (see :func:`run_error`); a list so that the
    first node can reset it (LangGraph's ``Overwrite`` needs a channel with a value)."""


class EraseTask(TypedDict):
    """Payload of one eraser call (sent with ``Send``)."""

    index: int
    question: str
    draft: str
    flagged: list[Flag]
    window: str
    run_targets: list[dict[str, Any]]


class CritiqueTask(TypedDict):
    """Payload of one critic call (sent by the eraser that wrote the rewrite)."""

    index: int
    question: str
    rewrite: str
    flagged: list[Flag]
    window: str
    run_targets: list[dict[str, Any]]
