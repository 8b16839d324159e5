"""Resolving each agent's chat model and calling it the same careful way everywhere.

Why one place: every model call of the graph must be bounded (``max_tokens``, timeout),
kept out of the caller's token stream (tag ``nostream``), named in traces, counted in
the audit record, and validated (structured output that does not parse is an error the
graph retries, then refuses on — it is never guessed at).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from alu.graph.context import AGENTS, Context, InvalidContextError
from alu.graph.state import CallRecord

__all__ = [
    "ModelDeadlineError",
    "ModelOutputError",
    "Models",
    "acall_structured",
    "acall_text",
    "call_structured",
    "call_text",
    "internal_callbacks",
    "reply_cap_kwargs",
]

CLIENT_MAX_RETRIES = 2  # the HTTP client's own retries (429 with retry-after, 5xx, resets)
STRUCTURED_MIN_TOKENS = 256
"""The least reply cap a structured call (judge verdict, critique) is given. Its length is
set by its schema (bounded strings and lists), not by ``Context.max_tokens``, which caps
the answer's drafts: under a short answer cap (the evaluation's 64 tokens) a verdict's JSON
was cut off mid-string on every retry (greedy decoding repeats itself) and the run was
refused. A reply that is still cut off fails to parse and is refused as before."""
_CAP_FIELDS = ("max_tokens", "max_output_tokens", "num_predict")  # OpenAI/Anthropic, Google, Ollama
NOSTREAM_TAG = "nostream"  # langgraph.constants.TAG_NOSTREAM: hidden from stream_mode="messages"
S = TypeVar("S", bound=BaseModel)


class ModelOutputError(ValueError):
    """A model replied, but not with something usable (empty, or not matching the schema).

    Its message never quotes the model's output: it may reach the caller in the audit
    record, and the output may hold exactly what must be forgotten.
    """


class ModelDeadlineError(Exception):
    """A model call took longer than the context's ``model_timeout`` in all.

    The HTTP client's timeout bounds each read, not the whole request: a server that
    trickles its reply would otherwise hold a run for ever.
    """


# Calls run here so that a whole-request deadline can be enforced from a sync node.
_EXECUTOR = ThreadPoolExecutor(max_workers=32, thread_name_prefix="alu-model")


def _with_deadline(agent: str, seconds: float, fn, *args):
    context = contextvars.copy_context()  # keep the node's config/callbacks in the call
    future = _EXECUTOR.submit(context.run, fn, *args)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        future.cancel()
        raise ModelDeadlineError(f"{agent}: no complete reply within {seconds:.0f} s") from None


async def _awith_deadline(agent: str, seconds: float, call):
    """Await a model call for at most ``seconds`` in all (cancelled past it): the async
    path needs no thread per call."""
    try:
        return await asyncio.wait_for(call, timeout=seconds)
    except TimeoutError:
        raise ModelDeadlineError(f"{agent}: no complete reply within {seconds:.0f} s") from None


class Models:
    """The chat model of each agent: objects given when the graph was built, else the
    ``provider:model`` strings of the run's ``Context`` (clients cached per setting)."""

    def __init__(self, overrides: BaseChatModel | str | Mapping[str, BaseChatModel | str] | None = None):
        if overrides is None:
            overrides = {}
        elif not isinstance(overrides, Mapping):
            overrides = {agent: overrides for agent in AGENTS}
        unknown = set(overrides) - set(AGENTS) - {"default"}
        if unknown:
            raise InvalidContextError(
                f"unknown agent(s) in models: {sorted(unknown)}; agents are {', '.join(AGENTS)} (or 'default' for all)"
            )
        default = overrides.get("default")
        self._overrides = {a: overrides.get(a, default) for a in AGENTS if overrides.get(a, default) is not None}
        for agent, model in self._overrides.items():
            if not isinstance(model, (BaseChatModel, str)):
                raise InvalidContextError(
                    f"model for {agent} must be a chat model or a 'provider:model' string, got {type(model).__name__}"
                )
        self._cache: dict[tuple, BaseChatModel] = {}
        self._lock = threading.Lock()

    def warm(self, context: Context) -> None:
        """Make every agent's client for ``context`` now, off a run's critical path.

        The first ``init_chat_model`` of a process imports the provider package
        (``langchain_openai`` and the ``openai`` SDK: about 2.4 s on 2 cores), which
        otherwise lands on the first query's vanilla call. A server or app that builds
        its graph at start-up pays it there instead (``warm=True``, ``ALU_WARM_MODELS=1``).
        """
        for agent in AGENTS:
            try:
                self.get(agent, context, getattr(context, _TEMPERATURE[agent]))
            except InvalidContextError:
                raise
            except Exception as exc:  # e.g. the provider's missing-credentials error
                raise InvalidContextError(
                    f"{agent}: model {context.model_for(agent)!r} cannot be made ({type(exc).__name__}: {exc})"
                ) from exc

    def get(self, agent: str, context: Context, temperature: float) -> tuple[BaseChatModel, str]:
        """The model for ``agent`` and a printable name for the audit record."""
        override = self._overrides.get(agent)
        if isinstance(override, BaseChatModel):
            return override, _model_name(override)
        spec = override if isinstance(override, str) else context.model_for(agent)
        key = (
            spec,
            temperature,
            context.max_tokens,
            context.model_timeout,
            os.environ.get("OPENAI_BASE_URL"),
        )
        with self._lock:
            model = self._cache.get(key)
            if model is None:
                model = self._cache[key] = _init(spec, temperature, context)
        return model, spec


