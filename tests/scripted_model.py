"""A scripted chat model for unit tests of routing and state logic (not a real model).

It answers each agent from a script keyed by the agent tag the graph puts on every call
(``alu:vanilla``, ``alu:critic``…), supports ``bind_tools`` so that
``with_structured_output(method="function_calling")`` works, and records every call.
A script entry is a reply (str for text, dict for a structured call), an exception to
raise, a list of those consumed in order, or a callable ``(messages) -> reply``.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr


class ScriptedChatModel(BaseChatModel):
    script: dict[str, Any]
    delay_s: float = 0.0
    """Seconds each async call awaits before replying (a slow model, without a thread)."""
    delays: dict[str, list[float]] = Field(default_factory=dict)
    """Per agent, the seconds each of its async calls awaits, in call order (the last one
    repeats); wins over ``delay_s`` for that agent."""
    cancelled: int = 0
    """Async calls cancelled while they awaited (a run that stopped waiting for them)."""
    _calls: list[tuple[str, list[BaseMessage]]] = PrivateAttr(default_factory=list)
    _threads: list[tuple[str, int]] = PrivateAttr(default_factory=list)
    _inflight: int = PrivateAttr(default=0)
    max_inflight: int = 0
    """Most async calls in flight at once (they overlap on the event loop)."""
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> list[str]:
        """The agents that called, in order."""
        return [agent for agent, _ in self._calls]

    @property
    def threads(self) -> list[tuple[str, int]]:
        """``(sync|async, thread id)`` of every call, in order."""
        return list(self._threads)

    def messages_of(self, agent: str) -> list[list[BaseMessage]]:
        return [m for a, m in self._calls if a == agent]

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _next(self, agent: str, messages: list[BaseMessage]) -> Any:
        with self._lock:
            self._calls.append((agent, messages))
            entry = self.script[agent]
            if isinstance(entry, list):
                entry = entry.pop(0) if len(entry) > 1 else entry[0]
        if callable(entry) and not isinstance(entry, type):
            entry = entry(messages)
        if isinstance(entry, BaseException):
            raise entry
        return entry

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        with self._lock:
            self._threads.append(("sync", threading.get_ident()))
        return self._result(messages, run_manager, **kwargs)

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        """Native async (no executor): the graph's async path must not need a thread."""
        with self._lock:
            self._threads.append(("async", threading.get_ident()))
        self._inflight += 1
        self.max_inflight = max(self.max_inflight, self._inflight)
        try:
            tags = run_manager.tags if run_manager else []
            agent = next((t.split(":", 1)[1] for t in tags if t.startswith("alu:")), "unknown")
            with self._lock:
                queue = self.delays.get(agent)
                delay = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else self.delay_s
            if delay:
                try:
                    await asyncio.sleep(delay)
                except asyncio.CancelledError:
                    self.cancelled += 1
                    raise
            return self._result(messages, run_manager, **kwargs)
        finally:
            self._inflight -= 1

    def _result(self, messages, run_manager=None, **kwargs) -> ChatResult:
        tags = run_manager.tags if run_manager else []
        agent = next((t.split(":", 1)[1] for t in tags if t.startswith("alu:")), "unknown")
        reply = self._next(agent, list(messages))
        usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
        if kwargs.get("tools"):
            name = kwargs["tools"][0]["function"]["name"]
            if isinstance(reply, str):  # garbage where a tool call was expected
                message = AIMessage(content=reply, usage_metadata=usage)
            else:
                message = AIMessage(
                    content="",
                    tool_calls=[{"name": name, "args": reply, "id": uuid.uuid4().hex, "type": "tool_call"}],
                    usage_metadata=usage,
                )
        else:
            message = AIMessage(content=str(reply), usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])


def scripted(**script: Any) -> ScriptedChatModel:
    """``scripted(vanilla="...", critic={"rating": 5}, ...)``"""
    return ScriptedChatModel(script=script)


Responder = Callable[[list[BaseMessage]], Any]
