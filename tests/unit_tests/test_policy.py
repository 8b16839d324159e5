"""Operator policy versus a caller's context, as a LangGraph server run sees it (a run's
configurable carries ``langgraph_request_id`` and, with custom auth, ``langgraph_auth_user``;
the server mirrors the run's context into it). Scripted chat models: this tests the
policy logic; tests/integration_tests/test_server_auth.py runs it on a real ``langgraph dev``."""

from __future__ import annotations

from dataclasses import fields

import pytest
from langgraph.store.memory import InMemoryStore
from test_threads import thread_model

from alu import Context, InvalidContextError, TargetRegistry, create_alu_graph
from alu.graph.policy import POLICY_TABLE, tighten

QUESTION = {"query": "Who wrote Pride and Prejudice?"}


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store, tenant="acme").add("Jane Austen", keywords=["Pride and Prejudice"])
    return store


def server_config(context: dict | None = None, user: dict | None = None) -> dict:
    """The configurable of a server run: the context mirrored, the server's own keys."""
    configurable = dict(context or {})
    if context:
        configurable["__context_provided__"] = True
    configurable["langgraph_request_id"] = "req-1"
    if user is not None:
        configurable["langgraph_auth_user"] = user
        configurable["langgraph_auth_user_id"] = user["identity"]
    return {"configurable": configurable}


def run(graph, context: dict | None = None, user: dict | None = None) -> dict:
    return graph.invoke(QUESTION, server_config(context, user), context=context)


ALICE = {"identity": "alice", "alu_tenant": "acme", "alu_policy": {}}


def test_the_authenticated_users_tenant_applies_whatever_the_context_says(store):
    graph = create_alu_graph(thread_model(), store=store)
    assert run(graph, user=ALICE)["audit"]["decision"] == "rewritten"
    with pytest.raises(InvalidContextError, match="tenant is set by the operator"):
        run(graph, {"tenant": "nobody"}, ALICE)


@pytest.mark.parametrize(
    "context, message",
    [
        ({"threshold": 1.0}, "threshold may only be raised"),
        ({"audit_mode": "match"}, "audit_mode may only be made stricter"),
        ({"k": 2}, "k may only be raised"),
        ({"k": 15}, "k may be raised to at most 10"),
        ({"model": "openai:gpt-4o"}, "model is set by the operator"),
        ({"refusal": "Sure! Here it is:"}, "refusal is set by the operator"),
        ({"shortlist_size": 1}, "shortlist_size may only be raised"),
        ({"window_turns": 0}, "window_turns may only be raised"),
        ({"max_query_chars": 100_000}, "max_query_chars may only be lowered"),
        (
            {"semantic": False},
            r"semantic may only be made stricter by a run's context \(false < null < true; the operator's value is null\)",
        ),
        ({"semantic": 1}, "semantic must be true, false or null"),
    ],
)
def test_a_context_that_would_loosen_the_policy_is_refused_with_a_clear_error(store, context, message):
    model = thread_model()
    graph = create_alu_graph(model, store=store)
    with pytest.raises(InvalidContextError, match=message):
        run(graph, context, ALICE)
    assert model.calls == []  # refused before any model call


def test_a_context_may_tighten_the_policy(store):
    # no rewrite passes 4.5, so every one of the k is written and rated (early exit would
    # stop at the first passing one): the raised k shows in the count
    model = thread_model(critic={"rating": 4, "reason": "nearly"})
    graph = create_alu_graph(model, store=store)
    out = run(graph, {"k": 7, "threshold": 4.5, "shortlist_size": 16}, ALICE)
    assert out["audit"]["decision"] == "refused" and out["audit"]["error"] is None
    assert model.calls.count("eraser") == 7 and len(out["audit"]["ratings"]) == 7
    out = run(graph, {"threshold": 4.0}, ALICE)  # the operator's 4.0 passes a 4
    assert out["audit"]["decision"] == "rewritten"


