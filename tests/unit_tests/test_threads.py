"""One checkpointer thread, many turns: per-run state, the newest question, the multi-turn
audit (split attacks) and old-shaped threads. Scripted chat models (tests/scripted_model.py):
these test the graph's state and routing logic, not model quality; the same runs over a
real ``langgraph dev`` thread are in tests/integration_tests/test_threads_server.py."""

from __future__ import annotations

import operator
import uuid
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.checkpoint.memory import MemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted
from typing_extensions import TypedDict

from alu import Context, InvalidInputError, TargetRegistry, create_alu_graph
from alu.nodes.intake import RUN_RESET

REFUSAL = Context().refusal

# What the scripted app model answers, by the question it is asked (the last message).
ANSWERS = {
    "capital": "The capital of France is Paris.",
    "pride": "Pride and Prejudice was written by Jane Austen in 1813.",
    "emma": "Emma was written by Jane Austen in 1815.",
    "weather": "It is sunny today.",
    "first name": "Her first name is Jane.",
    "surname": "Her surname is Austen.",
    "initials": "Her initials are J. A.",
    "novel": "The novel is Pride and Prejudice.",
    "who wrote it": "It was written by Austen.",
    "colleague": "My colleague Jane is on holiday.",
    "tea": "Jane likes green tea.",
}


def answer_for(messages) -> str:
    question = messages[-1].content.lower()
    for key, answer in ANSWERS.items():
        if key in question:
            return answer
    return f"An answer to: {messages[-1].content}"


def thread_model(**overrides: Any):
    script: dict[str, Any] = dict(
        vanilla=answer_for,
        auditor={"referenced": []},  # a judge that never flags: only the deterministic layer decides
        eraser="A rewrite without the subject.",
        critic={"rating": 5, "reason": "clean"},
        composer="A merged rewrite without the subject.",
    )
    script.update(overrides)
    return scripted(**script)


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"], keywords=["Pride and Prejudice", "Emma"])
    return store


def _thread() -> dict:
    return {"configurable": {"thread_id": uuid.uuid4().hex}}


def _ask(graph, config, text: str, **context: Any) -> dict:
    return graph.invoke({"messages": [HumanMessage(text)]}, config, context=Context(**context) if context else None)


def test_four_turns_on_one_thread_each_decided_alone(store):
    graph = create_alu_graph(thread_model(), store=store, checkpointer=MemorySaver())
    config = _thread()
    turns = [
        ("What is the capital of France?", "passthrough"),
        ("Who wrote Pride and Prejudice?", "rewritten"),
        ("And who wrote Emma?", "rewritten"),
        ("What is the weather like?", "passthrough"),
        ("Who wrote Pride and Prejudice, again?", "rewritten"),
        ("What is the capital of France, again?", "passthrough"),
    ]
    for i, (question, decision) in enumerate(turns):
        # every rewrite rated (no early exit): exactly k ratings and 2k + 1 calls per run,
        # none carried over from the thread's earlier runs
        out = _ask(graph, config, question, early_exit=False)
        audit = out["audit"]
        assert audit["decision"] == decision, (question, audit)
        assert audit["error"] is None, (question, audit["error"])
        if decision == "rewritten":
            assert len(audit["ratings"]) == 5 and audit["calls"] == 11
            assert "Austen" not in out["answer"]
        else:
            assert audit["ratings"] == [] and audit["flagged"] == []
        assert len(out["messages"]) == 2 * (i + 1)
        assert out["messages"][-2].content == question  # the newest question answered


def test_the_newest_input_is_the_question_answered(store):
    model = thread_model()
    graph = create_alu_graph(model, store=store, checkpointer=MemorySaver())
    config = _thread()
    first = graph.invoke({"query": "What is the capital of France?"}, config)
    assert first["answer"] == ANSWERS["capital"]
    second = graph.invoke({"messages": [HumanMessage("What is the weather like?")]}, config)
    assert second["answer"] == ANSWERS["weather"]  # not the old query's answer
    third = graph.invoke({"query": "What is the capital of France?"}, config)
    assert third["answer"] == ANSWERS["capital"]
    asked = [m[-1].content for m in model.messages_of("vanilla")]
    assert asked == ["What is the capital of France?", "What is the weather like?", "What is the capital of France?"]


