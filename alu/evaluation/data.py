"""Probes and targets built from the shared benchmark data (RWKU and TOFU).

Read-only over ``DATA_DIR`` (``rwku/<n>_<Name>/…``, ``tofu/…``; see the data's README).
Every probe has a stable id, so a resumed run finds the records it already has.

**Targets.** RWKU: the sampled people (name from ``intro.json``; the part of a name
before a comma as an alias when it has two words or more, e.g. "Prince Harry" for
"Prince Harry, Duke of Sussex"; the introduction, minus "Please forget X.", as the
description; ``forget_words.json`` as keywords where present). TOFU: the split's
*authors* only. ``<split>_fts.json`` mixes author names with their works, awards,
places, genres and identity words ("Kuwait City", "France", "French literature",
"LGBTQ+"); registering those as targets would make every system refuse questions about
France or LGBTQ+ literature, which no one asked to forget. So each 20-question block of
the split is one author (TOFU's layout); the author is the fts string that appears in the
most of its block's questions and answers, and the fts strings that appear *quoted* in
the block (titles of works, named awards) become that author's keywords — cues for the
auditor, never targets. The rest are kept as the author's ``related`` strings, reported
with the targets but used by no system.

**Context.** TOFU's authors are fictitious, so the TOFU probes (forget, paraphrased,
retain, and the attack probes built on them) carry the author's facts, which every
system gives the answering model as a system message, as a retrieval-augmented app
would: the answers of the author's QA pairs — the answer to the question itself, plus the
ones sharing the most words with the question, ``tofu.context_facts`` in all (0: all 20),
in the data's order. Many-shot probes carry none (their shots are the facts). RWKU and
general-knowledge probes carry none.

Length (about 580 lines): the three suites' builders (RWKU, TOFU, many-shot) share
the sampling helpers and the Probe/Benchmark types here; splitting it by suite is the
next cut (one module per suite over a shared sampling module).
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from alu.detection import strict_mentions
from alu.domain import Target
from alu.evaluation import templates
from alu.evaluation.config import SuiteConfig
from alu.evaluation.metrics import FUNCTION_WORDS
from alu.text import normalize

__all__ = [
    "Benchmark",
    "DataError",
    "Probe",
    "build_benchmark",
    "default_data_dir",
    "read_json",
]


class DataError(ValueError):
    """The data folder is missing or not in the expected layout."""


@dataclass(frozen=True)
class Probe:
    """One query of the evaluation, identical for every system."""

    id: str
    """Stable id, unique within the run (starts with the suite)."""
    suite: str
    kind: str
    """``forget`` (must not leak the targets) or ``utility`` (must still be answered)."""
    category: str
    """Finer grouping within the suite (``level 2``, ``neighbor``, ``retain``…)."""
    attack: str
    """Attack type for the leak-by-attack chart (``none`` for plain probes)."""
    query: str
    gold: str
    targets: tuple[str, ...] = ()
    """Ids of the targets this probe is about (forget probes)."""
    context: str = ""
    """Facts given to the answering model as a system message ('' for none)."""
    source: str = ""
    choices: tuple[str, ...] = ()
    """The options of a multiple-choice probe (WMDP, MMLU; empty otherwise)."""
    answer_index: int = -1
    """The correct option's index (multiple-choice probes; -1 otherwise)."""


@dataclass
class Benchmark:
    """The targets every system forgets, and the probes they all answer."""

    targets: list[Target]
    probes: list[Probe]
    related: dict[str, list[str]] = field(default_factory=dict)
    """TOFU author id → the fts strings that are not targets nor keywords."""

    def target(self, target_id: str) -> Target:
        return self._by_id[target_id]

    def __post_init__(self) -> None:
        self._by_id = {t.id: t for t in self.targets}


def default_data_dir() -> Path:
    """``$ALU_DATA``, else ``../shared/data`` relative to the working directory."""
    return Path(os.environ.get("ALU_DATA") or "../shared/data")


# -- helpers ---------------------------------------------------------------------------


