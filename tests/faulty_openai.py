"""A loopback OpenAI-compatible server that misbehaves on purpose: a fault injector for
the model-fault tests (not a model — its healthy replies are canned).

It serves ``POST /v1/chat/completions`` (plain and ``stream=true`` SSE, text and tool
calls) and ``GET /v1/models`` on ``127.0.0.1`` and a free port. Which agent of the ALU
graph is calling is read from the request's system message (the texts of
``prompts/*_system.txt``). A *plan* maps an agent to a :class:`Fault`; agents left out get
the healthy reply. A plan can be given for the whole server, and per model name (the
request's ``model``), so that many runs can share one server, each with its own plan::

    with FaultyOpenAI({"critic": "http_500"}) as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "x", "ALU_MODEL": "openai:fake"}
        ...
        server.counts()            # {"vanilla": 1, "auditor": 1, "eraser": 2, "critic": 12}

Every request is recorded (:meth:`FaultyOpenAI.requests`) with the fault applied to it.

Faults (``FAULTS``):

- ``hang``: read the request, send nothing until ``hang_s`` (past any client timeout).
- ``trickle``: a healthy reply sent in 8 pieces spread over ``trickle_s`` seconds: no
  single read waits long, but the whole request takes ``trickle_s`` (a slow-drip server).
- ``http_500``: ``500`` with an OpenAI-style error body.
- ``rate_limit``: ``429`` with ``retry-after: 1``, every time; ``rate_limit_once``: the
  first request of the agent only, then healthy (so a client that honours the header
  succeeds on its retry).
- ``drop``: close the connection without sending any response (FIN).
- ``reset``: reset the connection (RST) without a response.
- ``down``: reset, and stop listening: every later connection is refused.
- ``malformed_json``: ``200``, ``application/json``, a body that is not JSON.
- ``truncated_body``: ``200`` with a ``content-length`` larger than the bytes sent, then
  close (for a streaming request: the same as ``truncated_sse``).
- ``truncated_sse``: a streaming reply cut half-way through a chunked body (no final
  chunk, no ``[DONE]``); for a plain request, the same as ``truncated_body``.
- ``truncated_sse_eof``: a streaming reply whose body ends cleanly (EOF framing, no
  chunked encoding) at an event boundary half-way: no ``finish_reason``, no ``[DONE]``.
- ``empty_reply``: ``200``, an assistant message with empty content and no tool call.
- ``no_tool_call``: ``200``, plain text although a tool call was required.
- ``bad_args_type`` / ``bad_args_range`` / ``bad_args_json``: a tool call whose arguments
  have the wrong type (``{"rating": "high"}``), are out of the schema's range
  (``{"rating": 9}``), or are not JSON at all. Only for structured (tool) calls.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["AGENTS", "FAULTS", "SCHEMA_FAULTS", "TRANSIENT_FAULTS", "Fault", "FaultyOpenAI", "Record"]

AGENTS = ("vanilla", "auditor", "eraser", "critic", "composer")
TOOL_AGENTS = ("auditor", "critic")

TRANSIENT_FAULTS = (
    "hang",
    "trickle",
    "http_500",
    "rate_limit",
    "drop",
    "reset",
    "down",
    "truncated_body",
    "truncated_sse",
)
"""Faults a client sees as a transport error or a retryable status (its own retries apply)."""
SCHEMA_FAULTS = ("bad_args_type", "bad_args_range", "bad_args_json", "no_tool_call")
"""Faults of a structured (tool) call only."""
FAULTS = (
    *TRANSIENT_FAULTS,
    "rate_limit_once",
    "malformed_json",
    "truncated_sse_eof",
    "empty_reply",
    *SCHEMA_FAULTS,
)

HEALTHY: dict[str, Any] = {
    "vanilla": "Pride and Prejudice was written by Jane Austen and published in 1813.",
    "eraser": "Pride and Prejudice is a novel by an English writer, published in 1813.",
    "auditor": {"referenced": []},
    "critic": {"rating": 5, "reason": "ok"},
    "composer": "Pride and Prejudice is an English novel first published in 1813.",
}
"""The healthy reply of each agent: text, or the arguments of the (only) tool call (or a
callable ``(Record) -> either``, given as ``replies=``)."""

BAD_ARGS: dict[str, dict[str, Any]] = {
    "bad_args_type": {"auditor": {"referenced": "Elizabeth Bennet"}, "critic": {"rating": "high", "reason": "ok"}},
    "bad_args_range": {
        "auditor": {"referenced": [{"id": "x" * 500, "evidence": "Pride and Prejudice"}]},
        "critic": {"rating": 9, "reason": "ok"},
    },
}
NOT_JSON_ARGS = '{"rating": five, "reason": '


@dataclass(frozen=True)
class Fault:
    """What to do to an agent's requests: ``kind`` (one of ``FAULTS``) on its first
    ``times`` requests (every request when None), healthy replies after; with ``match``,
    only to requests whose last user message contains that text (one of k parallel calls)."""

    kind: str
    times: int | None = None
    match: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULTS:
            raise ValueError(f"unknown fault {self.kind!r}; faults are {', '.join(FAULTS)}")
        if self.kind == "rate_limit_once":  # shorthand: one 429, then healthy
            object.__setattr__(self, "kind", "rate_limit")
            object.__setattr__(self, "times", 1 if self.times is None else self.times)

    @classmethod
    def of(cls, value: Fault | str) -> Fault:
        return value if isinstance(value, Fault) else cls(value)


@dataclass
class Record:
    """One request as the server saw it."""

    n: int
    path: str
    model: str | None
    agent: str | None
    stream: bool
    fault: str | None
    at: float
    body: dict[str, Any] = field(repr=False, default_factory=dict)


def _system_text(messages: list[dict[str, Any]]) -> str:
    for message in messages:
        if message.get("role") in ("system", "developer"):
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
            return (content or "").strip()
    return ""


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
            return content or ""
    return ""


def _default_prompts() -> dict[str, str]:
    from alu.prompts import load

    prompts = {agent: load(f"{agent}_system") for agent in AGENTS}
    prompts["eraser_answer"] = load("eraser_answer_system")  # the eraser, from the question alone
    return prompts


class FaultyOpenAI:
    """The fault server. ``plan``: ``{agent: Fault | fault name}`` for every model;
    :meth:`set_plan` adds a plan for one model name. Start with :meth:`start` or ``with``."""

    def __init__(
        self,
        plan: Mapping[str, Fault | str] | None = None,
        *,
        replies: Mapping[str, Any] | None = None,
        hang_s: float = 30.0,
        trickle_s: float = 4.0,
        prompts: Mapping[str, str] | None = None,
        error_body: str = "The server had an error while processing your request.",
        latency: Mapping[str, float] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._plans: dict[str | None, dict[str, Fault]] = {None: self._check(plan or {})}
        self._served: dict[tuple[str | None, str], int] = {}
        self._records: list[Record] = []
        self.replies = {**HEALTHY, **(replies or {})}
        self.latency = dict(latency or {})  # seconds (or record -> seconds) before each healthy reply, by agent
        self.error_body = error_body  # the message of a 500 (llama.cpp's quote the generated text)
        self.hang_s = hang_s
        self.trickle_s = trickle_s
        prompts = dict(prompts or _default_prompts())
        self._agent_by_prompt = {text.strip(): agent.split("_")[0] for agent, text in prompts.items()}
        self._stopping = threading.Event()
        self._down = False
        self._closed = False
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def default_reply(agent: str) -> Any:
        """The healthy reply of ``agent`` when none is given (text, or tool-call arguments)."""
        return HEALTHY[agent]

    # -- plans and records -----------------------------------------------------------

    @staticmethod
    def _check(plan: Mapping[str, Fault | str]) -> dict[str, Fault]:
        checked = {}
        for agent, fault in plan.items():
            if agent not in AGENTS:
                raise ValueError(f"unknown agent {agent!r}; agents are {', '.join(AGENTS)}")
            fault = Fault.of(fault)
            if fault.kind in SCHEMA_FAULTS and agent not in TOOL_AGENTS:
                raise ValueError(f"{fault.kind} applies to structured calls only ({', '.join(TOOL_AGENTS)})")
            checked[agent] = fault
        return checked

    def set_plan(self, plan: Mapping[str, Fault | str], *, model: str | None = None) -> None:
        """The plan for requests naming ``model`` (for every other model when None)."""
        with self._lock:
            self._plans[model] = self._check(plan)

    def requests(self, *, model: str | None = None, agent: str | None = None) -> list[Record]:
        with self._lock:
            return [
                r for r in self._records if (model is None or r.model == model) and (agent is None or r.agent == agent)
            ]

    def counts(self, *, model: str | None = None) -> dict[str, int]:
        """Requests per agent (agents never called are left out)."""
        counts: dict[str, int] = {}
        for record in self.requests(model=model):
            key = record.agent or "?"
            counts[key] = counts.get(key, 0) + 1
        return counts

    def _route(self, path: str, body: dict[str, Any]) -> Record:
        model = body.get("model") if isinstance(body.get("model"), str) else None
        agent = self._agent_by_prompt.get(_system_text(body.get("messages") or []))
        with self._lock:
            plan = self._plans.get(model, self._plans[None])
            fault = plan.get(agent) if agent else None
            if fault is not None and fault.match is not None and fault.match not in _last_user_text(body):
                fault = None
            if fault is not None:
                served = self._served.get((model, agent), 0)
                self._served[(model, agent)] = served + 1
                if fault.times is not None and served >= fault.times:
                    fault = None
            record = Record(
                n=len(self._records) + 1,
                path=path,
                model=model,
                agent=agent,
                stream=bool(body.get("stream")),
                fault=fault.kind if fault else None,
                at=time.monotonic(),
                body=body,
            )
            self._records.append(record)
        return record

    # -- lifecycle -------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the server is not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FaultyOpenAI:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        httpd.request_queue_size = 256
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="faulty-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._go_down()

    def _go_down(self) -> None:
        with self._lock:
            httpd = self._httpd
            if httpd is None or self._closed:
                return
            self._closed = True
        httpd.shutdown()
        httpd.server_close()

    def __enter__(self) -> FaultyOpenAI:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- replies ---------------------------------------------------------------------

    def completion(self, record: Record, *, empty: bool = False, text_instead: bool = False, args: Any = None) -> dict:
        """A complete (non-stream) chat completion for ``record``."""
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        tool = _tool_name(record.body)
        if empty:
            message["content"] = ""
        elif tool and not text_instead:
            if args is None:
                args = self.replies[record.agent]
                args = args(record) if callable(args) else args
            arguments = args if isinstance(args, str) else json.dumps(args)
            message["tool_calls"] = [
                {
                    "id": f"call_{uuid.uuid4().hex[:12]}",
                    "type": "function",
                    "function": {"name": tool, "arguments": arguments},
                }
            ]
            finish = "tool_calls"
        else:
            reply = self.replies.get(record.agent, "ok")
            if callable(reply):
                reply = reply(record)
            message["content"] = reply if isinstance(reply, str) else json.dumps(reply)
        return {
            "id": f"chatcmpl-{record.n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": record.model or "fake",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }


def _tool_name(body: dict[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name:
            return name
    tools = body.get("tools") or []
    if tools:
        return (tools[0].get("function") or {}).get("name")
    return None


def _stream_events(completion: dict[str, Any], include_usage: bool) -> list[dict[str, Any]]:
    """The SSE chunks of ``completion``, as OpenAI streams them."""
    base = {k: completion[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    message = completion["choices"][0]["message"]
    chunks = [{"role": "assistant", "content": ""}]
    if message.get("tool_calls"):
        call = message["tool_calls"][0]
        args = call["function"]["arguments"]
        chunks = [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                ],
            }
        ]
        step = max(1, len(args) // 4)
        chunks += [
            {"tool_calls": [{"index": 0, "function": {"arguments": args[i : i + step]}}]}
            for i in range(0, len(args), step)
        ]
    else:
        words = (message.get("content") or "").split(" ")
        chunks += [{"content": (" " if i else "") + w} for i, w in enumerate(words) if w or i == 0]
    events = [base | {"choices": [{"index": 0, "delta": d, "logprobs": None, "finish_reason": None}]} for d in chunks]
    events.append(
        base
        | {
            "choices": [
                {"index": 0, "delta": {}, "logprobs": None, "finish_reason": completion["choices"][0]["finish_reason"]}
            ]
        }
    )
    if include_usage:
        events.append(base | {"choices": [], "usage": completion["usage"]})
    return events


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_owner: FaultyOpenAI

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing --------------------------------------------------------------------

    def _send_json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _error(self, status: int, message: str, kind: str, headers: Mapping[str, str] | None = None) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}}, headers)

    def _reset(self) -> None:
        """Close with RST: the client sees 'connection reset by peer'."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def _drop(self) -> None:
        """Close (FIN) without a byte of response."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    # -- endpoints -------------------------------------------------------------------

    def do_GET(self) -> None:
        owner = self.server_owner
        if owner._down:
            return self._reset()
        if self.path.rstrip("/") == "/v1/models":
            models = sorted({m for m in owner._plans if m} | {"fake"})
            return self._send_json(
                200,
                {
                    "object": "list",
                    "data": [{"id": m, "object": "model", "created": 0, "owned_by": "faulty"} for m in models],
                },
            )
        self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        owner = self.server_owner
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if owner._down:
            return self._reset()
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"no route {self.path}", "not_found")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._error(400, "request body is not JSON", "invalid_request_error")
        record = owner._route(self.path, body)
        if record.agent is None:
            return self._error(400, "faulty_openai: no known system prompt in the request", "invalid_request_error")
        delay = owner.latency.get(record.agent) if record.fault is None else None
        if callable(delay):  # a latency per request (a spread of latencies)
            delay = delay(record)
        if delay:
            time.sleep(delay)  # each request in its own thread: calls overlap
        fault = record.fault
        stream = record.stream
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        if fault == "hang":
            owner._stopping.wait(owner.hang_s)
            return self._drop()
        if fault == "http_500":
            return self._error(500, owner.error_body, "server_error")
        if fault == "rate_limit":
            return self._error(429, "Rate limit reached; try again in 1s.", "rate_limit_error", {"retry-after": "1"})
        if fault == "drop":
            return self._drop()
        if fault == "reset":
            return self._reset()
        if fault == "down":
            owner._down = True
            self._reset()
            threading.Thread(target=owner._go_down, daemon=True).start()
            return
        if fault == "malformed_json":
            data = b'{"id": "chatcmpl-x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": '
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return

        args: Any = None
        if fault in BAD_ARGS:
            args = BAD_ARGS[fault][record.agent]
        elif fault == "bad_args_json":
            args = NOT_JSON_ARGS
        completion = owner.completion(
            record, empty=fault == "empty_reply", text_instead=fault == "no_tool_call", args=args
        )

        if not stream:
            if fault == "trickle":
                data = json.dumps(completion).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                step = -(-len(data) // 8)
                for i in range(0, len(data), step):
                    if owner._stopping.wait(owner.trickle_s / 8):
                        return self._drop()
                    self.wfile.write(data[i : i + step])
                    self.wfile.flush()
                return
            if fault in ("truncated_body", "truncated_sse", "truncated_sse_eof"):
                data = json.dumps(completion).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                return self._reset()
            return self._send_json(200, completion)

        events = _stream_events(completion, include_usage)
        chunked = fault != "truncated_sse_eof"
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        if chunked:
            self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        if fault in ("truncated_sse", "truncated_body", "truncated_sse_eof"):
            events = events[: max(2, len(events) // 2)]
        for event in events:
            self._write(f"data: {json.dumps(event)}\n\n".encode(), chunked)
        if fault in ("truncated_sse", "truncated_body"):
            self._write(b'data: {"id": "chatcmpl-x", "choi', chunked)  # half an event
            return self._reset()
        if fault == "truncated_sse_eof":
            return self._drop()
        self._write(b"data: [DONE]\n\n", chunked)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _write(self, data: bytes, chunked: bool) -> None:
        if chunked:
            data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
        self.wfile.write(data)
        self.wfile.flush()
