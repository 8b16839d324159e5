"""Reading the caller's input: a plain query or a chat thread, and the thread's window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    convert_to_messages,
)

from alu.graph.context import Context
from alu.graph.state import State

__all__ = ["InvalidInputError", "RunInput", "earlier_messages", "read_input", "read_question"]


class InvalidInputError(ValueError):
    """The graph's input cannot be answered as given; the message says what to send."""


@dataclass(frozen=True)
class RunInput:
    """What one run answers: the question, the earlier turns the model and the auditor
    read (the window, as messages and as text), and whether it is chat input."""

    question: str
    earlier: list[AnyMessage]
    window: str
    chat: bool


def _text(message: BaseMessage) -> str:
    return (message.text if hasattr(message, "text") else str(message.content or "")).strip()


def _window(messages: Sequence[BaseMessage], context: Context) -> tuple[list[AnyMessage], str]:
    """The newest earlier turns within ``window_turns`` messages and ``window_chars``
    characters: human and AI turns (their text only) for the model; their text and any
    tool results' for the auditor. The newest turn is cut to fit when alone it is longer."""
    if context.window_turns == 0 or context.window_chars == 0:
        return [m for m in messages if isinstance(m, SystemMessage)], ""
    kept: list[tuple[BaseMessage, str]] = []
    budget = context.window_chars
    for message in reversed(messages):
        if not isinstance(message, (HumanMessage, AIMessage, ToolMessage)):
            continue
        text = _text(message)
        if not text:
            continue
        if len(kept) == context.window_turns or budget <= 0:
            break
        if len(text) > budget:
            if kept:
                break
            text = text[-budget:]
        kept.append((message, text))
        budget -= len(text) + 1
    kept.reverse()
    # The app's own system messages (instructions, retrieved context) go to the model as
    # given; they are not turns of the conversation, so the window does not count them.
    earlier: list[AnyMessage] = [m for m in messages if isinstance(m, SystemMessage)]
    earlier += [
        HumanMessage(text) if isinstance(m, HumanMessage) else AIMessage(text)
        for m, text in kept
        if not isinstance(m, ToolMessage)
    ]
    return earlier, "\n".join(text for _, text in kept)


def read_input(state: State, context: Context) -> RunInput:
    """This run's question and window (raises :class:`InvalidInputError` for input that
    cannot be answered: nothing to answer, an empty or over-long question).

    ``query`` wins when given with this run's input. A query left on a thread by a run
    of an earlier release (whose first node did not consume it) is recognised by being
    the question that run answered, and gives way to a newer human message.
    """
    query = state.get("query")
    messages = convert_to_messages(state.get("messages") or [])
    if (
        query is not None
        and messages
        and isinstance(messages[-1], HumanMessage)
        and isinstance(query, str)
        and query.strip() == state.get("question")
    ):
        query = None  # an old release's leftover, already answered
    if query is None:
        if not messages:
            raise InvalidInputError('no input: pass {"query": "..."} or {"messages": [...]} with a human message')
        last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=None)
        if last_human is None:
            raise InvalidInputError("the messages contain no human message: the last human message is the query")
        question: object = _text(messages[last_human])
        before, chat = messages[:last_human], True
    else:
        question, before, chat = query, messages, False
    if not isinstance(question, str):
        raise InvalidInputError(f"query must be a string, got {type(question).__name__}")
    if not question.strip():
        raise InvalidInputError("the query is empty: ask a question")
    if len(question) > context.max_query_chars:
        raise InvalidInputError(
            f"the query is {len(question)} characters; the limit is {context.max_query_chars}"
            " (the operator may raise max_query_chars)"
        )
    earlier, window = _window(before, context)
    return RunInput(question=question.strip(), earlier=earlier, window=window, chat=chat)


def read_question(state: State, context: Context) -> tuple[str, list[AnyMessage], str]:
    """``(question, earlier turns, window text)``: :func:`read_input` as a tuple (kept for
    callers of earlier releases)."""
    run = read_input(state, context)
    return run.question, run.earlier, run.window


def earlier_messages(state: State, context: Context) -> list[AnyMessage]:
    """The window's turns as messages, for the vanilla model (after ``intake`` consumed
    the input): the same turns the auditor reads as ``state["window"]``."""
    messages = convert_to_messages(state.get("messages") or [])
    if state.get("chat"):
        last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=0)
        messages = messages[:last_human]
    return _window(messages, context)[0]
