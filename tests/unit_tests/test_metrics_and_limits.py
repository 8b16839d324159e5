"""Metrics (:mod:`alu.graph.metrics`, read with OpenTelemetry's in-memory reader) and the
cap on flagged runs (:mod:`alu.graph.limits`), on the real registry and matcher.

The graph runs on a scripted chat model (routing and state logic only: which agents are
called, what is decided, what is counted), not a real model.
"""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from scripted_model import scripted

from alu import Context, TargetRegistry, create_alu_graph
from alu.graph import limits, metrics
from alu.text import normalize

DRAFT = "Pride and Prejudice was written by Jane Austen and published in 1813."
CLEAN = "Pride and Prejudice was published in 1813."
TARGETS = [("Jane Austen", ["J. Austen"]), ("Charlotte Bronte", ["Currer Bell"])]


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    registry = TargetRegistry(store)
    for name, aliases in TARGETS:
        registry.add(name, aliases=aliases, keywords=["Jane Eyre"] if "Bronte" in name else [])
    return store


@pytest.fixture
def reader():
    reader = InMemoryMetricReader()
    metrics.enable(MeterProvider(metric_readers=[reader]))
    limits.reset_usage()
    yield reader
    metrics.disable()
    limits.reset_usage()


def script(**overrides):
    base = dict(
        vanilla=DRAFT,
        auditor={"referenced": []},
        eraser=CLEAN,
        critic={"rating": 5, "reason": "no trace"},
        composer="It was published in 1813.",
    )
    return scripted(**{**base, **overrides})


def points(reader):
    """(metric name, attributes, value) of every data point collected."""
    out = []
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                for point in metric.data.data_points:
                    value = getattr(point, "value", None)
                    if value is None:
                        value = point.count  # a histogram: how many were recorded
                    out.append((metric.name, dict(point.attributes or {}), value))
    return out


def total(pts, name, **attrs):
    return sum(v for n, a, v in pts if n == name and all(a.get(k) == x for k, x in attrs.items()))


def run_mix(store, tenant="default"):
    ctx = Context(k=2, tenant=tenant)
    graph = create_alu_graph(script(), store=store)
    graph.invoke({"query": "Who wrote Pride and Prejudice?"}, context=ctx)  # match → rewritten
    create_alu_graph(script(vanilla="Paris is the capital."), store=store).invoke(
        {"query": "What is the capital of France?"}, context=ctx
    )  # passthrough
    judged = script(vanilla="The author of Jane Eyre used a pen name.", auditor=lambda m: _refer(m, "Bronte"))
    create_alu_graph(judged, store=store).invoke({"query": "Who wrote Jane Eyre?"}, context=ctx)  # judge
    failing = script(critic=ConnectionError("down"))
    create_alu_graph(failing, store=store, max_attempts=1).invoke(
        {"query": "Who wrote Emma, by J. Austen?"}, context=ctx
    )


def _refer(messages, word):
    prompt = messages[-1].content
    ids = [line.split("id: ")[1].split(" |")[0] for line in prompt.splitlines() if "id: " in line and word in line]
    return {"referenced": [{"id": i, "evidence": "a pen name"} for i in ids]}


def test_decisions_by_cause_errors_judge_calls_and_cost_are_counted(store, reader):
    run_mix(store)
    pts = points(reader)
    assert total(pts, "alu.decisions") == 4
    assert total(pts, "alu.decisions", decision="rewritten", cause="match") == 1
    assert total(pts, "alu.decisions", decision="passthrough", cause="none") == 1
    assert total(pts, "alu.decisions", cause="judge") == 1
    assert total(pts, "alu.decisions", decision="refused", cause="error") == 1
    assert total(pts, "alu.refusals.errors", stage="critic", error_type="ConnectionError") == 1
    assert total(pts, "alu.judge.calls") == 1
    usage = limits.usage("default")["default"]
    assert usage["runs"] == 4 and usage["flagged"] == 3
    assert total(pts, "alu.model.calls", tenant="default") == usage["calls"] > 4
    assert total(pts, "alu.run.model_calls") == 4  # one histogram point per run
    for stage in ("screen", "detect", "vanilla", "eraser", "critic"):
        assert total(pts, "alu.stage.duration", stage=stage) >= 1, stage
    assert total(pts, "alu.registry.index_rebuilds", tenant="default") >= 1


def test_no_target_name_alias_or_id_in_any_label_or_value(store, reader):
    run_mix(store)
    registry = TargetRegistry(store)
    secrets = {normalize("Jane Eyre")}
    for name, aliases in TARGETS:
        secrets |= {normalize(x) for x in (name, *aliases, *name.split(), registry.get(name).id)}
    pts = points(reader)
    assert total(pts, "alu.decisions", cause="match") and total(pts, "alu.decisions", cause="judge")
    for metric, attrs, _ in pts:
        for text in (metric, *attrs, *map(str, attrs.values())):
            folded = normalize(text)
            assert not any(s in folded for s in secrets), (metric, attrs)