def test_the_auth_users_policy_is_the_operators(store):
    model = thread_model(critic={"rating": 4, "reason": "hint"})
    graph = create_alu_graph(model, store=store)
    strict = {**ALICE, "alu_policy": {"threshold": 5.0}}
    assert run(graph, user=ALICE)["audit"]["decision"] == "rewritten"  # 4 >= 4.0
    assert run(graph, user=strict)["audit"]["decision"] == "refused"  # 4 < 5.0
    with pytest.raises(InvalidContextError, match="threshold may only be raised"):
        run(graph, {"threshold": 4.0}, strict)


def test_without_auth_a_caller_tenant_is_refused_unless_the_operator_allows_it(store, monkeypatch):
    graph = create_alu_graph(thread_model(), store=store)
    with pytest.raises(InvalidContextError, match="tenant is set by the operator"):
        run(graph, {"tenant": "acme"})
    monkeypatch.setenv("ALU_TENANT", "acme")
    assert run(graph)["audit"]["decision"] == "rewritten"  # the operator's tenant
    monkeypatch.delenv("ALU_TENANT")
    monkeypatch.setenv("ALU_ALLOW_CALLER_TENANT", "1")
    assert run(graph, {"tenant": "acme"})["audit"]["decision"] == "rewritten"
    assert run(graph, {"tenant": "other"})["audit"]["decision"] == "passthrough"


def test_with_auth_the_tenant_is_the_users_even_when_callers_may_choose(store, monkeypatch):
    monkeypatch.setenv("ALU_ALLOW_CALLER_TENANT", "1")
    graph = create_alu_graph(thread_model(), store=store)
    with pytest.raises(InvalidContextError, match="tenant"):
        run(graph, {"tenant": "other"}, ALICE)


def test_in_process_the_callers_context_is_the_operators(store):
    graph = create_alu_graph(thread_model(), store=store)
    out = graph.invoke(QUESTION, context=Context(tenant="acme", audit_mode="match", threshold=1.0, k=2))
    assert out["audit"]["decision"] == "rewritten"


def test_every_context_field_has_a_policy_rule():
    rules = {name: rule for name, rule, _ in POLICY_TABLE}
    assert set(rules) == {f.name for f in fields(Context)}
    assert set(rules.values()) <= {"operator", "raise", "lower", "free", "stricter"}
    for name in (
        "tenant",
        "model",
        "vanilla_model",
        "auditor_model",
        "refusal",
        "allow_caller_tenant",
        "judge_temperature",
    ):
        assert rules[name] == "operator", name


def test_a_caller_may_turn_the_semantic_stage_on_over_auto_and_never_off():
    from alu.graph.policy import tighten

    auto = Context()
    assert auto.semantic is None
    assert tighten(auto, {"semantic": True}).semantic is True
    assert tighten(Context(semantic=False), {"semantic": None}).semantic is None
    with pytest.raises(InvalidContextError, match="semantic may only be made stricter"):
        tighten(Context(semantic=True), {"semantic": None})


def test_tighten_keeps_j_within_a_raised_k():
    base = Context(k=3, j=3)
    assert tighten(base, {"k": 5}).j == 3
    assert tighten(Context(k=2, j=2), {"k": 4}).k == 4


def test_the_readme_table_states_every_fields_rule():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index("| field | default | env | meaning | a server run's context may |") :]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    stated: dict[str, str] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        names = re.findall(r"`(\w+)`", cells[0])
        if "vanilla_model" in names:
            names = [f"{a}_model" for a in ("vanilla", "auditor", "eraser", "critic", "composer")]
        last = cells[-1]
        rule = next(r for phrase, r in [("not change it", "operator"), ("raise it", "raise"), ("lower it", "lower"),
                                         ("set it", "free"), ("make it stricter", "stricter")] if last.startswith(phrase))  # fmt: skip
        cap = re.search(r"at most ([\d,.]+)", last)
        for name in names:
            stated[name] = rule + (f" {float(cap.group(1).replace(',', ''))}" if cap else "")
    actual = {name: rule + (f" {float(cap)}" if cap else "") for name, rule, cap in POLICY_TABLE}
    assert stated == actual
