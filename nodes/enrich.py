"""One-time enrichment of a target: a model proposes aliases and keywords, stored with it.

Why: the matcher finds what the registry spells out. "The actor who played Chandler
Bing" names no one; with "Chandler Bing" stored as a keyword of Matthew Perry, the
shortlist puts him before the judge. Enrichment runs once, when the target is added
(:meth:`alu.registry.TargetRegistry.add` with ``enrich=True``, CLI ``alu targets add NAME
--enrich``): one structured call, never a per-query cost.

What a model proposes is checked before it is stored, because an alias is flagged
outright, with no judge:

- a proposed alias becomes an alias only if it shares a distinctive word with the
  target's own names ("J. Austen", "Jane Austen Leigh"); anything else ("The Bard", a
  pen name, a character) is stored as a keyword, which only shortlists the target for
  the judge;
- an alias that is one word of the name alone (a bare surname), or that already names
  another registered target, is dropped (it would flag the wrong target or merge two);
- lists and strings are bounded; empty, duplicate and stopword-only entries are dropped.

For a topic (``kind`` topic) the same one call (``prompts/enrich_topic_system.txt``,
:class:`TopicEnrichment`) also proposes sub-topics (stored as keywords, checked as
keywords) and example questions (stored as the topic's ``examples``: the texts the
semantic stage learns its profile from).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field, field_validator

from alu.domain import MAX_ALIASES, Target
from alu.graph.context import Context
from alu.graph.models import Models, call_structured
from alu.graph.state import CallRecord
from alu.prompts import render
from alu.text import STOPWORDS, normalize, tokens

__all__ = ["Enrichment", "EnrichmentError", "TopicEnrichment", "enrich_target", "merge_proposal", "propose"]

MAX_PROPOSED_ALIASES = 10
MAX_PROPOSED_KEYWORDS = 20
MAX_ITEM_CHARS = 80
MAX_KEYWORD_WORDS = 8


class EnrichmentError(RuntimeError):
    """The enrichment call failed (model unreachable, or no usable structured output)."""


def _bounded(value: Any, limit: int, max_chars: int = MAX_ITEM_CHARS) -> list[str]:
    """Strings only, trimmed, deduplicated, at most ``limit`` of at most ``max_chars``
    characters (80; example questions 300): a model that overshoots loses the tail, not
    the call."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of strings")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            continue
        item = " ".join(item.split())
        if item and len(item) <= max_chars and item not in out:
            out.append(item)
    return out[:limit]


class Enrichment(BaseModel):
    """Other names of the subject, and short phrases that point to it."""

    aliases: Annotated[
        list[str],
        Field(
            max_length=MAX_PROPOSED_ALIASES,
            description="other names of the very same subject (full/short names, pen or stage names, nicknames)",
        ),
    ] = Field(default_factory=list)
    keywords: Annotated[
        list[str],
        Field(
            max_length=MAX_PROPOSED_KEYWORDS,
            description="short phrases pointing to the subject: notable works, roles, characters, events, relatives",
        ),
    ] = Field(default_factory=list)

    @field_validator("aliases", mode="before")
    @classmethod
    def _clean_aliases(cls, value: Any) -> list[str]:
        return _bounded(value, MAX_PROPOSED_ALIASES)

    @field_validator("keywords", mode="before")
    @classmethod
    def _clean_keywords(cls, value: Any) -> list[str]:
        return _bounded(value, MAX_PROPOSED_KEYWORDS)


MAX_PROPOSED_SUBTOPICS = 12
MAX_PROPOSED_EXAMPLES = 12
MAX_EXAMPLE_CHARS = 300


class TopicEnrichment(Enrichment):
    """For a topic: also its sub-topics and questions a user might ask about it (the
    semantic stage learns the topic's profile from those examples)."""

    subtopics: Annotated[
        list[str],
        Field(max_length=MAX_PROPOSED_SUBTOPICS, description="narrower topics within it, a few words each"),
    ] = Field(default_factory=list)
    example_questions: Annotated[
        list[str],
        Field(max_length=MAX_PROPOSED_EXAMPLES, description="questions a user might ask that are about this topic"),
    ] = Field(default_factory=list)

    @field_validator("subtopics", mode="before")
    @classmethod
    def _clean_subtopics(cls, value: Any) -> list[str]:
        return _bounded(value, MAX_PROPOSED_SUBTOPICS)

    @field_validator("example_questions", mode="before")
    @classmethod
    def _clean_examples(cls, value: Any) -> list[str]:
        return _bounded(value, MAX_PROPOSED_EXAMPLES, MAX_EXAMPLE_CHARS)


