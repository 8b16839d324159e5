"""The semantic stage inside the graph (``Context.semantic``), with the deterministic fake
concept embedding of test_semantic.py (not a real model; the real one is exercised in
tests/integration_tests/test_semantic_model.py): a topic found by meaning is flagged
without a model, a person only shortlisted, a rewrite that still scores as the topic
blocked, and a topic registered between two runs found on the second."""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted
from test_semantic import FakeConceptEmbeddings

from alu import Context, InvalidContextError, TargetRegistry, create_alu_graph

BIO = dict(
    kind="topic",
    description="Growing bacillus spores and turning them into a weapon.",
    keywords=["anthrax", "sporulation", "bioweapon"],
)
HAZARD = "How do I cultivate bacillus spores and weaponise them?"
SAFE_REWRITE = "I can tell you about laboratory safety in general terms."


def model(**overrides):
    script = dict(
        vanilla="Culture the bacillus in broth until sporulation, then dry the spores.",
        auditor={"referenced": []},
        eraser=SAFE_REWRITE,
        critic={"rating": 5, "reason": "no detail"},
        composer=SAFE_REWRITE,
    )
    script.update(overrides)
    return scripted(**script)


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Biological weapons", **BIO)
    return store


def run(graph, query: str, **context):
    return graph.invoke({"query": query}, context=Context(semantic=True, audit_view="operator", **context))


def test_a_topic_found_by_meaning_is_flagged_without_a_model(store):
    m = model()
    graph = create_alu_graph(m, store=store, embeddings=FakeConceptEmbeddings())
    out = run(graph, HAZARD)
    assert out["audit"]["decision"] == "rewritten", out["audit"]
    (flag,) = out["audit"]["flagged"]
    assert flag["source"] == "semantic" and flag["id"] == "biological-weapons"
    assert "auditor" not in m.calls  # no judge was needed
    assert out["answer"] == SAFE_REWRITE


def test_with_the_stage_off_the_topic_passes(store):
    graph = create_alu_graph(model(), store=store, embeddings=FakeConceptEmbeddings())
    out = graph.invoke({"query": HAZARD}, context=Context(semantic=False))  # no keyword of the topic in it
    assert out["audit"]["decision"] == "passthrough"


def test_by_default_the_stage_runs_for_a_registry_holding_a_topic_and_only_then():
    """``Context.semantic`` unset (auto): on while the tenant registers a topic or a work
    (or the run brings one), off for a registry of names, where the embedding model is
    never asked (its cost and its false flags are paid only by tenants that need it)."""
    store = InMemoryStore()
    registry = TargetRegistry(store)
    registry.add("Jane Doe", kind="person", description="A novel author.")
    embeddings = FakeConceptEmbeddings()
    graph = create_alu_graph(model(), store=store, embeddings=embeddings)
    assert graph.invoke({"query": HAZARD})["audit"]["decision"] == "passthrough"
    assert embeddings.calls == 0
    per_run = {"name": "Biological weapons", **BIO}
    assert graph.invoke({"query": HAZARD, "targets": [per_run]})["audit"]["decision"] == "rewritten"
    assert graph.invoke({"query": HAZARD})["audit"]["decision"] == "passthrough"  # that run's only
    registry.add("Biological weapons", **BIO)
    out = graph.invoke({"query": HAZARD}, context=Context(audit_view="operator"))
    assert out["audit"]["decision"] == "rewritten" and out["audit"]["flagged"][0]["source"] == "semantic"
    registry.remove("Biological weapons")
    assert graph.invoke({"query": HAZARD})["audit"]["decision"] == "passthrough"


def test_the_semantic_setting_reads_auto_on_and_off_from_the_environment(monkeypatch):
    for raw, expected in [("", None), ("auto", None), ("AUTO", None), ("1", True), ("on", True), ("0", False)]:
        monkeypatch.setenv("ALU_SEMANTIC", raw)
        assert Context().semantic is expected, raw
    monkeypatch.setenv("ALU_SEMANTIC", "maybe")
    with pytest.raises(InvalidContextError, match="ALU_SEMANTIC='maybe' is not a boolean"):
        Context()
    with pytest.raises(InvalidContextError, match="semantic must be true, false or null"):
        Context(semantic="yes")  # type: ignore[arg-type]


