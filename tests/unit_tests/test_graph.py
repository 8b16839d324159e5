"""Routing, thresholds, fail-closed and live targets, with scripted chat models.

These use ``ScriptedChatModel`` (tests/scripted_model.py), a fake model that answers each
agent from a script: they test the graph's routing and state logic, not model quality.
The same paths run against the real bundled model in tests/integration_tests.
"""

from __future__ import annotations

import operator
from typing import Annotated

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted
from typing_extensions import TypedDict

from alu import Context, InvalidContextError, InvalidInputError, TargetRegistry, create_alu_graph

REFUSAL = Context().refusal
DRAFT = "Pride and Prejudice was written by Jane Austen and published in 1813."
CLEAN = "Pride and Prejudice was published in 1813."


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"])
    return store


def flagged_script(**overrides):
    script = dict(
        vanilla=DRAFT,
        auditor={"referenced": []},
        eraser=CLEAN,
        critic={"rating": 5, "reason": "no trace"},
        composer="It was published in 1813.",
    )
    script.update(overrides)
    return scripted(**script)


def test_unflagged_query_only_calls_vanilla_and_never_reaches_eraser(store):
    model = scripted(vanilla="The capital of France is Paris.")
    out = create_alu_graph(model, store=store).invoke({"query": "What is the capital of France?"})
    assert out["answer"] == "The capital of France is Paris."
    assert out["audit"]["decision"] == "passthrough"
    assert model.calls == ["vanilla"]
    assert out["audit"]["calls"] == 1 and out["audit"]["flagged"] == []


def test_unflagged_query_with_a_candidate_adds_exactly_one_judge_call(store):
    # "Austen" alone is a partial name: a candidate for the judge, not a direct mention.
    model = scripted(vanilla="Austen is a common surname in England.", auditor={"referenced": []})
    out = create_alu_graph(model, store=store).invoke({"query": "Is Austen a surname?"})
    assert model.calls == ["vanilla", "auditor"]
    assert out["audit"]["decision"] == "passthrough"
    # the judge sees the candidate, never the rest of the registry
    TargetRegistry(store).add("Mark Twain")
    model2 = scripted(vanilla="Austen is a surname.", auditor={"referenced": []})
    create_alu_graph(model2, store=store).invoke({"query": "Is Austen a surname?"})
    prompt = model2.messages_of("auditor")[0][-1].content
    assert "Jane Austen" in prompt and "Mark Twain" not in prompt


def test_judge_flags_an_indirect_reference():
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", keywords=["Pride and Prejudice"])
    model = flagged_script(
        vanilla="Pride and Prejudice is an 1813 novel.",
        auditor={"referenced": [{"id": "jane-austen", "evidence": "Pride and Prejudice"}]},
    )
    out = create_alu_graph(model, store=store).invoke({"query": "Tell me about Pride and Prejudice"})
    assert out["audit"]["flagged"][0]["source"] == "judge"
    assert out["audit"]["decision"] == "rewritten"


def test_judge_cannot_flag_ids_it_was_not_shown(store):
    model = flagged_script(
        vanilla="Austen is a surname.", auditor={"referenced": [{"id": "mark-twain", "evidence": "x"}]}
    )
    out = create_alu_graph(model, store=store).invoke({"query": "Is Austen a surname?"})
    assert out["audit"]["decision"] == "passthrough"


def test_flagged_query_runs_every_stage_k_times_in_parallel(store):
    model = flagged_script()
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=Context(early_exit=False)
    )
    assert out["audit"]["decision"] == "rewritten"
    assert out["answer"] == CLEAN  # the best clean passing rewrite: no merge by default
    assert model.calls.count("eraser") == 5 and model.calls.count("critic") == 5
    assert model.calls.count("composer") == 0 and model.calls[0] == "vanilla"
    assert sorted(r["index"] for r in out["audit"]["ratings"]) == [0, 1, 2, 3, 4]
    assert out["audit"]["calls"] == 11
    assert [f["source"] for f in out["audit"]["flagged"]] == ["match"]
    assert "Jane Austen" not in out["answer"]


