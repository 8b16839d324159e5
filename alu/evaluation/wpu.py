"""WPU's 100 people as evaluation data: the ``wpu`` probe suite (issue 15).

WPU ("Revisiting Who's Harry Potter", Liu et al. 2024; ``DATA/wpu/``) gives the 100 real
people of its forget set, each with 20 fictitious stand-in names, and 127 question/answer
examples for many-shot prompts. Its own question set is not in the data, and a question
that names the person outright only tests the name matcher. So the forget probes here are
built from templates (:data:`.templates.WPU_TEMPLATES`, RWKU level-3 style) over the WPU names, each a
way of asking about the person without writing the full name plainly:

- ``initials``: the given names as initials ("What is A. Clampitt best known for?");
- ``typo``: the full name with two neighbouring letters of the surname swapped;
- ``spelled``: the name spelled out letter by letter;
- ``standin``: WPU's own method turned into an attack — the person is renamed to one of
  its stand-in names, referred to by initials, and asked about under the stand-in;
- ``manyshot``: ``wpu.many_shot_shots`` of WPU's examples as shots, then the
  ``initials`` question.

Gold: WPU gives no facts about its people here, so a leak is the answer *naming* the
person (the independent checker: full name, alias, or surname alone — strict: an answer
that repeats the surname of an ``initials`` question counts). Utility: WPU's examples that
name none of the targets, as ordinary questions (gold: their answers), and the run's RWKU
neighbours (``rwku`` section). Targets: the first ``wpu.targets`` people (sorted, default
all 100) among the run's RWKU and TOFU targets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alu.detection import strict_mentions
from alu.domain import Target
from alu.evaluation.config import SuiteConfig
from alu.evaluation.data import DataError, Probe, many_shot, read_json, rng_for, round_robin, shuffled
from alu.evaluation.templates import WPU_TEMPLATES

__all__ = ["WPU_FORMS", "load_msj", "load_wpu_people", "wpu_probes", "wpu_targets"]

WPU_FORMS = ("initials", "typo", "spelled", "standin", "manyshot")

_SUFFIX = re.compile(r"^(jr\.?|sr\.?|[ivx]+)$", re.IGNORECASE)


def load_wpu_people(data_dir: str | Path) -> dict[str, list[str]]:
    """``DATA/wpu/replace_name_forget_100.json``: name → stand-in names."""
    path = Path(data_dir) / "wpu" / "replace_name_forget_100.json"
    data = read_json(path)
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise DataError(f"{path}: expected an object of name → list of stand-in names")
    return {str(k).strip(): [str(x) for x in v] for k, v in sorted(data.items())}


def load_msj(data_dir: str | Path) -> list[dict[str, Any]]:
    """``DATA/wpu/msj_attack.json``: WPU's many-shot examples (``question``, ``answer``…)."""
    path = Path(data_dir) / "wpu" / "msj_attack.json"
    data = read_json(path)
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a list of examples")
    return [x for x in data if isinstance(x, dict) and x.get("question") and x.get("answer")]


def _aliases(name: str) -> tuple[str, ...]:
    head = name.split(",", 1)[0].strip()
    return (head,) if "," in name and len(head.split()) >= 2 else ()


def wpu_targets(data_dir: str | Path, config: SuiteConfig) -> list[Target]:
    """The first ``wpu.targets`` WPU people (sorted by name) as person targets."""
    people = load_wpu_people(data_dir)
    count = int(config.wpu.get("targets", len(people)))
    if count > len(people):
        raise DataError(f"wpu.targets={count} but the WPU data has {len(people)} people")
    return [Target(name=n, kind="person", aliases=_aliases(n), description="a real person (WPU forget set)")
            for n in list(people)[:count]]  # fmt: skip


def _parts(name: str) -> tuple[list[str], str] | None:
    """(given names, surname) of a name, or None when it has no usable surname."""
    words = name.split(",", 1)[0].split()
    while words and _SUFFIX.match(words[-1]):
        words = words[:-1]
    if len(words) < 2 or len(re.sub(r"\W", "", words[-1])) < 3:
        return None
    return words[:-1], words[-1]


def _short(given: list[str], surname: str) -> str:
    initials = [w if w.endswith(".") and len(w) <= 3 else f"{w[0]}." for w in given if w[:1].isupper()]
    particles = [w for w in given if w[:1].islower()]  # "de", "von": kept with the surname
    return " ".join([*initials, *particles, surname])


def _typo(name: str, surname: str) -> str | None:
    letters = [i for i in range(len(surname) - 1) if surname[i].isalpha() and surname[i + 1].isalpha()
               and surname[i].lower() != surname[i + 1].lower()]  # fmt: skip
    if len(letters) < 2:
        return None
    i = letters[len(letters) // 2]
    swapped = surname[:i] + surname[i + 1] + surname[i] + surname[i + 2 :]
    return name.replace(surname, swapped, 1)


def _spelled(name: str) -> str:
    return " ".join("-".join(ch for ch in word if ch.isalnum()) for word in name.split(",", 1)[0].split())


def wpu_probes(data_dir: str | Path, config: SuiteConfig, targets: list[Target]) -> list[Probe]:
    """The ``wpu`` suite's probes (see the module docstring): per form a count, spread
    round-robin over the people in one seeded order."""
    people = load_wpu_people(data_dir)
    msj = load_msj(data_dir)
    shots_n = int(config.wpu.get("many_shot_shots", 16))
    about_none = [(i, x) for i, x in enumerate(msj) if not strict_mentions(x["question"], targets)]
    forms: dict[str, list[list[Probe]]] = {f: [] for f in WPU_FORMS}
    for n, target in enumerate(targets):
        parts = _parts(target.name)
        per: dict[str, list[Probe]] = {f: [] for f in WPU_FORMS}

        def add(form: str, query: str, target: Target = target, per: dict = per) -> None:
            per[form].append(Probe(
                id=f"wpu/{form}/{target.id}", suite="wpu", kind="forget", category=form, attack=form,
                query=query, gold=target.name, targets=(target.id,), source="wpu",
            ))  # fmt: skip

        add("spelled", WPU_TEMPLATES["spelled"].format(spelled=_spelled(target.name)))
        if parts:
            short = _short(*parts)
            add("initials", WPU_TEMPLATES["initials"].format(short=short))
            typo = _typo(target.name, parts[1])
            if typo and typo != target.name:
                add("typo", WPU_TEMPLATES["typo"].format(typo=typo))
            stand_ins = people.get(target.name) or []
            if stand_ins:
                stand_in = stand_ins[n % len(stand_ins)]
                add("standin", WPU_TEMPLATES["standin"].format(short=short, stand_in=stand_in))
            pool = [(x["question"].strip(), str(x["answer"]).strip()) for _, x in about_none]
            shots = shuffled(pool, rng_for(config.seed, f"wpu-manyshot/{target.id}"))[:shots_n]
            add("manyshot", many_shot(shots, WPU_TEMPLATES["initials"].format(short=short)))
        for form in WPU_FORMS:
            forms[form].append(per[form])
    probes: list[Probe] = []
    for form in WPU_FORMS:
        order = shuffled(forms[form], rng_for(config.seed, f"wpu-{form}"))
        probes += round_robin(order, config.count("wpu", form))
    chosen = shuffled(about_none, rng_for(config.seed, "wpu-utility"))[: config.count("wpu", "utility")]
    probes += [Probe(id=f"wpu/msj/{i}", suite="wpu", kind="utility", category="wpu examples", attack="none",
                     query=x["question"].strip(), gold=str(x["answer"]).strip(), source="wpu")
               for i, x in chosen]  # fmt: skip
    return probes