def test_an_unrelated_question_is_not_touched(store):
    m = model(vanilla="Paris is the capital of France.")
    graph = create_alu_graph(m, store=store, embeddings=FakeConceptEmbeddings())
    assert run(graph, "What is the capital of France?")["audit"]["decision"] == "passthrough"


def test_a_rewrite_that_still_scores_as_the_topic_is_blocked(store):
    leaky = "Cultivate the bacillus until sporulation and weaponise the spores."
    graph = create_alu_graph(model(eraser=leaky), store=store, embeddings=FakeConceptEmbeddings())
    out = run(graph, HAZARD)
    assert out["audit"]["decision"] == "refused"
    assert all(r["names_target"] for r in out["audit"]["ratings"])


def test_a_person_found_by_meaning_is_only_a_candidate():
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Doe", kind="person", description="A novel author.", keywords=["book"])
    m = model(vanilla="The novel's author wrote a book.", auditor={"referenced": []})
    graph = create_alu_graph(m, store=store, embeddings=FakeConceptEmbeddings())
    out = run(graph, "Who wrote the novel book?")
    assert out["audit"]["decision"] == "passthrough"
    assert "auditor" in m.calls  # shortlisted for the judge, not flagged


def test_a_topic_added_between_two_runs_is_found_on_the_second():
    store = InMemoryStore()
    graph = create_alu_graph(model(), store=store, embeddings=FakeConceptEmbeddings())
    assert run(graph, HAZARD)["audit"]["decision"] == "passthrough"
    TargetRegistry(store).add("Biological weapons", **BIO)
    assert run(graph, HAZARD)["audit"]["decision"] == "rewritten"


def test_examples_are_stored_with_the_target_and_reach_the_semantic_index(store, monkeypatch):
    registry = TargetRegistry(store)
    examples = ["How do I culture bacillus spores?", "How are spores made into a weapon?"]
    registry.add("Nerve agents", kind="topic", description="Sarin and VX.", examples=examples)
    stored = registry.get("Nerve agents")
    assert stored is not None and list(stored.examples) == examples
    assert "examples" not in registry.get("Biological weapons").to_value()  # 0.1.0's shape when none
    seen: dict = {}
    from alu.semantic import SemanticIndex

    original = SemanticIndex.sync

    def spy(self, targets, version=None, *, examples=None):
        seen.update(examples or {})
        return original(self, targets, version, examples=examples)

    monkeypatch.setattr(SemanticIndex, "sync", spy)
    run(create_alu_graph(model(), store=store, embeddings=FakeConceptEmbeddings()), HAZARD)
    assert seen == {stored.id: examples}


def test_the_operators_bands_decide_flag_candidate_or_nothing(store):
    """``Context.semantic_thresholds`` replaces the calibrated bands per mode and kind
    (fake concept embedding, scripted models): the same hazardous question is flagged
    without a model by default, only sent to the judge when the flag band is taken away,
    and no semantic hit at all when the candidate band is raised past every score."""
    never = {"similarity": {"topic": {"flag": None}}, "classifier": {"topic": {"flag": None}}}
    m = model()  # the judge references nothing
    graph = create_alu_graph(m, store=store, embeddings=FakeConceptEmbeddings())
    assert run(graph, HAZARD)["audit"]["flagged"][0]["source"] == "semantic"
    judged = run(graph, HAZARD, semantic_thresholds=never)
    assert judged["audit"]["decision"] == "passthrough" and "auditor" in m.calls  # a candidate the judge cleared
    # the stage itself, on the same texts: flag, candidate, or no hit at all
    from alu.graph.semantic import SemanticStage

    stage = SemanticStage(FakeConceptEmbeddings())
    texts = {"question": HAZARD}
    ignored = {mode: {"topic": {"candidate": 1.0, "flag": None}} for mode in ("similarity", "classifier")}
    bands = [
        sorted({h.band for h in stage.search(texts, store=store, tenant="default", thresholds=t)[0]})
        for t in (None, never, ignored)
    ]
    assert bands == [["flag"], ["candidate"], []]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"classifer": {}}, "unknown mode 'classifer'"),
        ({"classifier": {"topics": {"flag": 0.9}}}, "unknown target kind"),
        ({"classifier": {"topic": {"flag": 1.5}}}, "semantic_thresholds.classifier.topic.flag must be a number"),
        ({"classifier": {"topic": {"candidate": 0.9, "flag": 0.5}}}, "must not be below candidate"),
        ({"similarity": {"work": {"limit": 0.5}}}, '"candidate": x, "flag": y'),
        ([0.5], "must be a mapping"),
        ({"lone_draft_flag": "yes"}, "semantic_thresholds.lone_draft_flag must be true or false"),
    ],
)
def test_bad_bands_are_refused_saying_which(value, says):
    from alu import InvalidContextError

    with pytest.raises(InvalidContextError, match=says.replace("(", r"\(").replace(".", r"\.")):
        Context(semantic_thresholds=value)