def _rng(seed: int, purpose: str) -> random.Random:
    """One generator per purpose: changing one count does not reshuffle the others."""
    return random.Random(f"{seed}/{purpose}")


rng_for = _rng  # the sampling helpers, for the suites in their own modules (wmdp, wpu)


def _round_robin(groups: Sequence[Sequence[Any]], n: int) -> list[Any]:
    """Up to ``n`` items taken from each group in turn."""
    out: list[Any] = []
    cursors = [0] * len(groups)
    while len(out) < n:
        progressed = False
        for g, group in enumerate(groups):
            if len(out) >= n:
                break
            if cursors[g] < len(group):
                out.append(group[cursors[g]])
                cursors[g] += 1
                progressed = True
        if not progressed:
            break
    return out


def _shuffled(items: Iterable[Any], rng: random.Random) -> list[Any]:
    items = list(items)
    rng.shuffle(items)
    return items


shuffled = _shuffled
round_robin = _round_robin


def read_json(path: Path) -> Any:
    """A data file's JSON, or a :class:`DataError` that names the file and what is wrong."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"missing data file {path}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc})") from None


def _contains(text: str, phrase: str) -> bool:
    folded = normalize(phrase)
    return bool(folded) and f" {folded} " in f" {normalize(text)} "


def _replace_name(text: str, names: Sequence[str], pronoun: str) -> str:
    """``text`` with every form of the names (possessive too) replaced by ``pronoun``."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?:['\u2019]s)?(?!\w)", re.IGNORECASE)
        text = pattern.sub(lambda m: pronoun + ("'s" if m.group(0)[-2:] in ("'s", "\u2019s") else ""), text)
    return text


# -- RWKU ------------------------------------------------------------------------------


@dataclass
class _Person:
    folder: str
    target: Target
    description: str
    l1: list[dict]
    l2: list[dict]
    l3: list[dict]
    n1: list[dict]
    n2: list[dict]


def _aliases(name: str) -> list[str]:
    head = name.split(",", 1)[0].strip()
    return [head] if "," in name and len(head.split()) >= 2 else []


@lru_cache(maxsize=8)
def _rwku_folders(root: str) -> tuple[str, ...]:
    path = Path(root)
    if not path.is_dir():
        raise DataError(f"no RWKU folder at {path}")
    return tuple(sorted(p.name for p in path.iterdir() if (p / "intro.json").is_file()))


def _load_person(root: Path, folder: str) -> _Person:
    path = root / folder
    intro = read_json(path / "intro.json")
    if isinstance(intro, list):
        intro = intro[0]
    name = intro["target"].strip()
    text = " ".join(intro.get("intro", "").split())
    description = re.sub(r"^Please forget [^.]*?\.\s*", "", text) if text.startswith("Please forget") else text
    if text.startswith(f"Please forget {name}."):
        description = text[len(f"Please forget {name}.") :].strip()
    keywords: list[str] = []
    if (path / "forget_words.json").is_file():
        keywords = [w for w in read_json(path / "forget_words.json") if isinstance(w, str)][:60]
    target = Target(name=name, aliases=tuple(_aliases(name)), kind="person", description=description,
                    keywords=tuple(keywords))  # fmt: skip
    return _Person(
        folder=folder,
        target=target,
        description=description,
        l1=read_json(path / "forget_level1.json"),
        l2=read_json(path / "forget_level2.json"),
        l3=read_json(path / "forget_level3.json"),
        n1=read_json(path / "neighbor_level1.json"),
        n2=read_json(path / "neighbor_level2.json"),
    )


def _is_crosslingual(item: dict) -> bool:
    return "lingual" in item.get("type", "")


def _rwku_query(item: dict) -> str:
    query = item["query"].strip()
    return templates.CLOZE.format(query=query) if item.get("type") == "cloze" or "___" in query else query


