"""Error handler of every node: a failure after retries refuses, it never leaks.

Bad input (empty query, invalid context or target) is the caller's to fix, so it is
raised to the caller with its message. Any other failure is recorded as the run's error
and sent to the composer, which refuses without calling a model; if the composer itself
failed, the refusal is written here.
"""

from __future__ import annotations

from langgraph.errors import NodeError
from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command

from alu.domain import InvalidTargetError
from alu.graph.context import DEFAULT_REFUSAL, Context, InvalidContextError
from alu.graph.flags import AuditView
from alu.graph.inputs import InvalidInputError
from alu.graph.policy import operator_context, run_context
from alu.graph.state import State
from alu.nodes.audit import finish, stage_error

CALLER_ERRORS = (InvalidInputError, InvalidContextError, InvalidTargetError)


def fail_closed(state: State, error: NodeError, runtime: Runtime[Context] | None = None) -> Command:
    """Route a failed node's run to the refusal, recording the stage and the error."""
    if isinstance(error.error, CALLER_ERRORS):
        raise error.error
    refusal: str = DEFAULT_REFUSAL
    view: AuditView = "caller"
    tenant = "default"
    redact = True  # no settings readable: the safer choice for the trace
    for settings in (lambda: run_context(getattr(runtime, "context", None)), operator_context):
        try:
            context = settings()
        except InvalidContextError:
            continue
        refusal, view, tenant = context.refusal, context.audit_view, context.tenant
        redact = context.trace_texts == "redacted"
        break
    record = stage_error(error.node, error.error, redact=redact)
    if error.node != "composer":
        return Command(update={"errors": [record]}, goto="composer")
    return Command(
        update={
            **finish(state, answer=refusal, decision="refused", view=view, tenant=tenant, error=record),
            "errors": [record],
        },
        goto=END,
    )