# The Context field each agent's calls take their temperature from (the nodes' choice).
_TEMPERATURE = {
    "vanilla": "vanilla_temperature",
    "auditor": "judge_temperature",
    "critic": "judge_temperature",
    "eraser": "eraser_temperature",
    "composer": "composer_temperature",
}


def reply_cap_kwargs(spec: str, max_tokens: int) -> dict[str, Any]:
    """Extra ``init_chat_model`` arguments that make a reply cap reach the server.

    ``langchain-openai`` sends ``max_tokens`` as ``max_completion_tokens``, which
    llama.cpp's server (the bundled model) and other OpenAI-compatible servers ignore, so
    their replies ran to the context size: an ``openai:`` model on a custom
    ``OPENAI_BASE_URL`` also gets the cap as ``max_tokens``."""
    base_url = os.environ.get("OPENAI_BASE_URL", "")
    if spec.startswith("openai:") and base_url and "api.openai.com" not in base_url:
        return {"extra_body": {"max_tokens": max_tokens}}
    return {}


def _init(spec: str, temperature: float, context: Context) -> BaseChatModel:
    """The client of ``spec`` (its reply cap sent as :func:`reply_cap_kwargs` says)."""
    from langchain.chat_models import init_chat_model

    kwargs = reply_cap_kwargs(spec, context.max_tokens)
    try:
        return init_chat_model(
            spec,
            temperature=temperature,
            max_tokens=context.max_tokens,
            timeout=context.model_timeout,
            max_retries=CLIENT_MAX_RETRIES,
            disable_streaming=True,
            **kwargs,
        )
    except ImportError as exc:
        raise InvalidContextError(f"model {spec!r} needs a provider package that is not installed: {exc}") from exc
    except ValueError as exc:
        raise InvalidContextError(f"model {spec!r} cannot be used: {exc}") from exc