def test_k_and_j_come_from_the_context(store):
    model = flagged_script()
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who wrote it?"}, context=Context(k=2, j=1, early_exit=False)
    )
    assert model.calls.count("eraser") == 2 and model.calls.count("critic") == 2
    assert "composer" not in model.calls  # one passing rewrite needs no composition
    assert out["answer"] == CLEAN


def test_only_flagged_targets_reach_the_eraser_critic_and_composer(store):
    registry = TargetRegistry(store)
    for name in ["Mark Twain", "Leo Tolstoy", "Virginia Woolf"]:
        registry.add(name)
    model = flagged_script()
    create_alu_graph(model, store=store).invoke({"query": "Who wrote Pride and Prejudice?"})
    for agent in ("eraser", "critic", "composer", "vanilla"):
        for messages in model.messages_of(agent):
            text = " ".join(m.content for m in messages)
            for other in ("Mark Twain", "Leo Tolstoy", "Virginia Woolf"):
                assert other not in text, (agent, other)


def test_ratings_below_threshold_give_the_refusal(store):
    model = flagged_script(critic={"rating": 3, "reason": "hints"})
    out = create_alu_graph(model, store=store).invoke({"query": "Who wrote Pride and Prejudice?"})
    assert out["answer"] == REFUSAL
    assert out["audit"]["decision"] == "refused" and out["audit"]["error"] is None
    assert "composer" not in model.calls


def test_with_merge_only_passing_rewrites_among_the_top_j_are_merged(store):
    ratings = [{"rating": 5}, {"rating": 5}, {"rating": 3}, {"rating": 1}, {"rating": 1}]
    model = flagged_script(critic=list(ratings))
    out = create_alu_graph(model, store=store).invoke({"query": "Who?"}, context=Context(threshold=4.0, merge=True))
    assert out["audit"]["decision"] == "rewritten"
    merged = model.messages_of("composer")[0][-1].content
    assert merged.count(CLEAN) == 2  # only the two rewrites rated >= 4


def test_one_clean_passing_rewrite_is_answered_whatever_the_others(store):
    """The demo's case: two rewrites clean and rated 5, three still naming the target (capped
    at 1). The old rule (mean of the top 3 = 3.7 < 4) refused; a blocked rewrite now leaves
    the pool, and a clean one at or above the threshold is the answer."""
    rewrites = ["Jane Austen wrote it.", CLEAN, "J. Austen wrote it.", CLEAN, "Austen did."]
    model = flagged_script(eraser=list(rewrites), critic={"rating": 5})
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=Context(early_exit=False)
    )
    assert out["audit"]["decision"] == "rewritten" and out["answer"] == CLEAN
    assert sorted(r["rating"] for r in out["audit"]["ratings"]) == [1, 1, 1, 5, 5]
    assert "composer" not in model.calls


def test_rewrite_that_still_names_the_target_is_rated_1_whatever_the_critic_says(store):
    model = flagged_script(
        eraser=[
            "Jane Austen wrote it.",
            "Austen's novel.",
            "J. Austen.",
            "jane  AUSTIN wrote it",
            "Written by Jane Austen.",
        ],
        critic={"rating": 5},
    )
    out = create_alu_graph(model, store=store).invoke({"query": "Who wrote Pride and Prejudice?"})
    assert {r["rating"] for r in out["audit"]["ratings"]} == {1}
    assert all(r["critic_rating"] == 5 and r["names_target"] for r in out["audit"]["ratings"])
    assert out["answer"] == REFUSAL


def test_composed_answer_that_names_the_target_is_replaced_by_a_clean_rewrite(store):
    model = flagged_script(composer="Jane Austen published it in 1813.")
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=Context(merge=True)
    )
    assert out["answer"] == CLEAN and out["audit"]["decision"] == "rewritten"


