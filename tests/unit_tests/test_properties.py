"""Property-based tests (hypothesis) for normalization and matching."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alu.detection.keys import CALENDAR_WORDS, distinctive
from alu.matching import TargetIndex, normalize, strict_mentions
from alu.targets import Target

# derandomize: CI runs the same examples every time (a property that fails is found here,
# not on a landing run); raise max_examples locally to search wider.
SETTINGS = settings(
    max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
words = st.text(alphabet=string.ascii_letters, min_size=5, max_size=10)
filler = st.lists(
    st.sampled_from(["the", "a", "novel", "and", "wrote", "in", "1813", "by", "of", "story"]), max_size=12
)


@SETTINGS
@given(any_text)
def test_normalize_never_crashes_and_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once


@SETTINGS
@given(any_text)
def test_matching_never_crashes_on_arbitrary_unicode(text):
    index = TargetIndex([Target("Jane Austen", aliases=("J. Austen",), keywords=("Pride and Prejudice",))])
    for match in index.find(text):
        assert match.target_id == "jane-austen"
    strict_mentions(text, [Target("Jane Austen")])


@SETTINGS
@given(
    first=words,
    last=words,
    before=filler,
    after=filler,
    style=st.sampled_from(["plain", "upper", "possessive", "punct"]),
)
def test_a_target_embedded_in_random_text_is_always_found(first, last, before, after, style):
    target = Target(f"{first} {last}")
    mention = {
        "plain": f"{first} {last}",
        "upper": f"{first} {last}".upper(),
        "possessive": f"{first} {last}'s",
        "punct": f"{first}, {last}!",
    }[style]
    text = " ".join([*before, mention, *after])
    index = TargetIndex([target, Target("Someone Else"), Target("Another Person")])
    direct = [m.target_id for m in index.find(text) if m.direct]
    assert target.id in direct
    assert strict_mentions(text, [target])


@SETTINGS
@given(
    first=words,
    last=words,
    before=filler,
    after=filler,
    obfuscation=st.sampled_from(
        [
            "homoglyphs (every letter)",
            "homoglyphs (two letters)",
            "leetspeak digits",
            "leetspeak symbols",
            "spaced letters",
            "hyphen-spelled",
            "one letter per line",
            "split in pieces",
            "run together",
            "backwards",
            "zero-width spaces",
            "full-width",
            "mathematical bold",
            "alternating case",
        ]
    ),
    seed=st.integers(0, 1000),
)
def test_a_hidden_target_in_random_text_is_always_found(first, last, before, after, obfuscation, seed):
    import random

    from alu.evaluation.adversarial import TRANSFORMS

    target = Target(f"{first} {last}")
    hidden = TRANSFORMS[obfuscation](f"{first} {last}", random.Random(seed))
    text = " ".join([*before, hidden, *after])
    index = TargetIndex([target, Target("Someone Else"), Target("Another Person")])
    assert target.id in [m.target_id for m in index.find(text) if m.direct], (hidden, text)
    assert strict_mentions(text, [target])


# -- partial forms, and the one reading (passthrough and every later check alike) --------

FORMS = {
    "reversed with a comma": lambda first, last, rng: f"{last}, {first}",
    "reversed, upper-case surname": lambda first, last, rng: f"{last.upper()} {first}",
    "honorific": lambda first, last, rng: f"{rng.choice(['Mr.', 'Mrs', 'Miss', 'Dr.', 'Ms.'])} {last}",
    "honorific, lower case": lambda first, last, rng: f"{rng.choice(['mr', 'miss', 'dr'])} {last.lower()}",
    "title": lambda first, last, rng: f"{rng.choice(['Professor', 'Judge', 'Captain', 'Lady'])} {last}",
    "middle initial": lambda first, last, rng: f"{first} {rng.choice(string.ascii_uppercase)}. {last}",
    "aside": lambda first, last, rng: f"{first} (née {rng.choice(['Smith', 'Moreau', 'X'])}) {last}",
    "json fields": lambda first, last, rng: f'{{"first": "{first}", "last": "{last}"}}',
    "json fields reversed": lambda first, last, rng: f'{{"last": "{last}", "first": "{first}"}}',
    "yaml fields": lambda first, last, rng: f"\nfirst: {first}\nlast: {last}\n",
    "html cells": lambda first, last, rng: f"<tr><td>{first}</td><td>{last}</td></tr>",
}
# A surname that is an everyday word ("Mr. Tuesday", "Mr. Under") is a judge candidate, not
# a direct mention, by design: Hypothesis draws words from the code's own constants too, so
# such surnames are left out here (their rule has its own tests in test_name_forms.py).
name_word = (
    st.text(alphabet=string.ascii_lowercase, min_size=5, max_size=9)
    .filter(lambda w: distinctive(w) and w not in CALENDAR_WORDS)
    .map(str.capitalize)
)


@SETTINGS
@given(
    first=name_word,
    last=name_word,
    before=filler,
    after=filler,
    form=st.sampled_from(sorted(FORMS)),
    seed=st.integers(0, 99),
)
def test_a_partial_form_in_random_text_is_always_a_direct_mention(first, last, before, after, form, seed):
    import random

    target = Target(f"{first} {last}", kind="person")
    text = " ".join([*before, FORMS[form](first, last, random.Random(seed)), *after])
    index = TargetIndex([target, Target("Someone Else"), Target("Another Person")])
    assert target.id in [m.target_id for m in index.find(text) if m.direct], (form, text)
    assert strict_mentions(text, [target])


_GRAPHS: dict = {}


def _compromised_graph_answer(text: str) -> dict:
    """The graph with compromised agents (the draft carries ``text``, the judge flags
    nothing, the critic rates 5: alu.evaluation's adversary, not a convenience fake) over
    a store holding the property's registry."""
    from langgraph.store.memory import InMemoryStore

    from alu.evaluation.adversarial.measure import _compromised_model
    from alu.graph.builder import create_alu_graph
    from alu.graph.context import Context
    from alu.registry import TargetRegistry

    if "store" not in _GRAPHS:
        _GRAPHS["store"] = InMemoryStore()
        TargetRegistry(_GRAPHS["store"]).add_many([t.to_value() for t in REGISTERED])
    graph = create_alu_graph(_compromised_model(text), store=_GRAPHS["store"])
    return graph.invoke({"query": "Who is it?"}, context=Context(k=2))


REGISTERED = [
    Target("Jane Austen", kind="person"),
    Target("Mark Twain"),
    Target("Fitzwilliam Darcy", kind="person"),
    Target("Pride and Prejudice", kind="work"),
]
_PIECES = [
    "Jane", "Austen", "Mark", "Twain", "Darcy", "Fitzwilliam", "Pride", "and", "Prejudice",
    "Mr.", "Miss", "Professor", ",", "Q.", "(née Smith)", "the", "wrote", "novel", "by", "of", ".",
    '{"first": "Jane",', '"last": "Austen"}', "<td>Mark</td><td>Twain</td>", "austen", "jane",
]  # fmt: skip


@settings(max_examples=80, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=9))
def test_whatever_the_direct_reading_finds_is_never_passed_through(pieces):
    """The consistency property: the passthrough decision and every later check use one
    reading, so a text in which it finds a direct mention of any registered target (name,
    alias, typo, hidden, or a partial form) never leaves untouched, even when every agent
    is compromised."""
    text = " ".join(pieces)
    found = [m for m in TargetIndex(REGISTERED).find(text) if m.direct]
    event("a direct mention" if found else "nothing direct")
    if not found:
        return
    out = _compromised_graph_answer(text)
    assert out["audit"]["decision"] != "passthrough", (text, found)
    assert out["answer"] != text
