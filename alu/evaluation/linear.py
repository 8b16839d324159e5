"""``alu-linear``: the paper's code path, rebuilt as the baseline.

As the authors' public code does it: a linear LangGraph ``vanilla → forget → critic →
merge`` with no conditional edge, so every query pays for every agent; the *whole*
target list is pasted into the forget, critic and merge prompts; the forget agent writes
k variants in one call; the critic reasons in free text and a second call parses its
ratings (structured output); the top j variants by rating are merged, or the refusal is
returned when their mean rating is under the threshold. No deterministic check.

Where this differs from the authors' code, on purpose and the same way for every
system: prompts are ``prompts/linear_*.txt`` (our wording); the vanilla step uses the
same prompt as the other systems (``vanilla_system``) so that every system starts from
the same draft; the k variants are parsed from labelled plain text (a constrained list
of long strings makes small models loop); a ratings list that does not match the
variants is cut or padded with 1 (fail closed) instead of ending the run with an error
string (the record notes the mismatch); nodes retry like ours (LangGraph
``RetryPolicy``, transient faults and unusable output), and a run that still fails is
refused by the harness rather than answered with an error string.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import RetryPolicy
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from alu.evaluation.prompts import render
from alu.graph.builder import retry_on
from alu.graph.models import call_structured, call_text
from alu.prompts import load
from alu.text import normalize

__all__ = ["LinearRatings", "LinearSettings", "build_linear_graph", "split_versions"]

ModelGetter = Callable[[float], "tuple[BaseChatModel, str]"]


class LinearRatings(BaseModel):
    """The critic's ratings, one per version, in order."""

    ratings: list[Annotated[int, Field(ge=1, le=5)]] = Field(description="one rating (1-5) per version, in order")


class LinearState(TypedDict, total=False):
    messages: list[AnyMessage]
    question: str
    draft: str
    versions: list[str]
    ratings: list[int]
    mismatch: bool
    answer: str
    decision: str
    calls: Annotated[list[dict], operator.add]


@dataclass
class LinearSettings:
    targets: list[str]
    """Every target's name: the whole list goes into every unlearning prompt."""
    model: ModelGetter
    """``model(temperature) -> (chat model, name)``."""
    k: int = 5
    j: int = 3
    threshold: float = 4.0
    refusal: str = "I'm sorry, but I can't help with that."
    structured_output_method: str = "function_calling"
    forget_temperature: float = 0.7


_LABEL = re.compile(
    r"^\s*(?:[*#>\-\s]*)(?:\*\*)?(?:version|variation|variant|response|rewrite|option)?\s*#?\s*(\d{1,2})\s*(?:\*\*)?\s*[:.)\-]\s*(?:\*\*)?",
    re.IGNORECASE | re.MULTILINE,
)


def split_versions(text: str, k: int) -> list[str]:
    """The labelled variants of one reply ("Version 1: …", "2) …"); the whole reply as
    one variant when it has no labels. At most ``k``."""
    marks = [m for m in _LABEL.finditer(text)]
    versions: list[str] = []
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        body = text[mark.end() : end].strip().strip('"').strip()
        if body:
            versions.append(body)
    if not versions:
        versions = [text.strip()] if text.strip() else []
    return versions[:k]


def _question(messages: list[AnyMessage]) -> tuple[str, list[AnyMessage]]:
    last = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    return messages[last].text, messages[:last]


def build_linear_graph(settings: LinearSettings, *, max_attempts: int = 3) -> CompiledStateGraph:
    """The compiled linear pipeline; input ``{"messages": [...]}`` (the last human
    message is the query; earlier messages, such as retrieved facts, go to vanilla)."""
    targets = ", ".join(settings.targets)

    def vanilla(state: LinearState) -> dict:
        question, earlier = _question(state["messages"])
        model, name = settings.model(0.0)
        messages = [SystemMessage(load("vanilla_system")), *earlier, HumanMessage(question)]
        draft, record = call_text("vanilla", model, name, messages)
        return {"question": question, "draft": draft, "calls": [record]}

    def forget(state: LinearState) -> dict:
        model, name = settings.model(settings.forget_temperature)
        messages = [
            SystemMessage(render("linear_forget_system", targets=targets, k=str(settings.k))),
            HumanMessage(render("linear_forget_user", question=state["question"], draft=state["draft"])),
        ]
        text, record = call_text("linear_forget", model, name, messages)
        return {"versions": split_versions(text, settings.k), "calls": [record]}

    def critic(state: LinearState) -> dict:
        versions = state["versions"]
        listing = "\n\n".join(f"Version {i + 1}: {v}" for i, v in enumerate(versions))
        model, name = settings.model(0.0)
        reasoning, first = call_text("linear_critic", model, name, [
            SystemMessage(render("linear_critic_system", targets=targets)),
            HumanMessage(render("linear_critic_user", targets=targets, question=state["question"], versions=listing)),
        ])  # fmt: skip
        parsed, second = call_structured("linear_parse", model, name, [
            SystemMessage(render("linear_parse_system")),
            HumanMessage(render("linear_parse_user", count=str(len(versions)), reasoning=reasoning)),
        ], LinearRatings, settings.structured_output_method)  # fmt: skip
        ratings = list(parsed.ratings)[: len(versions)]
        mismatch = len(parsed.ratings) != len(versions)
        ratings += [1] * (len(versions) - len(ratings))
        return {"ratings": ratings, "mismatch": mismatch, "calls": [first, second]}

    def merge(state: LinearState) -> dict:
        ranked = sorted(zip(state["ratings"], state["versions"]), key=lambda rv: -rv[0])[: settings.j]
        average = sum(r for r, _ in ranked) / len(ranked) if ranked else 0.0
        if average < settings.threshold:
            return {"answer": settings.refusal, "decision": "refused"}
        model, name = settings.model(0.0)
        listing = "\n\n---\n".join(v for _, v in ranked)
        answer, record = call_text("linear_merge", model, name, [
            SystemMessage(render("linear_merge_system", targets=targets)),
            HumanMessage(render("linear_merge_user", targets=targets, question=state["question"], versions=listing)),
        ])  # fmt: skip
        decision = "passthrough" if normalize(answer) == normalize(state["draft"]) else "rewritten"
        return {"answer": answer, "decision": decision, "calls": [record]}

    retry = RetryPolicy(max_attempts=max_attempts, initial_interval=0.5, max_interval=8.0, retry_on=retry_on)
    builder = StateGraph(LinearState)
    for name, node in (("vanilla", vanilla), ("forget", forget), ("critic", critic), ("merge", merge)):
        builder.add_node(name, node, retry_policy=retry)
    builder.add_edge(START, "vanilla")
    builder.add_edge("vanilla", "forget")
    builder.add_edge("forget", "critic")
    builder.add_edge("critic", "merge")
    builder.add_edge("merge", END)
    return builder.compile(name="alu-linear")