def _by_type_interleaved(items: list[tuple[int, dict]], rng: random.Random) -> list[tuple[int, dict]]:
    """Items shuffled within their attack type, then the types taken in turn."""
    groups: dict[str, list[tuple[int, dict]]] = {}
    for index, item in items:
        groups.setdefault(item.get("type", "?"), []).append((index, item))
    order = _shuffled(sorted(groups), rng)
    return _round_robin([_shuffled(groups[t], rng) for t in order], len(items))


def _rwku(root: Path, config: SuiteConfig) -> tuple[list[_Person], list[Probe]]:
    folders = list(_rwku_folders(str(root)))
    names = config.rwku.get("names") or []
    if names:
        wanted = {normalize(n) for n in names}
        chosen = [f for f in folders if normalize(f.split("_", 1)[-1].replace("_", " ")) in wanted
                  or normalize(f) in wanted]  # fmt: skip
        if len(chosen) != len(wanted):
            raise DataError(f"rwku.names: not all of {names} are RWKU folders under {root}")
    else:
        count = config.count("rwku", "targets")
        if count > len(folders):
            raise DataError(f"rwku.targets={count} but {root} has {len(folders)} targets")
        chosen = sorted(_rng(config.seed, "rwku-targets").sample(folders, count))
    people = [_load_person(root, f) for f in chosen]
    probes: list[Probe] = []

    def forget(person: _Person, level: int, index: int, item: dict, category: str, attack: str) -> Probe:
        return Probe(
            id=f"rwku/{person.folder}/l{level}/{index}",
            suite="rwku",
            kind="forget",
            category=category,
            attack=attack,
            query=_rwku_query(item),
            gold=str(item["answer"]),
            targets=(person.target.id,),
            source="rwku",
        )

    for level, key in ((1, "level1"), (2, "level2")):
        rng = _rng(config.seed, f"rwku-l{level}")
        groups = [
            [forget(p, level, i, item, f"level {level}", f"none (level {level})")
             for i, item in _shuffled(enumerate(getattr(p, f"l{level}")), rng)]
            for p in people
        ]  # fmt: skip
        probes += _round_robin(groups, config.count("rwku", key))
    rng = _rng(config.seed, "rwku-l3")
    groups = []
    for p in people:
        items = [(i, item) for i, item in enumerate(p.l3) if not _is_crosslingual(item)]
        groups.append([forget(p, 3, i, item, f"level 3: {item['type']}", item["type"])
                       for i, item in _by_type_interleaved(items, rng)])  # fmt: skip
    probes += _round_robin(groups, config.count("rwku", "level3"))
    rng = _rng(config.seed, "rwku-neighbor")
    groups = []
    for p in people:
        neighbours = [(1, i, x) for i, x in enumerate(p.n1)] + [(2, i, x) for i, x in enumerate(p.n2)]
        # the same neighbour question can appear twice in the data: keep the first
        seen: set[str] = set()
        unique: list[tuple[int, int, dict]] = []
        for level, i, x in neighbours:
            if normalize(x["query"]) not in seen:
                seen.add(normalize(x["query"]))
                unique.append((level, i, x))
        groups.append([
            Probe(id=f"rwku/{p.folder}/n{level}/{i}", suite="rwku", kind="utility", category="neighbor",
                  attack="none", query=_rwku_query(x), gold=str(x["answer"]), source="rwku")
            for level, i, x in _shuffled(unique, rng)
        ])  # fmt: skip
    probes += _round_robin(groups, config.count("rwku", "neighbor"))
    return people, probes


# -- TOFU ------------------------------------------------------------------------------


@dataclass
class _Author:
    index: int
    target: Target
    qa: list[tuple[int, dict]]  # (index in the split file, item)
    works: list[str]
    related: list[str]

    def facts(self, index: int | None, query: str, count: int) -> str:
        return _retrieve(self.qa, index, query, count)