def test_metrics_are_off_by_default(store, monkeypatch):
    monkeypatch.delenv("ALU_METRICS", raising=False)
    metrics.disable()
    assert not metrics.enabled()
    create_alu_graph(script(), store=store).invoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(k=1))


def test_flagged_runs_past_the_cap_are_refused_without_rewrites(store):
    """Per process: the third flagged run of the minute is refused, fail closed; another
    tenant and unflagged runs are not limited."""
    limits.reset_usage()
    ctx = Context(k=2, flagged_per_minute=2)
    for _ in range(2):
        model = script()
        out = create_alu_graph(model, store=store).invoke({"query": "Who wrote Pride and Prejudice?"}, context=ctx)
        assert out["audit"]["decision"] == "rewritten"
    model = script()
    out = create_alu_graph(model, store=store).invoke({"query": "Tell me about Jane Austen"}, context=ctx)
    assert out["audit"]["decision"] == "refused" and out["answer"] == ctx.refusal
    assert out["audit"]["error"] == {
        "stage": "intake",
        "type": "FlaggedWorkLimitError",
        "message": "the tenant's limit of flagged answers per minute was reached",
    }
    assert model.calls == [], "the question named the target: no draft, no rewrite"
    model = script()  # flagged on the draft: the vanilla call, then nothing
    out = create_alu_graph(model, store=store).invoke({"query": "Who wrote it?"}, context=ctx)
    assert out["audit"]["decision"] == "refused" and out["audit"]["error"]["stage"] == "auditor"
    assert model.calls == ["vanilla"]
    passthrough = script(vanilla="Paris.")
    out = create_alu_graph(passthrough, store=store).invoke({"query": "Capital of France?"}, context=ctx)
    assert out["audit"]["decision"] == "passthrough"
    other = InMemoryStore()
    TargetRegistry(other, tenant="beta").add("Jane Austen")
    out = create_alu_graph(script(), store=other).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=Context(k=2, flagged_per_minute=2, tenant="beta")
    )
    assert out["audit"]["decision"] == "rewritten"
    assert limits.usage("default")["default"]["limited"] == 2


def test_the_store_scope_is_shared_by_every_graph_on_the_store(store):
    """Scope ``store``: graphs that share no process state (a fresh usage table stands in
    for another process) still share the count; the items go under the tenant's namespace."""
    ctx = Context(k=1, flagged_per_minute=2, flagged_limit_scope="store")
    decisions = []
    for _ in range(3):
        limits.reset_usage()  # nothing of the process's own window survives
        out = create_alu_graph(script(), store=store).invoke({"query": "Who wrote Pride and Prejudice?"}, context=ctx)
        decisions.append(out["audit"]["decision"])
    assert decisions == ["rewritten", "rewritten", "refused"]
    namespaces = [ns for ns in store.list_namespaces(prefix=("alu", "default", "flagged"))]
    assert namespaces and all(len(ns) == 4 for ns in namespaces)
    limits.reset_usage()
    process_ctx = Context(k=1, flagged_per_minute=2)  # the process scope would have let it through
    out = create_alu_graph(script(), store=store).invoke(
        {"query": "Who wrote Pride and Prejudice?"}, context=process_ctx
    )
    assert out["audit"]["decision"] == "rewritten"
    limits.reset_usage()


def test_a_server_caller_cannot_lift_the_cap():
    from alu import InvalidContextError
    from alu.graph.policy import tighten

    with pytest.raises(InvalidContextError, match="flagged_per_minute is set by the operator"):
        tighten(Context(flagged_per_minute=5), {"flagged_per_minute": 0})
    with pytest.raises(InvalidContextError, match="flagged_limit_scope"):
        tighten(Context(flagged_limit_scope="store"), {"flagged_limit_scope": "process"})


def test_raw_write_lag_is_recorded_on_stores_that_can_say(reader, tmp_path):
    from langgraph.store.sqlite import SqliteStore

    from alu.registry import raw_check_age

    with SqliteStore.from_conn_string(str(tmp_path / "t.sqlite")) as sqlite:
        sqlite.setup()
        TargetRegistry(sqlite).add("Jane Austen")
        create_alu_graph(script(), store=sqlite).invoke({"query": "Who wrote it?"}, context=Context(k=1))
        assert raw_check_age(sqlite, "default") is not None
    assert total(points(reader), "alu.registry.version_lag", tenant="default") >= 1


def test_the_cap_holds_on_the_async_path(store):
    """Scripted model on ``ainvoke`` (what LangGraph server runs): the same refusal."""
    import asyncio

    limits.reset_usage()
    ctx = Context(k=1, flagged_per_minute=1, flagged_limit_scope="store")

    async def two():
        graph = create_alu_graph(script(), store=store)
        first = await graph.ainvoke({"query": "Who wrote Pride and Prejudice?"}, context=ctx)
        second = await graph.ainvoke({"query": "Who wrote it?"}, context=ctx)
        return first["audit"], second["audit"]

    first, second = asyncio.run(two())
    assert first["decision"] == "rewritten"
    assert second["decision"] == "refused" and second["error"]["type"] == "FlaggedWorkLimitError"
    limits.reset_usage()