def _resolve(model: Any, context: Any):
    context = context if context is not None else Context()
    chat, name = Models(model).get("auditor", context, context.judge_temperature)
    return chat, name, context


def propose(target: Target, *, model: Any = None, context: Any = None) -> tuple[Enrichment, CallRecord]:
    """One structured call: the model's proposal for ``target`` and the call's record.

    ``model``: a chat model or ``provider:model`` string; default the auditor's model of
    ``context`` (default: ``Context()``, i.e. ``ALU_MODEL`` / ``ALU_AUDITOR_MODEL``).
    Raises :class:`EnrichmentError` when the call fails.
    """
    chat, name, context = _resolve(model, context)
    topic = target.kind == "topic"
    messages = [
        SystemMessage(render("enrich_topic_system" if topic else "enrich_system")),
        HumanMessage(
            render(
                "enrich_user",
                subject=target.name,
                kind=target.kind,
                description=target.description or "(none)",
                aliases=", ".join(target.aliases) or "(none)",
                keywords=", ".join(target.keywords) or "(none)",
            )
        ),
    ]
    try:
        schema = TopicEnrichment if topic else Enrichment
        return call_structured("enrich", chat, name, messages, schema, context.structured_output_method)
    except Exception as exc:  # network, provider and output errors alike: say which target
        raise EnrichmentError(f"enrichment of {target.name!r} failed: {type(exc).__name__}: {exc}") from exc


def merge_proposal(target: Target, proposal: Enrichment, *, taken: Callable[[str], bool] | None = None) -> Target:
    """``target`` with the checked proposal folded in (see the module docstring)."""
    own = [normalize(n) for n in (target.name, *target.aliases)]
    own_words = {w for n in own for w in n.split() if len(w) >= 3 and w not in STOPWORDS}
    known = set(own) | {normalize(k) for k in target.keywords}
    aliases: list[str] = []
    keywords: list[str] = []

    def meaningful(text: str) -> bool:
        return any(w not in STOPWORDS and not w.isdigit() for w in tokens(text))

    for alias in proposal.aliases:
        folded = normalize(alias)
        if not folded or folded in known or len(folded) < 3 or not meaningful(alias):
            continue
        words = set(folded.split())
        if len(words) == 1 and folded in own_words:
            continue  # a bare surname or first name: already a weak cue, never an alias
        if words & own_words and len(aliases) + len(target.aliases) < MAX_ALIASES:
            if taken is not None and taken(alias):
                continue  # another target's name: flagging it here would be wrong
            aliases.append(alias)
        else:
            keywords.append(alias)
        known.add(folded)
    subtopics = list(getattr(proposal, "subtopics", []) or [])
    for keyword in [*proposal.keywords, *subtopics]:  # a topic's sub-topics are keywords too
        folded = normalize(keyword)
        if not folded or folded in known or not meaningful(keyword):
            continue
        if len(folded.split()) > MAX_KEYWORD_WORDS:
            continue
        keywords.append(keyword)
        known.add(folded)
    return Target(
        name=target.name,
        aliases=(*target.aliases, *aliases),
        kind=target.kind,
        description=target.description,
        keywords=(*target.keywords, *keywords),
        id=target.id,
        created_at=target.created_at,
        examples=_merged_examples(target, proposal),
        allow_ordinary_word=target.allow_ordinary_word,
    )


def _merged_examples(target: Target, proposal: Enrichment) -> tuple[str, ...]:
    """A topic's examples with the proposed questions added (new ones with at least two
    content words: they are the texts the semantic stage learns the topic from)."""
    proposed = list(getattr(proposal, "example_questions", []) or [])
    if target.kind != "topic" or not proposed:
        return target.examples
    known = {normalize(e) for e in target.examples}
    added = [q for q in proposed if normalize(q) and normalize(q) not in known and meaningful_text(q)]
    return (*target.examples, *added)


def meaningful_text(text: str) -> bool:
    return sum(1 for w in tokens(text) if w not in STOPWORDS) >= 2


def enrich_target(
    target: Target,
    *,
    model: Any = None,
    context: Any = None,
    taken: Callable[[str], bool] | None = None,
) -> Target:
    """``target`` enriched by one model call (see :func:`propose`, :func:`merge_proposal`)."""
    proposal, _ = propose(target, model=model, context=context)
    return merge_proposal(target, proposal, taken=taken)