def _retrieve(block: Sequence[tuple[int, dict]], index: int | None, query: str, count: int) -> str:
    """The facts a retriever would hand the model for ``query``: the answer of QA pair
    ``index`` (when given) and the answers sharing the most content words with the query."""
    words = set(normalize(query).split()) - FUNCTION_WORDS
    if count <= 0 or count >= len(block):
        chosen = {i for i, _ in block}
    else:
        ranked = sorted(
            block, key=lambda qa: (qa[0] != index, -len(words & set(normalize(qa[1]["answer"]).split())), qa[0])
        )
        chosen = {i for i, _ in ranked[:count]}
    return "\n".join(f"- {x['answer'].strip()}" for i, x in block if i in chosen)


_QUOTED = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d]{2,200})[\"\u201c\u201d]")


def _tofu_authors(root: Path, split: str) -> list[_Author]:
    qa = read_json(root / f"{split}_perturbed.json")
    fts = [s for s in read_json(root / f"{split}_fts.json") if isinstance(s, str) and normalize(s)]
    if len(qa) % 20:
        raise DataError(f"{root / f'{split}_perturbed.json'}: expected blocks of 20 questions per author")
    authors: list[_Author] = []
    for block_start in range(0, len(qa), 20):
        block = list(enumerate(qa[block_start : block_start + 20], start=block_start))
        texts = [f"{x['question']} {x['answer']}" for _, x in block]
        counts = {s: sum(_contains(t, s) for t in texts) for s in fts}
        author = max(fts, key=lambda s: (counts[s], -fts.index(s)))
        quoted = {normalize(m) for t in texts for m in _QUOTED.findall(t)}
        works = [s for s in fts if s != author and normalize(s) in quoted and counts[s]]
        related = [s for s in fts if s not in works and s != author and counts[s]]
        target = Target(name=author, kind="person", keywords=tuple(works),
                        description="fictitious author (TOFU)")  # fmt: skip
        authors.append(_Author(len(authors), target, block, works, related))
    return authors


def _retain_blocks(root: Path) -> list[list[tuple[int, dict]]]:
    items = read_json(root / "retain_perturbed.json")
    return [list(enumerate(items[i : i + 20], start=i)) for i in range(0, len(items), 20)]


def _tofu(root: Path, config: SuiteConfig) -> tuple[list[_Author], list[Probe]]:
    split = config.tofu.get("split", "forget01")
    authors = _tofu_authors(root, split)
    facts = config.count("tofu", "context_facts")
    probes: list[Probe] = []
    for key, field_name, category in (
        ("forget", "question", "forget"),
        ("paraphrased", "paraphrased_question", "paraphrased"),
    ):
        rng = _rng(config.seed, f"tofu-{key}")
        groups = [
            [Probe(id=f"tofu/{split}/{i}" + ("/para" if key == "paraphrased" else ""), suite="tofu",
                   kind="forget", category=category, attack="none" if key == "forget" else "paraphrase",
                   query=item[field_name].strip(), gold=item["answer"].strip(), targets=(a.target.id,),
                   context=a.facts(i, item["question"], facts), source="tofu")
             for i, item in _shuffled(a.qa, rng) if item.get(field_name)]
            for a in authors
        ]  # fmt: skip
        probes += _round_robin(groups, config.count("tofu", key))
    blocks = _retain_blocks(root)
    rng = _rng(config.seed, "tofu-retain")
    groups = []
    for block in _shuffled(blocks, rng):
        groups.append([Probe(id=f"tofu/retain/{i}", suite="tofu", kind="utility", category="retain",
                             attack="none", query=x["question"].strip(), gold=x["answer"].strip(),
                             context=_retrieve(block, i, x["question"], facts), source="tofu")
                       for i, x in _shuffled(block, rng)])  # fmt: skip
    probes += _round_robin(groups, config.count("tofu", "retain"))
    for key in ("real_authors", "world_facts"):
        items = read_json(root / f"{key}_perturbed.json")
        rng = _rng(config.seed, f"tofu-{key}")
        chosen = _shuffled(enumerate(items), rng)[: config.count("tofu", key)]
        probes += [Probe(id=f"tofu/{key}/{i}", suite="tofu", kind="utility", category=key.replace("_", " "),
                         attack="none", query=x["question"].strip(), gold=str(x["answer"]).strip(),
                         source="tofu") for i, x in chosen]  # fmt: skip
    return authors, probes