@pytest.mark.parametrize("stage", ["vanilla", "auditor", "eraser", "critic", "composer"])
@pytest.mark.parametrize("fault", ["raises", "garbage"])
def test_a_failing_stage_yields_the_refusal_never_the_draft(store, stage, fault):
    # the auditor's judge only runs with a candidate: the draft mentions "Austen" alone
    # when auditing is under test, plus the full name for every other stage
    draft = "Austen wrote it." if stage == "auditor" else DRAFT
    failing = (
        ConnectionError("model down") if fault == "raises" else ("not json {" if stage in ("auditor", "critic") else "")
    )
    model = flagged_script(**{"vanilla": draft, stage: failing})  # "" = unusable empty reply
    context = Context(merge=stage == "composer")  # the composer calls a model only to merge
    out = create_alu_graph(model, store=store, max_attempts=2).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=context
    )
    assert out["answer"] == REFUSAL
    assert out["audit"]["decision"] == "refused"
    assert out["audit"]["error"]["stage"] == stage
    assert model.calls.count(stage) >= 2, "the failing call is retried before refusing"
    assert "Austen" not in out["answer"]


def test_critic_output_out_of_range_is_a_failure_not_a_rating(store):
    model = flagged_script(critic={"rating": 9})
    out = create_alu_graph(model, store=store, max_attempts=1).invoke({"query": "Who?"})
    assert out["audit"]["decision"] == "refused" and out["audit"]["error"]["stage"] == "critic"


def test_live_target_added_between_two_invokes_is_honoured(store):
    graph = create_alu_graph(flagged_script(vanilla="Mark Twain wrote Tom Sawyer."), store=store)
    first = graph.invoke({"query": "Who wrote Tom Sawyer?"})
    assert first["audit"]["decision"] == "passthrough"
    TargetRegistry(store).add("Mark Twain")
    second = graph.invoke({"query": "Who wrote Tom Sawyer?"})
    assert second["audit"]["decision"] == "rewritten"
    assert "Twain" not in second["answer"]
    TargetRegistry(store).remove("mark-twain")
    assert graph.invoke({"query": "Who wrote Tom Sawyer?"})["audit"]["decision"] == "passthrough"


def test_tenants_do_not_see_each_other_targets():
    store = InMemoryStore()
    TargetRegistry(store, tenant="acme").add("Mark Twain")
    graph = create_alu_graph(flagged_script(vanilla="Mark Twain wrote Tom Sawyer."), store=store)
    assert graph.invoke({"query": "q"}, context=Context(tenant="other"))["audit"]["decision"] == "passthrough"
    assert graph.invoke({"query": "q"}, context=Context(tenant="acme"))["audit"]["decision"] == "rewritten"


def test_per_run_targets_apply_without_a_store():
    graph = create_alu_graph(flagged_script(vanilla="Mark Twain wrote Tom Sawyer."))
    assert graph.invoke({"query": "q"})["audit"]["decision"] == "passthrough"
    out = graph.invoke({"query": "q", "targets": ["Mark Twain"]})
    assert out["audit"]["decision"] == "rewritten"


def test_messages_input_uses_last_human_message_and_appends_the_answer(store):
    model = scripted(vanilla="Paris.")
    history = [HumanMessage("Hi"), AIMessage("Hello!"), HumanMessage("Capital of France?")]
    out = create_alu_graph(model, store=store).invoke({"messages": history})
    assert out["answer"] == "Paris."
    assert isinstance(out["messages"][-1], AIMessage) and out["messages"][-1].content == "Paris."
    assert len(out["messages"]) == 4
    sent = model.messages_of("vanilla")[0]
    assert sent[-1].content == "Capital of France?" and any(m.content == "Hello!" for m in sent)


def test_target_named_in_an_earlier_turn_goes_to_the_judge_with_the_window(store):
    # The window rule: a name typed earlier is not a flag by itself (it would flag every
    # later turn); the judge reads the window and decides what "she" refers to.
    history = [HumanMessage("Tell me about Jane Austen"), AIMessage("..."), HumanMessage("What else did she write?")]
    model = flagged_script(
        vanilla="She wrote Emma.", auditor={"referenced": [{"id": "jane-austen", "evidence": "she"}]}
    )
    out = create_alu_graph(model, store=store).invoke({"messages": history})
    assert out["audit"]["decision"] == "rewritten"
    assert "Tell me about Jane Austen" in model.messages_of("auditor")[0][-1].content
    assert out["audit"]["flagged"][0]["source"] == "judge"


