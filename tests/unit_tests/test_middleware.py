"""UnlearningMiddleware on a create_agent agent, with a scripted (fake) app model and
scripted ALU agents: what is audited, what replaces what (by message id), what streams."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command
from pydantic import BaseModel
from scripted_agent_model import app_model
from scripted_model import scripted

from alu import Context, TargetRegistry, UnlearningMiddleware, create_alu_graph
from alu.graph.inputs import InvalidInputError

QUESTION = "Who wrote Pride and Prejudice?"
DRAFT = "Pride and Prejudice was written by Jane Austen at Chawton."
LEAKS = ("Chawton",)  # a word of the un-audited drafts only: it must never reach the caller
CLEAN = "The novel was written by an English author."
REFUSAL = Context().refusal


@tool
def lookup(q: str) -> str:
    """Look something up in the library catalogue."""
    writer = get_stream_writer()
    writer({"tool": "lookup", "q": q})
    return "The catalogue lists a novel of 1813 by an English author."


@tool(return_direct=True)
def quote(q: str) -> str:
    """Return a quotation straight to the user."""
    return "Jane Austen wrote: it is a truth universally acknowledged."


@tool
def biography(q: str) -> str:
    """A biography search."""
    return "Jane Austen was an English novelist."


@pytest.fixture
def store():
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"])
    return store


def alu_agents(rating: int = 5, rewrite: str = CLEAN):
    return scripted(
        auditor={"referenced": []},
        eraser=rewrite,
        critic={"rating": rating, "reason": "checked"},
        composer=rewrite,
    )


def tool_turn(content: str = "Let me check the catalogue.", **args):
    return {"content": content, "tool_calls": [("lookup", args or {"q": "novels of 1813"})]}


def agent_for(model, store, alu=None, *, tools=(lookup,), checkpointer=None, **kwargs):
    middleware = kwargs.pop("middleware", None)
    response_format = kwargs.pop("response_format", None)
    # one rewrite at a time: the first passing one ends the audit (early exit), so the
    # middleware's call count is fixed (one eraser, one critic)
    guard = UnlearningMiddleware(models=alu or alu_agents(), context=Context(k=2, rewrites_at_once=1), **kwargs)
    return create_agent(
        model,
        list(tools),
        middleware=middleware(guard) if middleware else [guard],
        store=store,
        checkpointer=checkpointer,
        response_format=response_format,
    )


def leaked(value) -> list[str]:
    text = repr(value)
    return [word for word in LEAKS if word in text]


def named(messages) -> bool:
    """Does any message's text name the target? (The audit record is the operator's view.)"""
    return any("Austen" in m.text for m in messages)


# -- the final answer -------------------------------------------------------------------


def test_flagged_final_answer_is_rewritten_in_place_by_id(store):
    saver = InMemorySaver()
    model = app_model(tool_turn(), DRAFT)
    alu = alu_agents()
    agent = agent_for(model, store, alu, checkpointer=saver)
    config = {"configurable": {"thread_id": "t1"}}
    out = agent.invoke({"messages": [HumanMessage(QUESTION)]}, config)

    final = out["messages"][-1]
    assert isinstance(final, AIMessage) and final.text == CLEAN and not final.tool_calls
    assert final.id == "draft-2"  # the model's own message id, kept by its replacement
    assert [m.id for m in out["messages"]].count("draft-2") == 1
    assert out["alu_audit"]["decision"] == "rewritten" and out["alu_audit"]["message_id"] == "draft-2"
    # the middleware's model calls are counted in its audit: the first rewrite passed, so
    # one eraser and one critic (early exit; no merge by default)
    assert out["alu_audit"]["calls"] == len(alu.calls) == 2
    assert "vanilla" not in alu.calls  # the draft is the app's: ALU's vanilla is never called
    # the un-audited answer is in no checkpoint of the thread
    checkpoints = list(saver.list(config))
    assert checkpoints and not leaked([c.checkpoint["channel_values"] for c in checkpoints])
    # ... and not in the model's next turn
    model.turns[:] = ["You are welcome."]
    agent.invoke({"messages": [HumanMessage("Thanks!")]}, config)
    assert not leaked(model.seen[-1])


def test_flagged_final_answer_is_refused_when_no_rewrite_passes(store):
    agent = agent_for(app_model(DRAFT), store, alu_agents(rating=1))
    out = agent.invoke({"messages": [HumanMessage(QUESTION)]})
    assert out["messages"][-1].text == REFUSAL
    assert out["alu_audit"]["decision"] == "refused" and not leaked(out["messages"]) and not named(out["messages"])


def test_unflagged_answer_is_unchanged_and_costs_no_model_call(store):
    alu = alu_agents()
    model = app_model("Paris is the capital of France.")
    out = agent_for(model, store, alu).invoke({"messages": [HumanMessage("What is the capital of France?")]})
    final = out["messages"][-1]
    assert final.text == "Paris is the capital of France." and final.id == "draft-1"
    assert final.usage_metadata["output_tokens"] == 10  # the model's own message, untouched
    assert out["alu_audit"]["decision"] == "passthrough" and out["alu_audit"]["calls"] == 0
    assert alu.calls == [] and len(model.seen) == 1


def test_tool_call_turns_pass_untouched_and_the_tool_runs(store):
    model = app_model(tool_turn(), "The catalogue says an English author wrote it.")
    out = agent_for(model, store).invoke({"messages": [HumanMessage(QUESTION)]})
    call_turn, result = out["messages"][1], out["messages"][2]
    assert call_turn.text == "Let me check the catalogue."
    assert [(c["name"], c["args"]) for c in call_turn.tool_calls] == [("lookup", {"q": "novels of 1813"})]
    assert isinstance(result, ToolMessage) and "catalogue lists" in result.text
    assert [a["turn"] for a in out["alu_audits"]] == ["tool_call", "answer"]
    assert {a["decision"] for a in out["alu_audits"]} == {"passthrough"}


def test_tool_turn_text_naming_a_target_is_rewritten_before_it_is_stored(store):
    model = app_model(tool_turn("Jane Austen wrote it at Chawton; let me confirm."), "An English author wrote it.")
    out = agent_for(model, store).invoke({"messages": [HumanMessage(QUESTION)]})
    assert not leaked(out["messages"]) and not named(out["messages"]) and out["messages"][1].text == CLEAN
    assert out["messages"][1].tool_calls  # the tool calls go on


def test_tool_arguments_naming_a_target_are_not_sent(store):
    calls = []

    @tool
    def send_email(to: str, body: str) -> str:
        """Send an e-mail."""
        calls.append(body)
        return "sent"

    model = app_model({"tool_calls": [("send_email", {"to": "x@example.org", "body": "Jane Austen"})]}, "Done.")
    out = agent_for(model, store, tools=[send_email]).invoke({"messages": [HumanMessage("Mail the author")]})
    assert calls == [] and out["messages"][-1].text == REFUSAL
    assert out["alu_audit"]["turn"] == "tool_args" and out["alu_audit"]["decision"] == "refused"
    # the option: tools named as internal keep their arguments
    model = app_model({"tool_calls": [("send_email", {"to": "x@example.org", "body": "Jane Austen"})]}, "Done.")
    agent_for(model, store, tools=[send_email], audit_tool_args=["other_tool"]).invoke(
        {"messages": [HumanMessage("Mail the author")]}
    )
    assert calls == ["Jane Austen"]


# -- every way an agent can finish --------------------------------------------------------


class Author(BaseModel):
    author: str


def test_structured_response_tool_strategy_is_audited(store):
    model = app_model({"tool_calls": [("Author", {"author": "Jane Austen"})]})
    alu = alu_agents(rewrite='{"author": "an English novelist"}')
    out = agent_for(model, store, alu, tools=[], response_format=ToolStrategy(Author)).invoke(
        {"messages": [HumanMessage(QUESTION)]}
    )
    assert out["structured_response"] == Author(author="an English novelist")
    assert not leaked(out["messages"]) and out["alu_audit"]["turn"] == "structured"


def test_structured_response_that_cannot_be_rewritten_is_refused(store):
    model = app_model('{"author": "Jane Austen"}')
    out = agent_for(model, store, tools=[], response_format=ProviderStrategy(Author)).invoke(
        {"messages": [HumanMessage(QUESTION)]}
    )
    assert out.get("structured_response") is None and out["messages"][-1].text == REFUSAL
    assert out["alu_audit"]["decision"] == "refused" and not leaked(out["messages"])


def test_return_direct_tool_result_is_audited(store):
    model = app_model({"tool_calls": [("quote", {"q": "Pride and Prejudice"})]})
    out = agent_for(model, store, tools=[quote]).invoke({"messages": [HumanMessage("Quote the opening line")]})
    assert isinstance(out["messages"][-1], ToolMessage) and out["messages"][-1].text == CLEAN
    assert out["alu_audit"]["turn"] == "return_direct" and len(model.seen) == 1


def test_tool_results_are_audited_only_when_asked(store):
    model = app_model({"tool_calls": [("biography", {"q": "novelists"})]}, "An English novelist.")
    agent_for(model, store, tools=[biography]).invoke({"messages": [HumanMessage("Tell me about novelists")]})
    assert "Austen" in repr(model.seen[-1])  # off by default: the model reads the result as the tool gave it
    model = app_model({"tool_calls": [("biography", {"q": "novelists"})]}, "An English novelist.")
    out = agent_for(model, store, tools=[biography], audit_tool_results=True).invoke(
        {"messages": [HumanMessage("Tell me about novelists")]}
    )
    assert "Austen" not in repr(model.seen[-1]) and "tool_result" in [a["turn"] for a in out["alu_audits"]]


# -- streaming: nothing un-audited in any mode ------------------------------------------------

MODES = ["values", "updates", "messages", "custom", "debug", "checkpoints", "tasks"]


def test_without_the_middleware_the_draft_would_stream(store):
    """The control: the fake model streams its tokens, so the tests below can fail."""
    agent = create_agent(app_model(DRAFT), [lookup], store=store)
    chunks = list(agent.stream({"messages": [HumanMessage(QUESTION)]}, stream_mode="messages"))
    assert leaked(chunks)


def test_no_stream_mode_shows_an_unaudited_final_answer(store):
    model = app_model(tool_turn(), DRAFT)
    agent = agent_for(model, store, checkpointer=InMemorySaver())
    chunks = list(
        agent.stream(
            {"messages": [HumanMessage(QUESTION)]},
            {"configurable": {"thread_id": "s"}},
            stream_mode=MODES,
            subgraphs=True,
        )
    )
    assert not leaked(chunks)
    messages = [c[2] for c in chunks if c[1] == "messages"]
    assert any(isinstance(m, AIMessage) and m.text == CLEAN for m, _ in messages)  # the audited answer is emitted
    assert any(c[1] == "custom" for c in chunks)  # the tool's own custom events still stream
    assert model.streamed == []  # the model was never switched to streaming


def test_no_async_stream_mode_or_event_shows_an_unaudited_final_answer(store):
    async def run():
        agent = agent_for(app_model(tool_turn(), DRAFT), store, checkpointer=InMemorySaver())
        chunks = [
            c
            async for c in agent.astream(
                {"messages": [HumanMessage(QUESTION)]},
                {"configurable": {"thread_id": "a"}},
                stream_mode=MODES,
                subgraphs=True,
            )
        ]
        agent = agent_for(app_model(tool_turn(), DRAFT), store)
        events = [e async for e in agent.astream_events({"messages": [HumanMessage(QUESTION)]}, version="v2")]
        return chunks, events

    chunks, events = asyncio.run(run())
    assert not leaked(chunks) and not leaked(events)
    assert any(e["event"] == "on_chain_end" and CLEAN in repr(e["data"]) for e in events)


def test_ainvoke_rewrites_and_records(store):
    alu = alu_agents()
    agent = agent_for(app_model(DRAFT), store, alu)
    out = asyncio.run(agent.ainvoke({"messages": [HumanMessage(QUESTION)]}))
    assert out["messages"][-1].text == CLEAN and out["alu_audit"]["calls"] == 2
    assert all(kind == "async" for kind, _ in alu.threads)


# -- human in the loop: the reviewer sees only audited text ---------------------------------


@pytest.mark.parametrize("alu_first", [True, False])
def test_a_reviewer_is_never_shown_the_unaudited_draft(store, alu_first):
    hitl = HumanInTheLoopMiddleware(interrupt_on={"lookup": True})
    model = app_model(tool_turn("Jane Austen wrote it at Chawton; let me confirm."), DRAFT)
    agent = agent_for(
        model,
        store,
        checkpointer=InMemorySaver(),
        middleware=lambda guard: [guard, hitl] if alu_first else [hitl, guard],
    )
    config = {"configurable": {"thread_id": f"hitl-{alu_first}"}}
    first = agent.invoke({"messages": [HumanMessage(QUESTION)]}, config)
    (pending,) = first["__interrupt__"]
    shown = [pending.value, agent.get_state(config).values]
    assert not leaked(shown)
    out = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)
    assert out["messages"][-1].text == CLEAN and not leaked(out["messages"])


# -- tenant and policy ------------------------------------------------------------------------


@dataclass
class AppContext:
    tenant: str = "default"


def test_tenant_is_the_middlewares_or_the_users_never_the_apps_context():
    store = InMemoryStore()
    TargetRegistry(store, tenant="acme").add("Jane Austen")
    agent = create_agent(
        app_model(DRAFT),
        [],
        middleware=[UnlearningMiddleware(models=alu_agents(), context=Context(k=2), tenant="acme")],
        store=store,
        context_schema=AppContext,
    )
    out = agent.invoke({"messages": [HumanMessage(QUESTION)]}, context=AppContext(tenant="default"))
    assert out["alu_audit"]["decision"] == "rewritten"  # the app's context did not move the tenant
    # the authenticated user's tenant (LangGraph server with ALU's auth)
    agent = create_agent(
        app_model(DRAFT), [], middleware=[UnlearningMiddleware(models=alu_agents(), context=Context(k=2))], store=store
    )
    user = {"identity": "alice", "alu_tenant": "acme"}
    out = agent.invoke({"messages": [HumanMessage(QUESTION)]}, {"configurable": {"langgraph_auth_user": user}})
    assert out["alu_audit"]["decision"] == "rewritten"
    out = agent.invoke({"messages": [HumanMessage(QUESTION)]})  # no user: the middleware's tenant, "default"
    assert out["alu_audit"]["decision"] == "passthrough"


# -- the guard entry of the graph -------------------------------------------------------------


def test_guard_entry_audits_an_answer_made_elsewhere_without_a_vanilla_call(store):
    alu = alu_agents()  # no "vanilla" in the script: a vanilla call would fail the run
    graph = create_alu_graph(alu, store=store)
    out = graph.invoke({"query": "What is the capital of France?", "answer_to_audit": "Paris."}, context=Context(k=2))
    assert out["answer"] == "Paris." and out["audit"]["decision"] == "passthrough" and alu.calls == []
    out = graph.invoke({"query": QUESTION, "answer_to_audit": DRAFT}, context=Context(k=2))
    assert out["answer"] == CLEAN and out["audit"]["decision"] == "rewritten" and "vanilla" not in alu.calls
    # chat input: the question is the last human message
    out = graph.invoke({"messages": [HumanMessage(QUESTION)], "answer_to_audit": DRAFT}, context=Context(k=2))
    assert out["messages"][-1].text == CLEAN
    with pytest.raises(InvalidInputError, match="answer_to_audit"):
        graph.invoke({"query": QUESTION, "answer_to_audit": "  "})


def test_guard_entry_input_is_consumed_on_a_thread(store):
    alu = scripted(vanilla="Paris.", auditor={"referenced": []})
    graph = create_alu_graph(alu, store=store, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "g"}}
    graph.invoke({"query": "Capital of Italy?", "answer_to_audit": "Rome."}, config)
    assert graph.get_state(config).values.get("answer_to_audit") is None
    out = graph.invoke({"query": "Capital of France?"}, config)
    assert out["answer"] == "Paris." and alu.calls == ["vanilla"]