# -- attack suites ---------------------------------------------------------------------


def _masked_rwku(p: _Person) -> list[Probe]:
    names = [p.target.name, *p.target.aliases]
    surname = p.target.name.split(",")[0].split()[-1]
    if len(surname) >= 4:
        names.append(surname)
    description = _replace_name(p.description, names, "This person")
    if strict_mentions(description, [p.target]):
        description = "This person is someone well known."
    out = []
    for i, item in enumerate(p.l2):
        question = _replace_name(item["query"].strip(), names, "this person")
        if question == item["query"].strip() or strict_mentions(question, [p.target]):
            continue  # the question does not name them plainly, or cannot be masked
        out.append(Probe(
            id=f"masking/rwku/{p.folder}/l2/{i}", suite="masking", kind="forget", category="rwku",
            attack="masking", query=templates.MASK_RWKU.format(description=description, question=question),
            gold=str(item["answer"]), targets=(p.target.id,), source="rwku",
        ))  # fmt: skip
    return out


_AWARD = re.compile(r"\b(award|prize|prix|medal|laureate)\b", re.IGNORECASE)


def _masked_tofu(a: _Author, split: str, rng: random.Random, facts: int) -> list[Probe]:
    out = []
    works = [w for w in a.works if not _AWARD.search(w)]  # titles only, not named awards
    for n, work in enumerate(works):
        others = ", ".join(w for w in works if w != work) or a.target.name
        out.append(Probe(
            id=f"masking/tofu/{split}/{a.index}/who/{n}", suite="masking", kind="forget", category="tofu",
            attack="masking", query=templates.MASK_TOFU_WHO.format(work=work), gold=f"{a.target.name}: {others}",
            targets=(a.target.id,), context=a.facts(None, f"{a.target.name} wrote {work} {others}", facts),
            source="tofu",
        ))  # fmt: skip
    if not works:
        return out
    for i, item in a.qa:
        question = item["question"].strip()
        masked = _replace_name(question, [f"author {a.target.name}"], "this author")
        masked = _replace_name(masked, [a.target.name], "this author")
        if masked == question or strict_mentions(masked, [a.target]):
            continue
        work = works[i % len(works)]
        out.append(Probe(
            id=f"masking/tofu/{split}/{i}", suite="masking", kind="forget", category="tofu", attack="masking",
            query=templates.MASK_TOFU.format(work=work, question=masked), gold=item["answer"].strip(),
            targets=(a.target.id,), context=a.facts(i, question, facts), source="tofu",
        ))  # fmt: skip
    who, rest = out[: len(works)], _shuffled(out[len(works) :], rng)
    return _round_robin([who, rest], len(out))


def _crosslingual(people: list[_Person], authors: list[_Author], split: str, config: SuiteConfig) -> list[Probe]:
    rng = _rng(config.seed, "crosslingual")
    languages = sorted(templates.CROSSLINGUAL)
    rwku_l3 = []
    for p in people:
        items = [(i, x) for i, x in enumerate(p.l3) if _is_crosslingual(x)]
        rwku_l3.append([Probe(
            id=f"crosslingual/rwku/{p.folder}/l3/{i}", suite="crosslingual", kind="forget",
            category="rwku " + x["type"].replace("cross-lingual", "cross lingual"), attack="crosslingual",
            query=x["query"].strip(), gold=str(x["answer"]), targets=(p.target.id,), source="rwku",
        ) for i, x in _shuffled(items, rng)])  # fmt: skip
    rwku_tpl, tofu_tpl = [], []
    for n, p in enumerate(people):
        rwku_tpl.append([Probe(
            id=f"crosslingual/template/{lang}/who/{p.folder}", suite="crosslingual", kind="forget",
            category=f"template ({lang})", attack="crosslingual",
            query=templates.CROSSLINGUAL[lang]["who"].format(name=p.target.name), gold=p.description,
            targets=(p.target.id,), source="rwku",
        ) for lang in languages[n % len(languages):] + languages[: n % len(languages)]])  # fmt: skip
    for n, a in enumerate(authors):
        kind = "books" if a.works else "who"
        gold = ", ".join(a.works) if a.works else " ".join(x["answer"] for _, x in a.qa[:2])
        tofu_tpl.append([Probe(
            id=f"crosslingual/template/{lang}/{kind}/{split}/{a.index}", suite="crosslingual", kind="forget",
            category=f"template ({lang})", attack="crosslingual",
            query=templates.CROSSLINGUAL[lang][kind].format(name=a.target.name), gold=gold,
            targets=(a.target.id,), context=a.facts(None, f"{a.target.name} {gold}", config.count("tofu", "context_facts")),
            source="tofu",
        ) for lang in languages[n % len(languages):] + languages[: n % len(languages)]])  # fmt: skip
    sources = [
        _round_robin(rwku_l3, sum(map(len, rwku_l3))),
        _round_robin(rwku_tpl, sum(map(len, rwku_tpl))),
        _round_robin(tofu_tpl, sum(map(len, tofu_tpl))),
    ]
    return _round_robin(sources, config.count("attacks", "crosslingual"))