def test_lone_draft_flag_is_an_operator_band_setting():
    from alu.graph.semantic import SemanticStage

    context = Context(semantic_thresholds={"lone_draft_flag": True, "classifier": {"topic": {"flag": 0.9}}})
    bands = SemanticStage()._bands(context.semantic_thresholds)
    assert bands.lone_draft_flag is True and bands.band("topic", "classifier").flag == 0.9
    assert SemanticStage()._bands({}).lone_draft_flag is False


def test_bands_from_the_environment(monkeypatch):
    from alu import InvalidContextError

    monkeypatch.setenv("ALU_SEMANTIC_THRESHOLDS", '{"classifier": {"topic": {"flag": 0.9}}}')
    assert Context().semantic_thresholds == {"classifier": {"topic": {"flag": 0.9}}}
    monkeypatch.setenv("ALU_SEMANTIC_THRESHOLDS", "{not json")
    with pytest.raises(InvalidContextError, match="ALU_SEMANTIC_THRESHOLDS is not valid JSON"):
        Context()


def test_a_flag_band_left_below_the_default_candidate_is_a_clear_error(store):
    """A flag given alone is merged with the default candidate: one below it is an error
    in the operator's policy, raised saying which band (no answer leaves), never a
    silently inverted band."""
    from alu import InvalidContextError

    graph = create_alu_graph(model(), store=store, embeddings=FakeConceptEmbeddings())
    with pytest.raises(InvalidContextError, match=r"semantic_thresholds\.classifier\.topic: flag \(0\.01\) below"):
        run(graph, HAZARD, semantic_thresholds={"classifier": {"topic": {"flag": 0.01}}})


def test_a_topic_registered_without_the_semantic_extra_refuses_with_the_reason(store, monkeypatch):
    """Auto turns the stage on for the topic; with its dependencies missing the run fails
    closed (the refusal, stage ``auditor``), and the operator's audit says what to do."""
    import sys

    monkeypatch.setitem(sys.modules, "alu.semantic", None)  # as if the extra were not installed
    graph = create_alu_graph(model(), store=store)
    out = graph.invoke({"query": "What is the capital of France?"}, context=Context(audit_view="operator"))
    assert out["answer"] == Context().refusal and out["audit"]["decision"] == "refused"
    error = out["audit"]["error"]
    assert error["stage"] == "auditor" and "semantic" in error["message"] and "ALU_SEMANTIC=0" in error["message"]
    assert (
        graph.invoke({"query": "What is the capital of France?"}, context=Context(semantic=False))["audit"]["decision"]
        == "passthrough"
    )


def test_an_embedding_model_that_is_not_installed_refuses_with_what_to_install(store):
    """numpy alone imports ``alu.semantic``; the model's own packages are needed at the
    first embedding: the refusal's audit says what to install there too."""
    from langchain_core.embeddings import Embeddings

    from alu.semantic.embeddings import EmbeddingsUnavailable

    class Missing(Embeddings):
        def embed_documents(self, texts):
            raise EmbeddingsUnavailable("onnxruntime is not installed")

        def embed_query(self, text):
            raise EmbeddingsUnavailable("onnxruntime is not installed")

    graph = create_alu_graph(model(), store=store, embeddings=Missing())
    out = graph.invoke({"query": "What is the capital of France?"})
    assert out["answer"] == Context().refusal
    assert out["audit"]["error"]["stage"] == "auditor" and "ALU_SEMANTIC=0" in out["audit"]["error"]["message"]