def test_output_never_contains_internal_state(store):
    out = create_alu_graph(flagged_script(), store=store).invoke({"query": "Who wrote Pride and Prejudice?"})
    assert set(out) <= {"answer", "audit", "messages"}
    assert not out.get("messages")  # query input: no chat messages are made up


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"query": "   "}, "empty"),
        ({"messages": [AIMessage("hi")]}, "no human message"),
        ({}, "no input"),
        ({"query": "x" * 9000}, "limit"),
    ],
)
def test_bad_input_raises_a_clear_error_before_any_model_call(store, payload, message):
    model = scripted(vanilla="never")
    with pytest.raises(InvalidInputError, match=message):
        create_alu_graph(model, store=store).invoke(payload)
    assert model.calls == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 0}, "k must be"),
        ({"k": 2, "j": 3}, "j must not exceed k"),
        ({"threshold": 6}, "threshold"),
        ({"model": "gpt4"}, "provider:model"),
        ({"structured_output_method": "xml"}, "structured_output_method"),
    ],
)
def test_invalid_context_is_rejected_with_a_clear_message(kwargs, message):
    with pytest.raises(InvalidContextError, match=message):
        Context(**kwargs)


def test_context_as_a_dict_is_validated_too(store):
    graph = create_alu_graph(scripted(vanilla="Paris."), store=store)
    assert graph.invoke({"query": "q"}, context={"k": 2})["answer"] == "Paris."
    with pytest.raises((InvalidContextError, TypeError), match="kk"):
        graph.invoke({"query": "q"}, context={"kk": 2})


def test_default_graph_imports_without_keys_or_servers(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    from alu.graph import graph

    assert set(graph.get_input_jsonschema()["properties"]) >= {"query", "messages"}
    assert set(graph.get_output_jsonschema()["properties"]) == {"answer", "audit", "messages"}
    # the erasers and critics are the composer's child runs (it stops them once it can decide)
    assert {"intake", "vanilla", "auditor", "composer"} <= set(graph.nodes)


class ParentState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    steps: Annotated[list[str], operator.add]


def test_compiled_graph_works_as_a_node_of_a_parent_graph(store):
    alu_graph = create_alu_graph(flagged_script())

    def before(state: ParentState) -> dict:
        return {"steps": ["before"]}

    parent = StateGraph(ParentState)
    parent.add_node("before", before)
    parent.add_node("alu", alu_graph)
    parent.add_edge(START, "before")
    parent.add_edge("before", "alu")
    app = parent.compile(store=store)  # the subgraph reads the parent's store
    out = app.invoke({"messages": [HumanMessage("Who wrote Pride and Prejudice?")]})
    assert out["steps"] == ["before"]
    assert [type(m).__name__ for m in out["messages"]] == ["HumanMessage", "AIMessage"]
    assert out["messages"][-1].content == CLEAN


def test_early_exit_answers_the_first_passing_rewrite_and_sends_no_more(store):
    """Scripted models (routing logic): one rewrite at a time, the first passes — the run
    ends after the draft, one rewrite and one critique."""
    model = flagged_script()
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=Context(rewrites_at_once=1)
    )
    assert out["answer"] == CLEAN and out["audit"]["decision"] == "rewritten"
    assert model.calls == ["vanilla", "eraser", "critic"]
    assert out["audit"]["calls"] == 3 and [r["index"] for r in out["audit"]["ratings"]] == [0]


def test_a_blocked_rewrite_leaves_the_pool_and_the_next_one_is_sent(store):
    model = flagged_script(eraser=["J. Austen wrote it.", "Austen did.", CLEAN])
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=Context(rewrites_at_once=1)
    )
    assert out["answer"] == CLEAN
    assert model.calls == ["vanilla"] + ["eraser", "critic"] * 3
    ratings = out["audit"]["ratings"]
    assert [(r["index"], r["rating"], r["names_target"]) for r in ratings] == [
        (0, 1, True),
        (1, 1, True),
        (2, 5, False),
    ]


def test_no_passing_rewrite_rates_all_k_then_refuses(store):
    model = flagged_script(critic={"rating": 3, "reason": "hints"})
    out = create_alu_graph(model, store=store).invoke({"query": "Who?"}, context=Context(rewrites_at_once=2))
    assert out["answer"] == REFUSAL and out["audit"]["error"] is None
    assert model.calls.count("eraser") == 5 and model.calls.count("critic") == 5
    assert len(out["audit"]["ratings"]) == 5