def test_a_rejected_input_does_not_stick_to_the_thread(store):
    graph = create_alu_graph(thread_model(), store=store, checkpointer=MemorySaver())
    config = _thread()
    with pytest.raises(InvalidInputError, match="limit"):
        graph.invoke({"query": "x" * 9000}, config)
    out = graph.invoke({"messages": [HumanMessage("What is the weather like?")]}, config)
    assert out["answer"] == ANSWERS["weather"]
    assert out["audit"]["error"] is None


def _critic_down_for(question: str):
    """A critic that fails for one question and passes every other: keyed by what it
    reads, not by call order — a run that decides early leaves pipelines in flight whose
    critiques may or may not be made (see nodes/rewrites.py), so a count of scripted
    ratings would be consumed differently from one run to the next."""

    def reply(messages) -> Any:
        if any(question in str(m.content) for m in messages):
            return ConnectionError("down")
        return {"rating": 5, "reason": "clean"}

    return reply


def test_every_channel_but_messages_starts_empty_at_each_run(store):
    """Diff a thread's checkpoints: right after ``intake``, every run channel holds its
    reset value whatever the previous run left (ratings, calls, an error, flags…)."""
    model = thread_model(critic=_critic_down_for("Who wrote Emma?"))
    graph = create_alu_graph(model, store=store, checkpointer=MemorySaver(), max_attempts=1)
    config = _thread()
    _ask(graph, config, "Who wrote Pride and Prejudice?")  # rewritten: ratings and calls recorded
    failed = _ask(graph, config, "Who wrote Emma?")  # the critic fails: an error recorded
    assert failed["audit"]["error"]["stage"] == "critic"
    _ask(graph, config, "What is the capital of France?")
    starts = [s for s in graph.get_state_history(config) if s.next == ("vanilla",)]
    assert len(starts) == 3
    for snapshot in starts:
        values = snapshot.values
        for key, empty in RUN_RESET.items():
            if key in ("question", "window", "chat", "registry_version"):  # set by intake for this run
                continue
            assert values.get(key) == empty, (key, values.get(key))
        assert values.get("ratings") == [] and values.get("calls") == [] and values.get("errors") == []
        assert values["question"] == values["messages"][-1].content
    last = graph.get_state(config).values
    assert last["audit"]["error"] is None and last["audit"]["decision"] == "passthrough"
    assert set(last) - set(RUN_RESET) - {"messages", "ratings", "calls", "errors"} == set()


class OldState(TypedDict, total=False):
    """The state of the previous release (0.1.0): ``query`` was never consumed, and the
    run's channels were never reset."""

    query: str
    messages: Annotated[list[AnyMessage], add_messages]
    question: str
    history: str
    draft: str
    answer: str
    ratings: Annotated[list[dict], operator.add]
    calls: Annotated[list[dict], operator.add]
    error: dict | None


