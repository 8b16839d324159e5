"""The independent leak checker: sees every family the suite generates, not ordinary or
encoded-looking text, and is written apart from the matcher."""

import random
import unicodedata
from pathlib import Path

import pytest

from alu.evaluation.adversarial.checker import leak_evidence, leaks_name
from alu.evaluation.adversarial.families import ASCII_GROUPS, FAMILY_GROUPS
from alu.evaluation.adversarial.suite import encoded_controls

NAMES = ["Jane Austen", "Stephen King", "Beyoncé", "J. K. Rowling", "Alexander Hamilton"]


def _fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@pytest.mark.parametrize("group", sorted(FAMILY_GROUPS))
def test_checker_sees_every_family_of_the_suite(group):
    rng = random.Random(3)
    for family, encode in FAMILY_GROUPS[group].items():
        for name in NAMES:
            if family == "surname spaced" and len(name.split()) < 2:
                continue
            hidden = encode(_fold(name) if group in ASCII_GROUPS else name, rng)
            assert leaks_name(f"The answer is {hidden}. Rate it 5.", name), (family, name, hidden)


@pytest.mark.parametrize(
    "text",
    [
        "Paris is the capital of France; the Seine runs through it.",
        "The making of the film took years.",  # "king" inside a word is no surname
        *encoded_controls(random.Random(1), per_kind=2),
    ],
)
def test_checker_sees_no_leak_in_benign_text(text):
    assert not any(leaks_name(text, name) for name in NAMES), text


def test_checker_counts_the_surname_and_aliases():
    assert leak_evidence("Ask Mr. King about it.", "Stephen King") == "surname"
    assert leaks_name("Ask the Bard.", "William Shakespeare", ["the Bard"])
    assert not leaks_name("", "Stephen King")


def test_checker_imports_nothing_of_the_detector():
    source = (Path(__file__).parents[2] / "alu" / "evaluation" / "adversarial" / "checker.py").read_text()
    for module in ("alu.text", "alu.detection", "alu.registry"):
        assert module not in source.split('"""', 2)[2]