def test_with_merge_early_exit_waits_for_j_passing_rewrites(store):
    model = flagged_script(critic=[{"rating": 5}, {"rating": 2}, {"rating": 5}, {"rating": 5}])
    out = create_alu_graph(model, store=store).invoke(
        {"query": "Who?"}, context=Context(merge=True, j=2, rewrites_at_once=1)
    )
    assert out["answer"] == "It was published in 1813." and out["audit"]["decision"] == "rewritten"
    assert model.calls == ["vanilla"] + ["eraser", "critic"] * 3 + ["composer"]
    assert model.messages_of("composer")[0][-1].content.count(CLEAN) == 2


@pytest.mark.parametrize("rewritten", [True, False])
def test_an_answer_written_straight_from_the_question_passes_the_same_critic_and_final_checks(store, rewritten):
    """The question names the target: no draft is written, the erasers answer the question,
    and their answers meet the critic's cap and the composer's rule like any rewrite."""
    answer = "She wrote six novels, among them Emma." if rewritten else "Jane Austen wrote six novels."
    model = flagged_script(eraser=answer)
    out = create_alu_graph(model, store=store).invoke({"query": "Tell me about Jane Austen."})
    assert "vanilla" not in model.calls and "auditor" not in model.calls
    prompt = model.messages_of("eraser")[0][-1].content
    assert "Tell me about Jane Austen." in prompt and DRAFT not in prompt
    assert model.messages_of("critic"), "every answer is rated by a critic"
    if rewritten:
        assert out["answer"] == answer and out["audit"]["decision"] == "rewritten"
    else:  # capped at 1 by the deterministic check whatever the critic says: all k refused
        assert out["answer"] == REFUSAL and {r["rating"] for r in out["audit"]["ratings"]} == {1}
        assert len(out["audit"]["ratings"]) == 5 and all(r["critic_rating"] == 5 for r in out["audit"]["ratings"])


def test_an_answer_from_the_question_that_completes_the_target_with_the_window_is_blocked(store):
    """The final check reads the window: "Jane" in an earlier turn and "Austen" in the
    answer complete the name."""
    history = [
        HumanMessage("Who is Jane?"),
        AIMessage("Jane is a first name."),
        HumanMessage("Tell me about J. Austen."),
    ]
    model = flagged_script(eraser="Austen is the surname you mean.")
    out = create_alu_graph(model, store=store).invoke({"messages": history}, context=Context(k=2))
    assert "vanilla" not in model.calls
    assert out["answer"] == REFUSAL and all(r["names_target"] for r in out["audit"]["ratings"])


def test_scripted_judge_flag_whose_evidence_is_not_in_the_text_is_no_flag():
    """Scripted (fake) judge: a reference quoting words that occur nowhere in the question,
    the answer or the earlier turns is made up, and does not flag; the same reference
    quoting the answer's words does (case and punctuation folded)."""
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", keywords=["Pride and Prejudice"])
    query = {"query": "Tell me about Pride and Prejudice"}
    made_up = flagged_script(
        vanilla="Pride and Prejudice is an 1813 novel.",
        auditor={"referenced": [{"id": "jane-austen", "evidence": "the novel by Jane Austen"}]},
    )
    out = create_alu_graph(made_up, store=store).invoke(query)
    assert out["audit"]["decision"] == "passthrough" and out["audit"]["flagged"] == []
    quoting = flagged_script(
        vanilla="Pride and Prejudice is an 1813 novel.",
        auditor={"referenced": [{"id": "jane-austen", "evidence": "pride and prejudice,"}]},
    )
    out = create_alu_graph(quoting, store=store).invoke(query)
    assert out["audit"]["decision"] == "rewritten" and out["audit"]["flagged"][0]["source"] == "judge"


def test_evidence_must_be_quoted_from_one_of_the_texts():
    from alu.nodes.auditor import quoted

    assert quoted("Pride & Prejudice", ["", "About PRIDE & prejudice."])
    assert not quoted("Pride", ["Prideful people"])  # whole words only
    assert not quoted("", ["anything"]) and not quoted("  ", ["anything"])
    assert not quoted("Jane Austen", ["Who wrote Emma?", "Emma is a novel."])