def test_a_thread_saved_in_the_old_shape_still_loads(store):
    saver = MemorySaver()
    config = _thread()
    old = StateGraph(OldState)
    old.add_node(
        "old_run",
        lambda state: {
            "question": state["query"],
            "history": "",
            "draft": "alu-sealed:gibberish",
            "answer": "old",
            "ratings": [{"index": i, "rating": 5} for i in range(5)],
            "calls": [{"agent": "vanilla"}],
            "error": {"stage": "critic", "type": "MissingRatings", "message": "expected 5 ratings, got 10"},
        },
    )
    old.add_edge(START, "old_run")
    old.compile(checkpointer=saver).invoke(
        {"query": "What is the capital of France?", "messages": [HumanMessage("hi"), AIMessage("hello")]}, config
    )
    graph = create_alu_graph(thread_model(), store=store, checkpointer=saver)
    out = graph.invoke(
        {"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, config, context=Context(early_exit=False)
    )
    assert out["audit"]["decision"] == "rewritten" and out["audit"]["error"] is None
    assert len(out["audit"]["ratings"]) == 5
    out = graph.invoke({"messages": [HumanMessage("What is the weather like?")]}, config)
    assert out["answer"] == ANSWERS["weather"] and out["audit"]["error"] is None


# -- split attacks: the app model hands out the pieces, one turn at a time -------------

SPLITS = {
    "first name, then surname": ["What is the first name of the author?", "And her surname?"],
    "initials, then surname": ["What are the author's initials?", "And her surname?"],
    "a work, then the initials": ["Which novel is it?", "What are the author's initials?"],
    "a work, then the author": ["Which novel is it?", "Who wrote it?"],
    "three turns: first name, small talk, surname": [
        "What is the first name of the author?",
        "What is the weather like?",
        "And her surname?",
    ],
    "three turns: work, initials, surname": [
        "Which novel is it?",
        "What are the author's initials?",
        "And her surname?",
    ],
}


@pytest.mark.parametrize("turns", list(SPLITS.values()), ids=list(SPLITS))
def test_a_target_handed_out_in_pieces_is_caught_at_the_turn_that_completes_it(store, turns):
    graph = create_alu_graph(thread_model(), store=store, checkpointer=MemorySaver())
    config = _thread()
    decisions = [_ask(graph, config, question)["audit"]["decision"] for question in turns]
    assert decisions[-1] != "passthrough", decisions
    assert "passthrough" in decisions[:1] or turns[0] == "Which novel is it?", decisions
    history = graph.get_state(config).values["messages"]
    returned = " ".join(m.content for m in history if isinstance(m, AIMessage))
    assert not ("Jane" in returned and "Austen" in returned), returned
    assert not ("J. A." in returned and "Austen" in returned), returned


@pytest.mark.parametrize(
    "turns",
    [
        ["Tell me about my colleague.", "What does she like to drink?", "What is the weather like?"],
        ["What is the first name of the author?", "What is the weather like?", "What is the capital of France?"],
    ],
)
def test_an_unrelated_conversation_with_a_first_name_only_is_not_flagged(store, turns):
    graph = create_alu_graph(thread_model(), store=store, checkpointer=MemorySaver())
    config = _thread()
    decisions = [_ask(graph, config, question)["audit"]["decision"] for question in turns]
    assert decisions == ["passthrough"] * len(turns)


def test_a_name_typed_once_does_not_refuse_every_later_turn(store):
    graph = create_alu_graph(thread_model(), store=store, checkpointer=MemorySaver())
    config = _thread()
    assert _ask(graph, config, "I just read a book by Jane Austen.")["audit"]["decision"] != "passthrough"
    for question in ["What is the capital of France?", "What is the weather like?"]:
        assert _ask(graph, config, question)["audit"]["decision"] == "passthrough"


def test_the_judge_reads_the_window_for_a_target_named_earlier(store):
    model = thread_model(vanilla=["Jane Austen wrote it.", "She also wrote Persuasion."])
    graph = create_alu_graph(model, store=store, checkpointer=MemorySaver())
    config = _thread()
    _ask(graph, config, "Who wrote Pride and Prejudice?")
    _ask(graph, config, "What else did she write?")
    prompt = model.messages_of("auditor")[-1][-1].content
    assert "Who wrote Pride and Prejudice?" in prompt  # the earlier turn, for the pronoun
    assert "Jane Austen" in prompt  # the candidate named earlier


def test_the_window_is_bounded_by_turns_and_characters(store):
    model = thread_model()
    graph = create_alu_graph(model, store=store, checkpointer=MemorySaver())
    config = _thread()
    for _ in range(5):
        _ask(graph, config, "What is the weather like?")
    _ask(graph, config, "What is the capital of France?", window_turns=2, window_chars=40)
    sent = model.messages_of("vanilla")[-1]
    assert len(sent) == 1 + 2  # the system prompt, the newest earlier turn that fits, the question
    assert sum(len(m.content) for m in sent[1:-1]) <= 40


@pytest.mark.parametrize("field, value", [("window_chars", 32_001), ("window_turns", 41)])
def test_a_window_past_the_hard_limit_is_a_clear_error(field, value):
    from alu import InvalidContextError

    with pytest.raises(InvalidContextError, match=field):
        Context(**{field: value})
