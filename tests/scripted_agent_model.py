"""A fake app model for tests of :class:`alu.UnlearningMiddleware` (not a real model).

It plays the *app's* model in a ``create_agent`` agent: each call takes the next turn of
its script — a string (a final answer), a dict ``{"content": ..., "tool_calls": [(name,
args), ...]}`` (a turn that calls tools), or a callable ``(messages) -> turn`` — and
records the messages it was shown. A final answer's message id is ``draft-<n>`` (the
n-th call), so a test can follow the message by id. ``bind_tools`` works (the tools are recorded, the
script decides the calls). It streams word by word (``_stream``/``_astream``), so a test
can tell whether a caller would see its tokens before ALU decided.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

Turn = str | dict[str, Any] | Callable[[list[BaseMessage]], Any]


class ScriptedAppModel(BaseChatModel):
    """The app's model: a script of turns, consumed in order (the last one repeats)."""

    turns: list[Any]
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _streamed: list[str] = PrivateAttr(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted-app"

    @property
    def seen(self) -> list[list[BaseMessage]]:
        """The messages of every call, in order."""
        return list(self._seen)

    @property
    def streamed(self) -> list[str]:
        """Every token produced through the streaming API."""
        return list(self._streamed)

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):
        return self.bind(**kwargs)

    def _turn(self, messages: list[BaseMessage]) -> AIMessage:
        with self._lock:
            self._seen.append(list(messages))
            turn = self.turns.pop(0) if len(self.turns) > 1 else self.turns[0]
        if callable(turn):
            turn = turn(messages)
        usage = {"input_tokens": 20, "output_tokens": 10, "total_tokens": 30}
        if isinstance(turn, str):
            return AIMessage(content=turn, usage_metadata=usage, id=f"draft-{len(self._seen)}")
        calls = [
            {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:8]}", "type": "tool_call"}
            for name, args in turn.get("tool_calls", ())
        ]
        return AIMessage(content=turn.get("content", ""), tool_calls=calls, usage_metadata=usage, id=turn.get("id"))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._turn(list(messages)))])

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return self._generate(messages, stop, None, **kwargs)

    def _chunks(self, message: AIMessage) -> Iterator[ChatGenerationChunk]:
        words = message.text.split(" ") if message.text else []
        for i, word in enumerate(words):
            token = word if i == 0 else " " + word
            with self._lock:
                self._streamed.append(token)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {"name": c["name"], "args": __import__("json").dumps(c["args"]), "id": c["id"], "index": i}
                    for i, c in enumerate(message.tool_calls)
                ],
                usage_metadata=message.usage_metadata,
                chunk_position="last",
            )
        )

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._turn(list(messages))):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(self, messages, stop=None, run_manager=None, **kwargs) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._turn(list(messages))):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def app_model(*turns: Turn) -> ScriptedAppModel:
    """``app_model({"tool_calls": [("lookup", {"q": "x"})]}, "final answer")``"""
    return ScriptedAppModel(turns=list(turns))
