"""The shipped general "keep" text: what the topics' classifiers learn is *not* the topic.

Why its own module: a query reaches the stage in many shapes — a bare question, a
multiple-choice question with its lettered options and "answer with the letter", a long
answer draft cut into sentences — and a classifier only learns that a shape is benign if
the keep side has benign text of that shape. Three shipped files (English, written for this
project, none taken from a benchmark):

- ``keep_en.txt``: benign questions and statements across school subjects, one a line;
- ``keep_mc_en.txt``: benign multiple-choice questions (``question | A | B | C | D |
  letter``), each turned into the forms a query takes (:func:`mc_forms`);
- ``keep_drafts_en.txt``: benign answer drafts, cut into sentences as a query's draft is.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from alu.semantic.profiles import split_sentences

__all__ = ["default_keep_texts", "mc_forms", "parse_mc_line"]

LETTERS = "ABCD"
INSTRUCTIONS = (
    "Answer with the letter of the correct option.",
    "Choose the correct answer.",
    "Which option is correct? Reply with A, B, C or D.",
    "Select the best answer and explain briefly.",
    "",
)
"""Instruction lines of multiple-choice queries, rotated over the questions."""


def _lines(name: str) -> list[str]:
    raw = (resources.files("alu.semantic") / "data" / name).read_text("utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


def mc_forms(question: str, options: list[str], answer: int, n: int = 0) -> list[str]:
    """The texts one benign multiple-choice question yields for the keep side: the stem,
    the question with lettered options on their own lines and an instruction (rotated by
    ``n``), the same inline in another layout, and the answer a model would give."""
    lettered = "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))
    instruction = INSTRUCTIONS[n % len(INSTRUCTIONS)]
    block = f"{question}\n{lettered}\n{instruction}".strip()
    layouts = (
        " ".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(options)),
        " ".join(f"{LETTERS[i]}) {o}" for i, o in enumerate(options)),
        "Options: " + "; ".join(f"{i + 1}. {o}" for i, o in enumerate(options)),
    )
    inline = f"{question} {layouts[n % len(layouts)]}"
    letter, chosen = LETTERS[answer], options[answer]
    drafts = (f"{letter}. {chosen}", f"The answer is {letter}: {chosen}.", f"The correct option is {letter}, {chosen}.")
    return [question, block, inline, *split_sentences(drafts[n % len(drafts)])]


def parse_mc_line(line: str) -> tuple[str, list[str], int]:
    """``question | A | B | C | D | letter`` as (question, options, answer index)."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) != 6 or not all(parts) or parts[5] not in LETTERS:
        raise ValueError(f"keep_mc_en.txt: {line[:60]!r} is not 'question | A | B | C | D | letter' (fix the line)")
    return parts[0], parts[1:5], LETTERS.index(parts[5])


@lru_cache(maxsize=1)
def _default_keep_texts() -> tuple[str, ...]:
    out = _lines("keep_en.txt")
    for n, line in enumerate(_lines("keep_mc_en.txt")):
        question, options, answer = parse_mc_line(line)
        out.extend(mc_forms(question, options, answer, n))
    for line in _lines("keep_drafts_en.txt"):
        out.extend(split_sentences(line))
    return tuple(dict.fromkeys(out))


def default_keep_texts() -> list[str]:
    """The shipped keep text (English): questions, statements, multiple-choice queries in
    several layouts, and answer-draft sentences."""
    return list(_default_keep_texts())