def _many_shot(shots: Sequence[tuple[str, str]], question: str) -> str:
    parts = [templates.MANY_SHOT["shot"].format(question=q, answer=a) for q, a in shots]
    parts.append(templates.MANY_SHOT["final"].format(question=question))
    return templates.MANY_SHOT["separator"].join(parts)


many_shot = _many_shot


def _manyshot(people: list[_Person], authors: list[_Author], split: str, config: SuiteConfig) -> list[Probe]:
    rng = _rng(config.seed, "manyshot")
    n_shots = config.count("attacks", "many_shot_shots")
    rwku, tofu = [], []
    for p in people:
        probes = []
        for i, item in _shuffled(enumerate(p.l2), rng):
            pool = [(_rwku_query(x), str(x["answer"])) for x in p.l1]
            pool += [(x["query"].strip(), str(x["answer"])) for j, x in enumerate(p.l2) if j != i]
            shots = _shuffled(pool, _rng(config.seed, f"manyshot/{p.folder}/{i}"))[:n_shots]
            probes.append(Probe(
                id=f"manyshot/rwku/{p.folder}/l2/{i}", suite="manyshot", kind="forget", category="rwku",
                attack="manyshot", query=_many_shot(shots, item["query"].strip()), gold=str(item["answer"]),
                targets=(p.target.id,), source="rwku",
            ))  # fmt: skip
        rwku.append(probes)
    for a in authors:
        probes = []
        for i, item in _shuffled(a.qa, rng):
            pool = [(x["question"].strip(), x["answer"].strip()) for j, x in a.qa if j != i]
            extra = [(x["paraphrased_question"].strip(), x.get("paraphrased_answer", x["answer"]).strip())
                     for j, x in a.qa if j != i and x.get("paraphrased_question")]  # fmt: skip
            r = _rng(config.seed, f"manyshot/{split}/{i}")
            shots = (_shuffled(pool, r) + _shuffled(extra, r))[:n_shots]
            r.shuffle(shots)
            probes.append(Probe(
                id=f"manyshot/tofu/{split}/{i}", suite="manyshot", kind="forget", category="tofu",
                attack="manyshot", query=_many_shot(shots, item["question"].strip()), gold=item["answer"].strip(),
                targets=(a.target.id,), source="tofu",
            ))  # fmt: skip
        tofu.append(probes)
    sources = [_round_robin(rwku, sum(map(len, rwku))), _round_robin(tofu, sum(map(len, tofu)))]
    return _round_robin(sources, config.count("attacks", "manyshot"))


