"""``UnlearningMiddleware``: ALU on the answers of a LangChain ``create_agent`` agent.

Why one module of 470 lines: the sync and async twins of four hooks, which must stay in
step (the guard run and the streaming hold are in alu/middleware/guard.py).

Hooks (LangChain 1.x ``AgentMiddleware``):

- ``wrap_model_call`` / ``awrap_model_call``: the app's model is called with the
  streaming callback handlers removed (:func:`alu.middleware.guard.held_stream`), so no
  token of its reply reaches any stream mode while it is being made. The reply is then
  audited by the ALU graph's guard entry and, when a target is flagged, replaced — same
  message id — *before* it leaves the model node. The un-audited message is therefore
  never a state update: it is in no checkpoint, no ``values``/``updates`` chunk, no
  ``messages`` event, and not in the model's next turn; every later hook (``after_model``
  of other middleware: human-in-the-loop, PII) sees the audited one.
- ``wrap_tool_call`` / ``awrap_tool_call``: the result of a ``return_direct`` tool (which
  ends the run without the model) is audited like a final answer; optionally
  (``audit_tool_results``) a tool result that names a target is rewritten before the
  model reads it.
- ``before_agent``: clears the run's audit records.

What is audited on each model turn:

- a final answer (an AI message without tool calls): the graph's full audit, rewritten
  or refused when flagged;
- a structured response (``response_format``, tool or provider strategy): its JSON with
  the message text; when flagged, the rewrite is used only if it still parses into the
  schema, else the turn is refused (``structured_response`` None, the refusal as text);
- a turn that calls tools: its text, by the same audit (rewritten when flagged; the
  tool calls go on). Its *arguments* count as leaving the system — they go to tools
  that may send them out (a search query, an e-mail) and to the caller, in every stream
  mode and the returned state — so by default (``audit_tool_args=True``) they are checked
  deterministically (names, aliases, typos, hidden forms, the window rule with the
  question) and a turn whose arguments name a target is refused: the tool is not called,
  the refusal is the answer. ``audit_tool_args=False`` (tools internal, callers who never
  see tool calls) or a set of tool names narrows it.

Tenant and policy are the operator's: the middleware's own ``context``/``tenant`` (the
code that builds the agent is the operator), then — on LangGraph server with ALU's auth —
the authenticated user's ``alu_tenant``/``alu_policy``. The agent's ``runtime.context``
has the app's schema and is never read.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Awaitable, Callable, Collection, Generator, Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Any, NotRequired, TypedDict

from langchain.agents.middleware.types import (
    AgentMiddleware,
    AgentState,
    ExtendedModelResponse,
    ModelRequest,
    ModelResponse,
    OmitFromInput,
)
from langchain.agents.structured_output import (
    AutoStrategy,
    OutputToolBinding,
    ProviderStrategy,
    ProviderStrategyBinding,
    ToolStrategy,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from langgraph.types import Command, Overwrite

from alu.graph.context import Context, InvalidContextError
from alu.graph.conversation import names_a_target
from alu.graph.policy import auth_user, operator_context
from alu.graph.state import Audit, Decision, StageError
from alu.middleware.guard import GuardGraphs, GuardResult, Turn, arun_guard, guard_input, held_stream, run_guard

__all__ = ["AgentAudit", "UnlearningMiddleware", "UnlearningState"]

_REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")


class AgentAudit(TypedDict):
    """What ALU did with one turn of the agent (``alu_audit`` / ``alu_audits`` in state)."""

    turn: Turn
    """``answer`` (a final message), ``structured``, ``return_direct``, ``tool_call`` (a
    turn's text), ``tool_args`` (a turn refused for its arguments), ``tool_result``."""
    message_id: str | None
    """The id of the message audited (kept by its replacement)."""
    decision: Decision
    calls: int
    """ALU's own model calls for this turn (judge, erasers, critics, composer)."""
    latency_s: float
    error: StageError | None
    record: Audit | None
    """The ALU graph's audit record (None for the deterministic tool-argument check)."""


def _latest(old: Any, new: Any) -> Any:
    return new


class UnlearningState(AgentState[Any]):
    """The agent state keys the middleware adds (in the agent's output; not its input).
    LangGraph takes a channel's reducer from the *last* annotation: keep it last."""

    alu_audit: NotRequired[Annotated[AgentAudit | None, OmitFromInput, _latest]]
    """The audit of the turn that ended the run (the final answer)."""
    alu_audits: NotRequired[Annotated[list[AgentAudit], OmitFromInput, operator.add]]
    """Every audited turn of the run, in order (cleared when a run starts)."""


class _Ask:
    """A request from the review logic to run the guard graph (sync or async driver)."""

    def __init__(self, messages: Sequence[AnyMessage], answer: str):
        self.messages = messages
        self.answer = answer


Review = Generator[_Ask, GuardResult, Any]


def _text(message: BaseMessage) -> str:
    return (message.text if hasattr(message, "text") else str(message.content or "")).strip()


def _reasoning(message: AIMessage) -> str:
    """Reasoning a provider returns beside the text (content blocks, additional kwargs)."""
    parts: list[str] = []
    if isinstance(message.content, list):
        for block in message.content:
            if isinstance(block, dict) and block.get("type") in ("reasoning", "thinking"):
                value = block.get("reasoning") or block.get("thinking") or block.get("text")
                if isinstance(value, str):
                    parts.append(value)
    for key in _REASONING_KEYS:
        value = message.additional_kwargs.get(key)
        if isinstance(value, str):
            parts.append(value)
    return "\n".join(p for p in parts if p.strip())


def _draft(message: AIMessage) -> str:
    """What a model turn shows: its text and any reasoning it carries."""
    return "\n".join(p for p in (_text(message), _reasoning(message)) if p)


def _replaced(message: AIMessage, content: str, *, keep_tool_calls: bool) -> AIMessage:
    """``message`` with ``content`` (same id); reasoning dropped, tool calls kept or not."""
    update: dict[str, Any] = {
        "content": content,
        "additional_kwargs": {k: v for k, v in message.additional_kwargs.items() if k not in _REASONING_KEYS},
    }
    if not keep_tool_calls:
        update |= {"tool_calls": [], "invalid_tool_calls": []}
        update["additional_kwargs"].pop("tool_calls", None)
    return message.model_copy(update=update)


def _question(messages: Sequence[AnyMessage]) -> str:
    return next((_text(m) for m in reversed(messages) if isinstance(m, HumanMessage)), "")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return value


def _structured_text(structured: Any) -> str:
    return json.dumps(_jsonable(structured), ensure_ascii=False, default=str)


class UnlearningMiddleware(AgentMiddleware[UnlearningState, Any, Any]):
    """ALU on a ``create_agent`` agent's answers (see the module's docstring).

    ``models``: as in :func:`alu.create_alu_graph` — one chat model (or ``provider:model``)
    for every ALU agent, or a mapping per agent (``auditor``, ``eraser``, ``critic``,
    ``composer``, ``default``); agents left out use ``context``'s models. The app's own
    model is the draft: ALU's ``vanilla`` agent is never called.
    ``store``: where the targets live; default the agent's store (``runtime.store``).
    ``context``/``tenant``: the operator's policy (default :class:`alu.Context` from the
    environment). ``audit_tool_args``: True (every tool), False, or the names of the tools
    whose arguments leave the system. ``audit_tool_results``: rewrite tool results that
    name a target before the model reads them (off by default: a deterministic check per
    result, milliseconds; a full audit only for results that name a target).
    """

    state_schema = UnlearningState

    def __init__(
        self,
        models: BaseChatModel | str | Mapping[str, BaseChatModel | str] | None = None,
        *,
        store: BaseStore | None = None,
        context: Context | Mapping[str, Any] | None = None,
        tenant: str | None = None,
        audit_tool_args: bool | Collection[str] = True,
        audit_tool_results: bool = False,
        max_attempts: int = 3,
    ) -> None:
        super().__init__()
        if isinstance(context, Mapping):
            context = Context(**dict(context))
        base = context if context is not None else Context()
        if tenant is not None:
            base = replace(base, tenant=tenant)
            base.__post_init__()
        self._context = base
        self._store = store
        self._graphs = GuardGraphs(models, max_attempts)
        if not isinstance(audit_tool_args, bool):
            audit_tool_args = frozenset(audit_tool_args)
        self._tool_args = audit_tool_args
        self._tool_results = audit_tool_results
        self.tools = []

    # -- policy and store -------------------------------------------------------------

    def policy(self) -> Context:
        """The settings this turn follows: the middleware's, then the authenticated user's."""
        return operator_context(auth_user(), base=self._context)

    def _store_of(self, runtime: Any) -> BaseStore:
        store = self._store if self._store is not None else getattr(runtime, "store", None)
        if store is None:
            raise InvalidContextError(
                "UnlearningMiddleware needs the targets' store: pass store= to it or to create_agent"
            )
        return store

    # -- the review of a model turn (a generator: the sync and async drivers run the graph)

    def _review_model(self, request: ModelRequest, response: ModelResponse) -> Review:
        messages = list(request.messages)
        result = list(response.result)
        ai = next((m for m in result if isinstance(m, AIMessage)), None)
        if ai is None:
            return response, []
        context = self.policy()
        if response.structured_response is not None:
            return (yield from self._review_structured(request, response, ai, messages, context))
        if ai.tool_calls:
            return (yield from self._review_tool_turn(request, response, ai, messages, context))
        draft = _draft(ai)
        if not draft:
            return response, []
        verdict = yield _Ask(messages, draft)
        record = _record("answer", ai, verdict)
        if verdict.decision == "passthrough":
            return response, [record]
        result[result.index(ai)] = _replaced(ai, verdict.answer, keep_tool_calls=False)
        return ModelResponse(result=result, structured_response=None), [record]

    def _review_structured(
        self,
        request: ModelRequest,
        response: ModelResponse,
        ai: AIMessage,
        messages: list[AnyMessage],
        context: Context,
    ) -> Review:
        draft = "\n".join(p for p in (_draft(ai), _structured_text(response.structured_response)) if p)
        verdict = yield _Ask(messages, draft)
        record = _record("structured", ai, verdict)
        if verdict.decision == "passthrough":
            return response, [record]
        rebuilt = (
            _reparse(request.response_format, ai, response, verdict.answer) if verdict.decision == "rewritten" else None
        )
        if rebuilt is not None:
            return rebuilt, [record]
        refused = _replaced(ai, context.refusal, keep_tool_calls=False)
        return ModelResponse(result=[refused], structured_response=None), [{**record, "decision": "refused"}]

    def _review_tool_turn(
        self,
        request: ModelRequest,
        response: ModelResponse,
        ai: AIMessage,
        messages: list[AnyMessage],
        context: Context,
    ) -> Review:
        result = list(response.result)
        records: list[AgentAudit] = []
        checked = [
            c for c in ai.tool_calls if self._tool_args is True or (self._tool_args and c["name"] in self._tool_args)
        ]
        if checked:
            args = "\n".join(f"{c['name']}({json.dumps(c['args'], ensure_ascii=False, default=str)})" for c in checked)
            store = self._store_of(request.runtime)
            if names_a_target(args, [], _question(messages), store=store, tenant=context.tenant):
                refused = _replaced(ai, context.refusal, keep_tool_calls=False)
                record = AgentAudit(
                    turn="tool_args",
                    message_id=ai.id,
                    decision="refused",
                    calls=0,
                    latency_s=0.0,
                    error=None,
                    record=None,
                )
                return ModelResponse(result=[refused], structured_response=None), [record]
        draft = _draft(ai)
        if draft:
            verdict = yield _Ask(messages, draft)
            records.append(_record("tool_call", ai, verdict))
            if verdict.decision != "passthrough":
                result[result.index(ai)] = _replaced(ai, verdict.answer, keep_tool_calls=True)
                return ModelResponse(result=result, structured_response=None), records
        return response, records

    def _review_tool(self, request: ToolCallRequest, result: ToolMessage | Command) -> Review:
        if not isinstance(result, ToolMessage):
            return result, []  # a tool that returns a Command updates state itself: not audited
        text = _text(result)
        if not text:
            return result, []
        messages = list((request.state or {}).get("messages") or []) if isinstance(request.state, Mapping) else []
        direct = request.tool is not None and bool(getattr(request.tool, "return_direct", False))
        if not direct:
            if not self._tool_results:
                return result, []
            context = self.policy()
            store = self._store_of(request.runtime)
            if not names_a_target(text, [], _question(messages), store=store, tenant=context.tenant):
                return result, []
        verdict = yield _Ask(messages, text)
        record = _record("return_direct" if direct else "tool_result", result, verdict)
        if verdict.decision == "passthrough":
            return result, [record]
        return result.model_copy(update={"content": verdict.answer, "artifact": None}), [record]

    # -- drivers ----------------------------------------------------------------------

    def _run(self, review: Review, runtime: Any) -> Any:
        try:
            ask = next(review)
            while True:
                graph = self._graphs.get(self._store_of(runtime))
                ask = review.send(run_guard(graph, guard_input(ask.messages, ask.answer), self.policy()))
        except StopIteration as done:
            return done.value

    async def _arun(self, review: Review, runtime: Any) -> Any:
        try:
            ask = next(review)
            while True:
                graph = self._graphs.get(self._store_of(runtime))
                verdict = await arun_guard(graph, guard_input(ask.messages, ask.answer), self.policy())
                ask = review.send(verdict)
        except StopIteration as done:
            return done.value

    # -- hooks ------------------------------------------------------------------------

    def before_agent(self, state: UnlearningState, runtime: Runtime) -> dict[str, Any] | None:
        """A run starts with no audit records (a thread keeps only the conversation)."""
        return {"alu_audit": None, "alu_audits": Overwrite([])}

    async def abefore_agent(self, state: UnlearningState, runtime: Runtime) -> dict[str, Any] | None:
        return self.before_agent(state, runtime)

    def wrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse]
    ) -> ModelResponse | AIMessage | ExtendedModelResponse:
        with held_stream(self.policy().trace_texts == "redacted"):
            response = handler(request)
        reviewed, records = self._run(self._review_model(request, response), request.runtime)
        return _with_records(reviewed, records)

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[ModelResponse]]
    ) -> ModelResponse | AIMessage | ExtendedModelResponse:
        with held_stream(self.policy().trace_texts == "redacted"):
            response = await handler(request)
        reviewed, records = await self._arun(self._review_model(request, response), request.runtime)
        return _with_records(reviewed, records)

    def wrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], ToolMessage | Command]
    ) -> ToolMessage | Command:
        result = handler(request)
        reviewed, records = self._run(self._review_tool(request, result), request.runtime)
        return _tool_update(reviewed, records)

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command]]
    ) -> ToolMessage | Command:
        result = await handler(request)
        reviewed, records = await self._arun(self._review_tool(request, result), request.runtime)
        return _tool_update(reviewed, records)


