"""WMDP and MMLU as evaluation data: the ``wmdp`` probe suite (issue 15).

Loaders (also used by ``alu bench topics``): :func:`load_wmdp` reads
``DATA/wmdp/{bio,chem}.json`` (``{"question", "choices": [4], "answer": 0-3}``),
:func:`load_mmlu` reads ``DATA/mmlu/<subject>.csv`` (``question,choice0..3,answer``), both
as :class:`MCQuestion` with the row's index in its file.

**Targets.** Two topics written as a user would (:data:`TOPICS`: a description and a few
keywords), each with example texts: the WMDP questions of the *learning half* of its set
(:func:`learning_half`, a hash of the question text; the same split as the bench). The
probes are drawn from the other half only, so no tested question was learnt from
(``wmdp.examples``: the most examples per topic, 0 for zero-shot).

**Probes.** Forget: WMDP bio and chem questions as multiple choice (:data:`.choices.MC_QUERY`,
gold the correct option), the target the topic. Utility: MMLU questions of every subject
found (``wmdp.mmlu`` per subject), the same format. The run's other utility sets (TOFU world
facts, RWKU neighbours) come from the ``tofu`` and ``rwku`` sections of the suite, as before.
Each multiple-choice probe carries its options and answer, so the report adds the
multiple-choice accuracy (:func:`.choices.chosen_option`) beside leak and intervention.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from alu.domain import Target
from alu.evaluation.choices import mc_query
from alu.evaluation.config import SuiteConfig
from alu.evaluation.data import DataError, Probe, read_json, rng_for, shuffled

__all__ = [
    "TOPICS",
    "MCQuestion",
    "learning_half",
    "load_mmlu",
    "load_wmdp",
    "topic_targets",
    "wmdp_probes",
]

TOPICS: dict[str, Target] = {
    "bio": Target(
        name="Biosecurity",
        kind="topic",
        description=(
            "Biological weapons and dual-use biology: enhancing pathogens' virulence, "
            "transmissibility or immune evasion, reverse genetics and synthesis of viruses, "
            "culturing, aerosolising or disseminating agents and toxins, evading "
            "DNA-synthesis screening."
        ),
        keywords=(
            "bioweapon",
            "pathogen enhancement",
            "gain of function",
            "virulence factor",
            "aerosolization",
            "toxin production",
            "reverse genetics",
            "select agent",
            "anthrax",
        ),
    ),
    "chem": Target(
        name="Chemical weapons",
        kind="topic",
        description=(
            "Chemical weapons and their precursors: synthesising, stabilising, weaponising or "
            "delivering nerve agents, blister agents and other toxic chemicals, acquiring "
            "controlled precursors, evading detection."
        ),
        keywords=(
            "nerve agent",
            "sarin",
            "VX",
            "mustard gas",
            "chemical warfare agent",
            "precursor synthesis",
            "toxic industrial chemical",
            "explosive",
            "chemical weapon delivery",
        ),
    ),
}
"""The two WMDP topics as a user would register them (description and keywords only)."""


@dataclass(frozen=True)
class MCQuestion:
    """One multiple-choice question and where it is in its file."""

    index: int
    question: str
    choices: tuple[str, ...]
    answer: int


def learning_half(text: str) -> bool:
    """Is ``text`` in the half that examples may come from? (A hash of the text: stable,
    and the same split as ``alu bench topics``.)"""
    return hashlib.sha256(text.encode()).digest()[0] & 1 == 0


def _question(index: int, question: object, choices: list, answer: object, where: str) -> MCQuestion:
    if not isinstance(question, str) or not question.strip():
        raise DataError(f"{where}: row {index} has no question")
    if len(choices) != 4 or not all(isinstance(c, str) for c in choices):
        raise DataError(f"{where}: row {index} needs 4 text choices")
    try:
        correct = int(str(answer))
    except ValueError:
        raise DataError(f"{where}: row {index} has answer {answer!r}, expected 0-3") from None
    if not 0 <= correct < 4:
        raise DataError(f"{where}: row {index} has answer {answer!r}, expected 0-3")
    return MCQuestion(index, question.strip(), tuple(c.strip() for c in choices), correct)


def load_wmdp(data_dir: str | Path, name: str) -> list[MCQuestion]:
    """``DATA/wmdp/<name>.json`` (``bio`` or ``chem``) as questions."""
    path = Path(data_dir) / "wmdp" / f"{name}.json"
    rows = read_json(path)
    if not isinstance(rows, list):
        raise DataError(f"{path}: expected a list of questions")
    return [
        _question(i, r.get("question"), list(r.get("choices") or []), r.get("answer"), str(path))
        for i, r in enumerate(rows)
    ]


def load_mmlu(data_dir: str | Path) -> dict[str, list[MCQuestion]]:
    """Every ``DATA/mmlu/<subject>.csv`` as questions, by subject (sorted)."""
    folder = Path(data_dir) / "mmlu"
    if not folder.is_dir():
        raise DataError(f"no MMLU folder at {folder}")
    out: dict[str, list[MCQuestion]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        out[path.stem] = [
            _question(i, r.get("question"), [r.get(f"choice{k}") for k in range(4)], r.get("answer"), str(path))
            for i, r in enumerate(rows)
        ]
    return out


def topic_targets(data_dir: str | Path, examples: int | None = None) -> dict[str, Target]:
    """The topics with their example texts: the learning half of each WMDP set, in file
    order, at most ``examples`` of them (None: all; 0: zero-shot)."""
    out: dict[str, Target] = {}
    for key, topic in TOPICS.items():
        learnt = [q.question for q in load_wmdp(data_dir, key) if learning_half(q.question)]
        if examples is not None:
            learnt = learnt[:examples]
        out[key] = Target(
            name=topic.name, kind=topic.kind, description=topic.description, keywords=topic.keywords,
            examples=tuple(dict.fromkeys(learnt)),
        )  # fmt: skip
    return out


def _sample(items: list[MCQuestion], config: SuiteConfig, purpose: str, count: int) -> list[MCQuestion]:
    return shuffled(items, rng_for(config.seed, purpose))[:count]


def _probe(id_: str, kind: str, category: str, q: MCQuestion, source: str, targets: tuple[str, ...] = ()) -> Probe:
    return Probe(
        id=id_, suite="wmdp", kind=kind, category=category, attack="none", query=mc_query(q.question, q.choices),
        gold=q.choices[q.answer], targets=targets, source=source, choices=q.choices, answer_index=q.answer,
    )  # fmt: skip


def wmdp_probes(data_dir: str | Path, config: SuiteConfig, topics: dict[str, Target]) -> list[Probe]:
    """The ``wmdp`` suite's probes: WMDP questions of the tested half (forget), MMLU
    questions (utility), each category in one seeded order (a larger count adds probes)."""
    probes: list[Probe] = []
    for key, topic in topics.items():
        tested = [q for q in load_wmdp(data_dir, key) if not learning_half(q.question)]
        for q in _sample(tested, config, f"wmdp-{key}", config.count("wmdp", key)):
            probes.append(_probe(f"wmdp/{key}/{q.index}", "forget", f"wmdp {key}", q, "wmdp", (topic.id,)))
    per_subject = config.count("wmdp", "mmlu")
    if per_subject:
        subjects = load_mmlu(data_dir)
        wanted = config.wmdp.get("subjects") or list(subjects)
        missing = [name for name in wanted if name not in subjects]
        if missing:
            raise DataError(f"wmdp.subjects: no MMLU file for {missing} (found: {', '.join(subjects)})")
        for subject, questions in ((name, subjects[name]) for name in wanted):
            for q in _sample(questions, config, f"wmdp-mmlu-{subject}", per_subject):
                probes.append(_probe(f"wmdp/mmlu/{subject}/{q.index}", "utility", f"mmlu {subject}", q, "mmlu"))
    return probes
