"""An app's own LangChain agent, guarded by ALU: ``create_agent`` with a tool and
``UnlearningMiddleware``, the targets in a ``SqliteStore``.

The agent's model writes the answers (ALU's vanilla agent is never called); the middleware
holds every model turn out of the caller's streams, audits it with the ALU graph's guard
entry, and replaces a flagged answer — same message id — before anything streams or is
stored. The audit of the answer that ended the run is in the agent's state as
``alu_audit``.

    python examples/agent_app.py [STORE.sqlite]

Models come from the environment (``ALU_MODEL``, ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``,
``ALU_K``…). With no model configured and no ``OPENAI_API_KEY``, the bundled local model is
started for the duration of the demo (as in ``examples/subgraph_app.py``); it is a 135M
model and rarely calls the tool by itself (the example's test scripts a tool turn).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from langchain.agents import create_agent
from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.base import BaseStore
from langgraph.store.sqlite import SqliteStore
from subgraph_app import _start_local_model_if_needed

from alu import Context, TargetRegistry, UnlearningMiddleware

CATALOGUE = {
    "pride and prejudice": "Pride and Prejudice (1813), a novel of manners set in Hertfordshire.",
    "emma": "Emma (1815), a comic novel about a young matchmaker.",
}


@tool
def catalogue(title: str) -> str:
    """Look a book up in the library catalogue by its title."""
    return CATALOGUE.get(title.strip().lower(), f"No entry for {title!r}.")


def build_agent(store: BaseStore, model: BaseChatModel | None = None, *, context: Context | None = None):
    """The app: its own model and tool, ALU as middleware. ALU's agents (judge, erasers,
    critics, composer) use the models the environment configures (``Context``)."""
    context = context or Context()
    model = model or init_chat_model(context.model, temperature=0, max_tokens=context.max_tokens)
    return create_agent(
        model,
        [catalogue],
        system_prompt="You are a helpful librarian. Use the catalogue tool to look books up.",
        middleware=[UnlearningMiddleware(context=context)],
        store=store,
        checkpointer=InMemorySaver(),
        name="library_agent",
    )


def ask(agent, thread: str, text: str) -> dict:
    """One turn; prints the tool calls, the answer and ALU's decision."""
    state = agent.invoke({"messages": [HumanMessage(text)]}, {"configurable": {"thread_id": thread}})
    print(f"[{thread}] user: {text}")
    for message in state["messages"]:
        if isinstance(message, AIMessage) and message.tool_calls:
            for call in message.tool_calls:
                print(f"[{thread}] tool call: {call['name']}({call['args']})")
        elif isinstance(message, ToolMessage):
            print(f"[{thread}] tool result: {message.text}")
    print(f"[{thread}] assistant: {state['messages'][-1].text}")
    audit = state.get("alu_audit") or {}
    print(f"[{thread}] decision: {audit.get('decision')} (ALU model calls: {audit.get('calls')})")
    return state


def main() -> int:
    server = _start_local_model_if_needed()
    try:
        path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "targets.sqlite"
        context = Context()
        with SqliteStore.from_conn_string(str(path)) as store:
            store.setup()
            TargetRegistry(store, tenant=context.tenant).add(
                "Jane Austen", aliases=["J. Austen"], keywords=["Pride and Prejudice", "Emma"]
            )
            agent = build_agent(store, context=context)
            ask(agent, "reader", "Who wrote Pride and Prejudice?")  # flagged: her name never comes back
            ask(agent, "traveller", "What is the capital of France?")  # unrelated: passes through
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("ALU_K", "2")
    sys.exit(main())