def _record(turn: Turn, message: BaseMessage, verdict: GuardResult) -> AgentAudit:
    return AgentAudit(
        turn=turn,
        message_id=message.id,
        decision=verdict.decision,
        calls=verdict.calls,
        latency_s=verdict.latency_s,
        error=verdict.error,
        record=verdict.record,
    )


def _ends_run(records: list[AgentAudit], response: ModelResponse) -> bool:
    ai = next((m for m in response.result if isinstance(m, AIMessage)), None)
    return ai is not None and not ai.tool_calls


def _with_records(response: ModelResponse, records: list[AgentAudit]) -> ModelResponse | ExtendedModelResponse:
    if not records:
        return response
    update: dict[str, Any] = {"alu_audits": records}
    if _ends_run(records, response) or response.structured_response is not None:
        update["alu_audit"] = records[-1]
    return ExtendedModelResponse(model_response=response, command=Command(update=update))


def _tool_update(result: ToolMessage | Command, records: list[AgentAudit]) -> ToolMessage | Command:
    if not records or not isinstance(result, ToolMessage):
        return result
    update: dict[str, Any] = {"messages": [result], "alu_audits": records}
    if records[-1]["turn"] == "return_direct":
        update["alu_audit"] = records[-1]
    return Command(update=update)


def _reparse(response_format: Any, ai: AIMessage, response: ModelResponse, answer: str) -> ModelResponse | None:
    """The structured response rebuilt from ALU's rewrite, if the rewrite still parses
    into the schema (else None: the turn is refused)."""
    try:
        args = json.loads(answer)
    except (ValueError, TypeError):
        return None
    if not isinstance(args, dict):
        return None
    if isinstance(response_format, AutoStrategy):  # the strategy create_agent chose for a bare schema
        used_tool = any(isinstance(m, ToolMessage) for m in response.result)
        response_format = (
            ToolStrategy(response_format.schema) if used_tool else ProviderStrategy(response_format.schema)
        )
    if isinstance(response_format, ProviderStrategy):
        try:
            parsed = ProviderStrategyBinding.from_schema_spec(response_format.schema_spec).parse(
                AIMessage(content=answer)
            )
        except Exception:
            return None
        return ModelResponse(result=[_replaced(ai, answer, keep_tool_calls=False)], structured_response=parsed)
    if isinstance(response_format, ToolStrategy):
        names = {spec.name for spec in response_format.schema_specs}
        call = next((c for c in ai.tool_calls if c["name"] in names), None)
        tool = next((m for m in response.result if isinstance(m, ToolMessage)), None)
        spec = next((s for s in response_format.schema_specs if call and s.name == call["name"]), None)
        if call is None or tool is None or spec is None:
            return None
        try:
            parsed = OutputToolBinding.from_schema_spec(spec).parse(args)
        except Exception:
            return None
        message = ai.model_copy(
            update={"content": "", "tool_calls": [{**call, "args": args}], "invalid_tool_calls": []}
        )
        content = response_format.tool_message_content or f"Returning structured response: {parsed}"
        return ModelResponse(result=[message, tool.model_copy(update={"content": content})], structured_response=parsed)
    return None