def _model_name(model: BaseChatModel) -> str:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def _internal_callbacks(redact: bool = False) -> Any:
    """The running node's callbacks minus the *streaming* ones.

    LangGraph's ``messages`` stream mode and the server's ``events`` mode listen through
    streaming callback handlers; with one present, LangChain also switches the model to
    its streaming API (which breaks tool calls on llama.cpp's server). Internal calls
    drop those handlers, so no stream mode ever sees a draft, a prompt or a rewrite,
    while tracers (LangSmith) and the user's other callbacks still see every call,
    nested under the agent's run.
    """
    from langchain_core.runnables.config import ensure_config, get_callback_manager_for_config

    streaming: type | None
    try:  # optional: a private class of langchain-core, absent from older releases
        from langchain_core.tracers._streaming import _StreamingCallbackHandler

        streaming = _StreamingCallbackHandler
    except ImportError:  # pragma: no cover - older langchain-core
        streaming = None

    from langchain_core.tracers.base import BaseTracer

    def keep(handlers: list) -> list:
        if redact:  # ``trace_texts="redacted"``: the call's prompt and reply reach no tracer
            handlers = [h for h in handlers if not isinstance(h, BaseTracer)]
        if streaming is None:
            return [h for h in handlers if "Stream" not in type(h).__name__]
        return [h for h in handlers if not isinstance(h, streaming)]

    manager = get_callback_manager_for_config(ensure_config())
    manager.handlers = keep(manager.handlers)
    manager.inheritable_handlers = keep(manager.inheritable_handlers)
    return manager


internal_callbacks = _internal_callbacks
"""The public name of :func:`_internal_callbacks` (for :mod:`alu.middleware`, which holds
an app model's call and the guard graph's run out of the caller's streams the same way)."""


def _config(agent: str, model_name: str, context: Context | None = None) -> RunnableConfig:
    redact = context is not None and context.trace_texts == "redacted"
    return {
        "tags": [NOSTREAM_TAG, f"alu:{agent}"],
        "run_name": f"{agent}_model",
        "metadata": {"alu_agent": agent, "alu_model": model_name},
        "callbacks": _internal_callbacks(redact),
    }


def _record(agent: str, model_name: str, message: Any, started: float) -> CallRecord:
    usage = getattr(message, "usage_metadata", None) or {}
    return CallRecord(
        agent=agent,
        model=model_name,
        prompt_tokens=int(usage.get("input_tokens", 0) or 0),
        completion_tokens=int(usage.get("output_tokens", 0) or 0),
        latency_s=round(time.perf_counter() - started, 4),
    )


def _deadline(context: Context | None) -> float:
    """A whole call may take ``model_timeout`` per HTTP attempt of the client."""
    timeout = context.model_timeout if context is not None else Context().model_timeout
    return timeout * (1 + CLIENT_MAX_RETRIES)


def _reply_text(agent: str, reply: Any) -> str:
    text = reply.text if isinstance(reply, AIMessage) else str(getattr(reply, "content", reply))
    text = (text or "").strip()
    if not text:
        raise ModelOutputError(f"{agent}: the model returned an empty reply")
    return text


def call_text(
    agent: str,
    model: BaseChatModel,
    model_name: str,
    messages: Sequence[BaseMessage],
    context: Context | None = None,
) -> tuple[str, CallRecord]:
    """One plain-text call; an empty reply is a :class:`ModelOutputError`."""
    started = time.perf_counter()
    reply = _with_deadline(agent, _deadline(context), model.invoke, list(messages), _config(agent, model_name, context))
    return _reply_text(agent, reply), _record(agent, model_name, reply, started)


async def acall_text(
    agent: str,
    model: BaseChatModel,
    model_name: str,
    messages: Sequence[BaseMessage],
    context: Context | None = None,
) -> tuple[str, CallRecord]:
    """:func:`call_text` on the model's async API (same deadline, same checks)."""
    started = time.perf_counter()
    reply = await _awith_deadline(
        agent, _deadline(context), model.ainvoke(list(messages), _config(agent, model_name, context))
    )
    return _reply_text(agent, reply), _record(agent, model_name, reply, started)


# Structured runnables per (model, schema, method): building one converts the schema to
# a tool (3-12 ms of pydantic JSON schema), on the critical path of every judge call.
_STRUCTURED: dict[tuple[int, type, str], tuple[BaseChatModel, Any]] = {}
_STRUCTURED_LOCK = threading.Lock()


