"""Partial name forms that are direct mentions (kind "form": reversed order, a title with
the surname, a middle initial) and the readings that put a split name back together (an
aside taken out, structured fields' values): positive and negative cases per form."""

from __future__ import annotations

import pytest

from alu.detection import TargetIndex, strict_mentions
from alu.detection.forms import SURNAME_DIRECT_MAX
from alu.domain import Target
from alu.text.fields import asides_read, field_values_read, has_aside, has_fields

JANE = Target("Jane Austen", kind="person")
DARCY = Target("Fitzwilliam Darcy", kind="person")
TOLKIEN = Target("John Ronald Reuel Tolkien", kind="person")
TWAIN = Target("Mark Twain")  # kind "other": person-like
BOOK = Target("Pride and Prejudice", kind="work")
PLACE = Target("Santa Barbara", kind="place")
TARGETS = [JANE, DARCY, TOLKIEN, TWAIN, BOOK, PLACE]


@pytest.fixture(scope="module")
def index() -> TargetIndex:
    return TargetIndex(TARGETS)


def direct(index: TargetIndex, text: str) -> dict[str, str]:
    return {m.target_id: m.kind for m in index.find(text) if m.direct}


@pytest.mark.parametrize(
    ("text", "target"),
    [
        # reversed order
        ("The novel is by Austen, Jane, first published in 1813.", JANE),
        ("the author: austen, jane (1775-1817)", JANE),
        ("Bibliography: AUSTEN Jane. Emma. London, 1815.", JANE),
        ("Twain, Mark wrote it.", TWAIN),
        ("Tolkien, John Ronald Reuel is the author.", TOLKIEN),
        # a title with the surname
        ("Ask Miss Austen about it.", JANE),
        ("Then Mr. Darcy arrived at the ball.", DARCY),
        ("then mr darcy arrived", DARCY),
        ("Then miss austen wrote back.", JANE),  # an honorific: the surname in any case
        ("The letter was signed by Professor Tolkien.", TOLKIEN),
        # a middle initial
        ("It was written by Jane Q. Austen.", JANE),
        ("It was written by Jane Q. R. Austen.", JANE),
        ("by mark t twain", TWAIN),
    ],
)
def test_a_partial_form_is_a_direct_mention(index: TargetIndex, text: str, target: Target) -> None:
    assert direct(index, text).get(target.id) == "form", index.find(text)
    assert any(m.target_id == target.id for m in strict_mentions(text, [target]))


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Austen wrote six novels.", JANE),  # a surname alone: a judge candidate
        ("I like Austen. Jane prefers Brontë.", JANE),  # a sentence's end between
        ("Miss Jane was late.", JANE),  # a title with the first name
        ("The general darcy case is unrelated.", DARCY),  # an everyday title, a lower-case word
        ("Prejudice, Pride and all that.", BOOK),  # a work has no reversed form
        ("Dr. Barbara came in.", PLACE),  # nor a place a title
        ("Jane, a friend of Austen's", JANE),  # no initial between the words
    ],
)
def test_near_forms_stay_candidates(index: TargetIndex, text: str, target: Target) -> None:
    assert target.id not in direct(index, text), index.find(text)


def test_the_surname_alone_is_still_a_judge_candidate(index: TargetIndex) -> None:
    found = {m.target_id: m.kind for m in index.find("Austen wrote six novels.")}
    assert found == {JANE.id: "partial"}


def test_a_title_with_a_surname_many_share_is_a_candidate() -> None:
    smiths = [Target(f"{first} Smith", kind="person") for first in ("Anna", "Bert", "Carl", "Dora", "Emil")]
    assert len(smiths) > SURNAME_DIRECT_MAX
    index = TargetIndex(smiths)
    found = index.find("Then Mr. Smith arrived.")
    assert found and not any(m.direct for m in found)
    few = TargetIndex(smiths[:SURNAME_DIRECT_MAX])
    assert {m.target_id for m in few.find("Then Mr. Smith arrived.") if m.direct} == {t.id for t in smiths[:3]}


@pytest.mark.parametrize(
    "text",
    [
        "It was written by Jane (née Smith) Austen.",
        "It was written by Jane [Q.] Austen.",
        '{"first": "Jane", "last": "Austen"}',
        '{"last": "Austen", "first": "Jane"}',
        '{"person": {"given_name": "Jane", "family_name": "Austen", "born": 1775}}',
        "first: Jane\nlast: Austen\nborn: 1775",
        "https://example.org/search?first=Jane&last=Austen",
        '<author first="Jane" last="Austen"/>',
        "<table><tr><td>Jane</td><td>Austen</td></tr></table>",
        "first_name,last_name\nJane,Austen",
    ],
)
def test_a_name_split_by_structure_is_direct(index: TargetIndex, text: str) -> None:
    assert JANE.id in direct(index, text), index.find(text)
    assert strict_mentions(text, [JANE])


@pytest.mark.parametrize(
    "text",
    [
        '{"first": "Jane", "city": "Bath", "last": "Smith"}',
        "It was written by Jane (and edited by someone else).",
        "Austen (the town) is in Texas.",
        "name: Emma\nauthor: unknown",
    ],
)
def test_structure_that_holds_no_name_is_nothing_direct(index: TargetIndex, text: str) -> None:
    assert JANE.id not in direct(index, text), index.find(text)


def test_the_structure_readings_themselves() -> None:
    assert has_aside("a (b) c") and not has_aside("no aside here")
    assert asides_read("by Jane (née Smith) Austen.") == ["by Jane Austen."]
    assert asides_read("(alone)") == []
    assert has_fields('{"a": "b"}') and has_fields("k=v") and not has_fields("Plain prose, nothing else.")
    assert field_values_read('{"first": "Jane", "last": "Austen"}') == ["Jane Austen"]
    assert field_values_read("first: Jane\nlast: Austen") == ["Jane Austen"]
    assert field_values_read('{"only": "one"}') == []
