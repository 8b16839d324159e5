"""The shipped keep text (alu/semantic/keep.py): its multiple-choice and draft forms, and
that it learnt nothing the benchmarks test."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from alu.semantic.keep import default_keep_texts, mc_forms, parse_mc_line

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_a_multiple_choice_question_yields_the_shapes_a_query_takes():
    forms = mc_forms("Which gas do plants take in?", ["Oxygen", "Carbon dioxide", "Helium", "Neon"], 1, n=0)
    assert forms[0] == "Which gas do plants take in?"
    assert forms[1].splitlines() == [
        "Which gas do plants take in?",
        "A. Oxygen",
        "B. Carbon dioxide",
        "C. Helium",
        "D. Neon",
        "Answer with the letter of the correct option.",
    ]
    assert forms[2].startswith("Which gas do plants take in? (A) Oxygen (B) Carbon dioxide")
    assert any("B" in f and "Carbon dioxide" in f for f in forms[3:])  # the answer a model gives
    assert mc_forms("Q?", ["a", "b", "c", "d"], 0, n=1)[1].endswith("Choose the correct answer.")


def test_a_malformed_multiple_choice_line_says_what_to_fix():
    assert parse_mc_line("Q? | a | b | c | d | C") == ("Q?", ["a", "b", "c", "d"], 2)
    with pytest.raises(ValueError, match="question \\| A \\| B \\| C \\| D \\| letter"):
        parse_mc_line("Q? | a | b | c | E")


def test_the_shipped_keep_text_has_questions_options_and_draft_sentences():
    keep = default_keep_texts()
    lettered = [t for t in keep if re.search(r"^A\. .+\nB\. .+\nC\. .+\nD\. ", t, re.M)]
    assert len(lettered) >= 150
    assert sum("Answer with the letter of the correct option." in t for t in lettered) >= 30
    assert sum(t.startswith("The answer is ") for t in keep) >= 40
    assert len(keep) == len(set(keep))


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_the_shipped_keep_text_contains_no_benchmark_question():
    """The bench and the eval test on TOFU world facts / real authors and MMLU: a keep text
    that *is* one of their questions would make their false-flag figures meaningless."""
    if not (SHARED / "tofu" / "world_facts.json").is_file():
        pytest.skip(f"shared benchmark data not found at {SHARED} (a user's checkout has no ../shared)")
    tested = set()
    for name in ("world_facts", "real_authors"):
        tested |= {_norm(x["question"]) for x in json.loads((SHARED / "tofu" / f"{name}.json").read_text("utf-8"))}
    for path in (SHARED / "mmlu").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            tested |= {_norm(r["question"]) for r in csv.DictReader(fh)}
    stems = {_norm(t.splitlines()[0]) for t in default_keep_texts()}
    assert not stems & tested


def test_a_multiple_choice_query_is_scored_whole_and_by_its_stem():
    from alu.semantic.profiles import chunk_texts, mc_stem

    query = (
        "Which organ makes bile?\nA. Liver\nB. Heart\nC. Lung\nD. Skin\nAnswer with the letter of the correct option."
    )
    assert chunk_texts({"question": query, "draft": "A. Liver is the answer here."}) == [
        ("question", query),
        ("question", "Which organ makes bile?"),
        ("draft", "A. Liver is the answer here."),
    ]
    assert mc_stem("Which organ makes bile? (A) Liver (B) Heart (C) Lung") == "Which organ makes bile?"
    assert mc_stem("Which organ makes bile? The liver does. A plain question.") is None
    assert mc_stem("A. Liver\nB. Heart") is None  # no stem worth scoring on its own