def _with_structured_cap(model: BaseChatModel) -> BaseChatModel:
    """``model`` with a reply cap of at least :data:`STRUCTURED_MIN_TOKENS` (a copy; the
    original, used for drafts, keeps its own cap). An OpenAI-compatible server's cap sent
    in ``extra_body`` (how the bundled llama.cpp server gets one) is raised with it.
    A model with no known cap field, or no cap, is returned as it is."""
    update: dict[str, Any] = {}
    for name in _CAP_FIELDS:
        value = getattr(model, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value < STRUCTURED_MIN_TOKENS:
            update[name] = STRUCTURED_MIN_TOKENS
    extra = getattr(model, "extra_body", None)
    cap = extra.get("max_tokens") if isinstance(extra, Mapping) else None
    if isinstance(extra, Mapping) and isinstance(cap, int) and cap < STRUCTURED_MIN_TOKENS:
        update["extra_body"] = {**extra, "max_tokens": STRUCTURED_MIN_TOKENS}
    if not update or not hasattr(model, "model_copy"):
        return model
    return model.model_copy(update=update)


def _structured(agent: str, model: BaseChatModel, model_name: str, schema: type[S], method: str) -> Any:
    key = (id(model), schema, method)
    with _STRUCTURED_LOCK:
        cached = _STRUCTURED.get(key)
    if cached is not None and cached[0] is model:  # the same object (an id can be reused)
        return cached[1]
    try:
        runnable = _with_structured_cap(model).with_structured_output(schema, method=method, include_raw=True)
    except NotImplementedError as exc:
        raise InvalidContextError(f"{agent}: model {model_name!r} does not support structured output ({exc})") from exc
    with _STRUCTURED_LOCK:
        if len(_STRUCTURED) > 256:
            _STRUCTURED.clear()
        _STRUCTURED[key] = (model, runnable)
    return runnable


def _parsed(agent: str, result: Any, schema: type[S]) -> tuple[S, Any]:
    raw = result.get("raw") if isinstance(result, dict) else None
    parsed = result.get("parsed") if isinstance(result, dict) else result
    error = result.get("parsing_error") if isinstance(result, dict) else None
    if error is not None or not isinstance(parsed, schema):
        raise ModelOutputError(f"{agent}: model output does not match {schema.__name__}: {_describe(error, parsed)}")
    return parsed, raw


def call_structured(
    agent: str,
    model: BaseChatModel,
    model_name: str,
    messages: Sequence[BaseMessage],
    schema: type[S],
    method: str,
    context: Context | None = None,
) -> tuple[S, CallRecord]:
    """One structured call, validated against ``schema``; anything else raises."""
    started = time.perf_counter()
    runnable = _structured(agent, model, model_name, schema, method)
    result = _with_deadline(
        agent, _deadline(context), runnable.invoke, list(messages), _config(agent, model_name, context)
    )
    parsed, raw = _parsed(agent, result, schema)
    return parsed, _record(agent, model_name, raw, started)


async def acall_structured(
    agent: str,
    model: BaseChatModel,
    model_name: str,
    messages: Sequence[BaseMessage],
    schema: type[S],
    method: str,
    context: Context | None = None,
) -> tuple[S, CallRecord]:
    """:func:`call_structured` on the model's async API."""
    started = time.perf_counter()
    runnable = _structured(agent, model, model_name, schema, method)
    result = await _awith_deadline(
        agent, _deadline(context), runnable.ainvoke(list(messages), _config(agent, model_name, context))
    )
    parsed, raw = _parsed(agent, result, schema)
    return parsed, _record(agent, model_name, raw, started)


def _describe(error: Any, parsed: Any) -> str:
    """What was wrong with a structured reply, without quoting it."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        try:
            return "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ())) or 'value'}: {e.get('type')}" for e in errors()[:5]
            )
        except Exception:  # pragma: no cover - defensive: never quote the output
            pass
    if error is not None:
        return type(error).__name__
    return "no structured reply" if parsed is None else f"got {type(parsed).__name__}"
