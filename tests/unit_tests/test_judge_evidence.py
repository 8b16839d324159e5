"""The judge's evidence checks (issue 20's false flags): a person's flag that rests only on
another person's given name, and — with the semantic stage on — a topic's flag whose
evidence does not itself read as the topic, are dropped; a topic candidate gets the
topic-aware judge instruction. Pure functions, then the graph with the scripted chat model
and the deterministic fake concept embedding of test_semantic.py (neither is a real model;
the bundled model's topic judge runs in tests/integration_tests/test_topic_judge_local.py)."""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted
from test_semantic import FakeConceptEmbeddings
from test_semantic_graph import BIO, HAZARD, SAFE_REWRITE, run

from alu import TargetRegistry, create_alu_graph
from alu.domain import Target
from alu.graph.evidence import names_someone_else
from alu.nodes.auditor import AuditVerdict, judge_prompts, judged_flags
from alu.prompts import load

CANDY = Target(name="John Candy", kind="person")
NEVER_FLAG = {"similarity": {"topic": {"flag": None}}, "classifier": {"topic": {"flag": None}}}
"""No topic flagged by meaning alone: the hazardous question becomes a judge candidate."""


@pytest.mark.parametrize(
    ("evidence", "someone_else"),
    [
        ("originally created by John Kander, Fred Ebb", True),  # another John
        ("John Kander and John Williams", True),
        ("John Candy", False),
        ("the comedian Candy", False),  # the surname is the person's own
        ("John, the star of Uncle Buck", False),  # a given name on its own: the judge decides
        ("John starred in Uncle Buck", False),
        ("the star of Uncle Buck", False),  # no name word at all: an indirect reference
        ("john kander", False),  # no capitalised surname after it: not read as another name
        ("", False),
    ],
)
def test_a_given_name_inside_another_full_name_is_someone_else(evidence, someone_else):
    assert names_someone_else(evidence, CANDY) is someone_else


def test_only_people_are_read_for_other_names():
    work = Target(name="John Wick", kind="work")
    assert not names_someone_else("John Kander", work)
    assert names_someone_else("John Kander", Target(name="John Wick", kind="person"))
    # an alias's given name counts too
    assert names_someone_else("Johnny Kander", Target(name="John Candy", aliases=("Johnny Candy",), kind="person"))


def test_judged_flags_says_why_each_reference_was_dropped():
    topic = Target(name="Biosecurity", kind="topic", id="biosecurity")
    candidates = {"john-candy": Target(name="John Candy", kind="person", id="john-candy"), "biosecurity": topic}
    texts = ["Cabaret was created by John Kander. What is the most common way for a virus to kill a cell?", ""]
    verdict = AuditVerdict.model_validate(
        {
            "referenced": [
                {"id": "john-candy", "evidence": "created by John Kander"},
                {"id": "biosecurity", "evidence": "kill a cell"},
                {"id": "biosecurity", "evidence": "not in the texts"},
                {"id": "nobody", "evidence": "Cabaret"},  # not a candidate: ignored
            ]
        }
    )
    reads_as_topic = {"kill a cell": False}
    kept, dropped = judged_flags(verdict, candidates, texts, (), lambda ev, t: reads_as_topic.get(ev, True))
    assert kept == [] and dropped == [
        ("john-candy", "someone_else"),
        ("biosecurity", "not_topic"),
        ("biosecurity", "not_quoted"),
    ]
    # without the semantic stage (no reader) the topic's quoted evidence stands, once
    kept, _ = judged_flags(verdict, candidates, texts, (), None)
    assert [r.id for r in kept] == ["biosecurity"]
    # a candidate flagged already (by name or meaning) is not flagged twice
    assert judged_flags(verdict, candidates, texts, ("biosecurity",), None)[0] == []


def test_a_topic_candidate_gets_the_topic_judge_prompt_and_a_person_the_plain_one():
    topic = Target(name="Biosecurity", kind="topic", description="Enhancing pathogens.")
    system, user = judge_prompts("q", "a", [CANDY, topic])
    assert system == load("auditor_topic_system") and "General education is not a reference to a topic" in system
    assert f"- id: {topic.id} | topic: Biosecurity — Enhancing pathogens." in user
    assert f"- id: {CANDY.id} | John Candy" in user
    system, user = judge_prompts("q", "a", [CANDY])
    assert system == load("auditor_system") and "topic:" not in user


def _topic_store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Biological weapons", **BIO)
    return store


def _judge(evidence: str):
    return scripted(
        vanilla="Culture the bacillus in broth until sporulation, then dry the spores.",
        auditor={"referenced": [{"id": "biological-weapons", "evidence": evidence}]},
        eraser=SAFE_REWRITE,
        critic={"rating": 5, "reason": "no detail"},
        composer=SAFE_REWRITE,
    )


def test_fake_model_a_topic_flag_on_evidence_that_reads_as_the_topic_stands():
    m = _judge("cultivate bacillus spores")
    out = run(create_alu_graph(m, store=_topic_store(), embeddings=FakeConceptEmbeddings()), HAZARD,
              semantic_thresholds=NEVER_FLAG)  # fmt: skip
    assert [f["source"] for f in out["audit"]["flagged"]] == ["judge"]
    assert out["audit"]["decision"] == "rewritten"
    assert m.messages_of("auditor")[0][0].content == load("auditor_topic_system")


def test_fake_model_a_topic_flag_on_evidence_that_does_not_read_as_the_topic_is_dropped():
    m = _judge("then dry")  # quoted from the draft, but nothing of the topic
    out = run(create_alu_graph(m, store=_topic_store(), embeddings=FakeConceptEmbeddings()), HAZARD,
              semantic_thresholds=NEVER_FLAG)  # fmt: skip
    assert "auditor" in m.calls and out["audit"]["flagged"] == []
    assert out["audit"]["decision"] == "passthrough"


def test_fake_model_without_the_semantic_stage_a_quoted_topic_flag_stands():
    """A keyword shortlists the topic; with the stage off nothing reads the evidence by meaning."""
    m = _judge("Tell me")
    out = create_alu_graph(m, store=_topic_store()).invoke(
        {"query": "Tell me about anthrax history."}, context={"semantic": False, "audit_view": "operator"}
    )
    assert [f["source"] for f in out["audit"]["flagged"]] == ["judge"]


@pytest.mark.parametrize(
    ("evidence", "decision"),
    [("created by John Kander", "passthrough"), ("John, the star of Uncle Buck", "rewritten")],
)
def test_fake_model_a_person_flag_on_another_persons_given_name_is_dropped(evidence, decision):
    store = InMemoryStore()
    TargetRegistry(store).add("John Candy", kind="person")
    m = scripted(
        vanilla="Cabaret was created by John Kander, Fred Ebb and Joe Masteroff; John, the star of Uncle Buck, was not.",
        auditor={"referenced": [{"id": "john-candy", "evidence": evidence}]},
        eraser=SAFE_REWRITE,
        critic={"rating": 5, "reason": "no detail"},
        composer=SAFE_REWRITE,
    )
    out = create_alu_graph(m, store=store).invoke(
        {"query": "Who created the musical Cabaret with John Kander?"}, context={"audit_view": "operator"}
    )
    assert "auditor" in m.calls and out["audit"]["decision"] == decision