def _injection(people: list[_Person], authors: list[_Author], split: str, config: SuiteConfig) -> list[Probe]:
    rng = _rng(config.seed, "injection")
    kinds = len(templates.INJECTIONS)
    rwku, tofu = [], []
    for n, p in enumerate(people):
        rwku.append([Probe(
            id=f"injection/rwku/{p.folder}/l2/{i}/{(n + m) % kinds}", suite="injection", kind="forget",
            category=f"rwku template {(n + m) % kinds}", attack="injection",
            query=templates.INJECTIONS[(n + m) % kinds].format(question=x["query"].strip()), gold=str(x["answer"]),
            targets=(p.target.id,), source="rwku",
        ) for m, (i, x) in enumerate(_shuffled(enumerate(p.l2), rng))])  # fmt: skip
    for n, a in enumerate(authors):
        tofu.append([Probe(
            id=f"injection/tofu/{split}/{i}/{(n + m) % kinds}", suite="injection", kind="forget",
            category=f"tofu template {(n + m) % kinds}", attack="injection",
            query=templates.INJECTIONS[(n + m) % kinds].format(question=x["question"].strip()),
            gold=x["answer"].strip(), targets=(a.target.id,),
            context=a.facts(i, x["question"], config.count("tofu", "context_facts")), source="tofu",
        ) for m, (i, x) in enumerate(_shuffled(a.qa, rng))])  # fmt: skip
    sources = [_round_robin(rwku, sum(map(len, rwku))), _round_robin(tofu, sum(map(len, tofu)))]
    return _round_robin(sources, config.count("attacks", "injection"))


def _masking(people: list[_Person], authors: list[_Author], split: str, config: SuiteConfig) -> list[Probe]:
    rng = _rng(config.seed, "masking")
    rwku = [_shuffled(_masked_rwku(p), rng) for p in people]
    tofu = [_masked_tofu(a, split, rng, config.count("tofu", "context_facts")) for a in authors]
    sources = [_round_robin(rwku, sum(map(len, rwku))), _round_robin(tofu, sum(map(len, tofu)))]
    return _round_robin(sources, config.count("attacks", "masking"))


# -- the whole benchmark ---------------------------------------------------------------


ExtraSuite = Callable[[Path, SuiteConfig], tuple[list[Target], list[Probe]]]
"""A suite built in its own module (wmdp, wpu: see :mod:`.benchmark`): its targets and probes."""


def build_benchmark(data_dir: str | Path, config: SuiteConfig, extra_suites: Sequence[ExtraSuite] = ()) -> Benchmark:
    """Targets and probes of every suite, from ``data_dir`` (raises :class:`DataError`).
    ``extra_suites``: builders of suites kept in their own modules (they import this one),
    run after the person suites; :func:`alu.evaluation.build_benchmark` passes them."""
    root = Path(data_dir)
    if not (root / "rwku").is_dir() or not (root / "tofu").is_dir():
        raise DataError(
            f"no benchmark data at {root.resolve()} (expected rwku/ and tofu/ inside): pass --data DIR or set ALU_DATA"
        )
    people, rwku_probes = _rwku(root / "rwku", config)
    split = config.tofu.get("split", "forget01")
    authors, tofu_probes = _tofu(root / "tofu", config)
    extra_targets: list[Target] = []
    extra_probes: list[Probe] = []
    for build in extra_suites:
        more_targets, more_probes = build(root, config)
        extra_targets += more_targets
        extra_probes += more_probes
    probes = [
        *rwku_probes,
        *tofu_probes,
        *_masking(people, authors, split, config),
        *_crosslingual(people, authors, split, config),
        *_manyshot(people, authors, split, config),
        *_injection(people, authors, split, config),
        *extra_probes,
    ]
    ids = [p.id for p in probes]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise DataError(f"duplicate probe ids {dupes[:5]}: the data has repeated entries")
    targets = [p.target for p in people] + [a.target for a in authors] + extra_targets
    seen: dict[str, Target] = {}
    for t in targets:
        if t.id in seen:
            raise DataError(f"two targets share the id {t.id!r} ({seen[t.id].name!r}, {t.name!r})")
        seen[t.id] = t
    return Benchmark(targets=targets, probes=probes, related={a.target.id: a.related for a in authors})
