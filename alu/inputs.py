"""Reading the caller's input: a plain query or a chat history."""

from __future__ import annotations

from langchain_core.messages import AnyMessage, HumanMessage, convert_to_messages

from alu.graph.context import Context
from alu.graph.state import State

__all__ = ["InvalidInputError", "read_question"]


class InvalidInputError(ValueError):
    """The graph's input cannot be answered as given; the message says what to send."""


def read_question(state: State, context: Context) -> tuple[str, list[AnyMessage], str]:
    """The question, the earlier chat turns, and the earlier human turns as text.

    ``query`` wins when both are given. Raises :class:`InvalidInputError` for an empty
    or over-long query and for chat input without a human message.
    """
    query = state.get("query")
    earlier: list[AnyMessage] = []
    if query is None:
        messages = convert_to_messages(state.get("messages") or [])
        if not messages:
            raise InvalidInputError(
                'no input: pass {"query": "..."} or {"messages": [...]} with a human message'
            )
        last_human = max(
            (i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=None
        )
        if last_human is None:
            raise InvalidInputError(
                "the messages contain no human message: the last human message is the query"
            )
        query = messages[last_human].text
        earlier = messages[:last_human]
    if not isinstance(query, str):
        raise InvalidInputError(f"query must be a string, got {type(query).__name__}")
    if not query.strip():
        raise InvalidInputError("the query is empty: ask a question")
    if len(query) > context.max_query_chars:
        raise InvalidInputError(
            f"the query is {len(query)} characters; the limit is {context.max_query_chars}"
            " (raise max_query_chars in the context to allow more)"
        )
    history = "\n".join(m.text for m in earlier if isinstance(m, HumanMessage))
    return query.strip(), earlier, history
