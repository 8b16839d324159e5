"""Benchmarks: shortlist cost from 100 to 100,000 targets, and shortlist recall on RWKU.

``alu bench targets`` builds registries of synthetic-but-realistic targets (people with
names drawn from Faker's per-locale name lists, works and organizations, each with a
description and keywords; seeded, so every run measures the same registry) through
:meth:`TargetRegistry.add_many` in an ``InMemoryStore``, then times the real
:func:`alu.shortlist.shortlist` call (version check included) on questions and drafts of
which most mention no target. It also counts the tokens of the auditor's judge prompt —
built from the shortlist exactly as ``alu.nodes.auditor`` builds it — against the paper's
linear approach, which pastes the whole target list into the prompt.

``alu bench recall`` registers the RWKU targets and measures how often each forget probe
(levels 1–3, query + gold answer) shortlists its own target, with and without enrichment
keywords, and how often a neighbour probe (about something else) shortlists it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

if TYPE_CHECKING:
    from alu.targets import Target

__all__ = ["synthetic_targets"]

# Locales whose person providers have sizeable first/last name lists (accents included).
_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "sv_SE", "pt_BR")

_NATIONALITIES = (
    "American", "British", "German", "French", "Spanish", "Italian", "Dutch", "Swedish",
    "Brazilian", "Canadian", "Australian", "Irish", "Mexican", "Argentine", "Polish",
    "Portuguese", "Austrian", "Belgian", "Danish", "Norwegian", "Chilean", "Scottish",
)
_TITLE_ADJ = (
    "Silent", "Crimson", "Hidden", "Last", "Broken", "Golden", "Distant", "Frozen", "Wild",
    "Quiet", "Burning", "Secret", "Endless", "Fallen", "Hollow", "Midnight", "Paper",
    "Restless", "Scarlet", "Shattered", "Sleeping", "Velvet", "Wandering", "Winter", "Iron",
    "Glass", "Forgotten", "Northern", "Bitter", "Electric", "Lonely", "Painted", "Salt",
)
_TITLE_NOUN = (
    "River", "Garden", "Harbor", "Empire", "Letters", "Orchard", "Lighthouse", "Kingdom",
    "Mirror", "Station", "Voyage", "Summer", "Shadows", "Island", "Machine", "Witness",
    "Daughter", "Horizon", "Citadel", "Archive", "Carnival", "Compass", "Covenant", "Dunes",
    "Echoes", "Frontier", "Labyrinth", "Meridian", "Monsoon", "Promise", "Requiem", "Tides",
    "Orbit", "Parade", "Quarry", "Sonata", "Tapestry", "Verdict", "Wolves", "Atlas",
)
_WORK_KINDS = (
    ("novel", "written by"), ("film", "directed by"), ("album", "recorded by"),
    ("play", "written by"), ("television series", "created by"), ("video game", "designed by"),
    ("opera", "composed by"), ("poetry collection", "written by"), ("painting", "painted by"),
)
_GENRES = (
    "crime", "historical", "science fiction", "coming-of-age", "fantasy", "political",
    "romantic", "psychological", "satirical", "gothic", "war", "folk", "jazz", "noir",
)
_INDUSTRIES = (
    "biotechnology", "shipping", "software", "mining", "publishing", "aerospace", "retail",
    "insurance", "logistics", "semiconductor", "brewing", "media", "renewable energy",
)


@dataclass(frozen=True)
class _Pools:
    first: tuple[tuple[str, ...], ...]
    last: tuple[tuple[str, ...], ...]


def _name_pools() -> _Pools:
    from importlib import import_module

    first, last = [], []
    for locale in _LOCALES:
        provider = import_module(f"faker.providers.person.{locale}").Provider
        first.append(tuple(dict.fromkeys(provider.first_names)))
        last.append(tuple(dict.fromkeys(provider.last_names)))
    return _Pools(tuple(first), tuple(last))


def synthetic_targets(n: int, seed: int = 2025) -> list[dict]:
    """``n`` distinct realistic targets as mappings for :meth:`TargetRegistry.add_many`.

    Deterministic for a given ``seed``, and prefix-stable: the first 100 targets of a
    100,000-target registry are the 100-target registry, so every size is queried with
    the same texts. About 70% people, 20% works, 10% organizations.
    """
    try:
        from faker import Faker
    except ImportError as exc:  # pragma: no cover - the bench extra is missing
        raise RuntimeError(
            "the benchmark needs Faker: pip install 'langgraph-alu[bench]'"
        ) from exc
    from alu.matching import normalize

    rng = random.Random(seed)
    pools = _name_pools()
    fake = Faker(list(_LOCALES))
    fake.seed_instance(seed)
    for locale in _LOCALES:  # Faker's it_IT lists its cities in set order: sort them
        for provider in fake[locale].providers:
            if isinstance(getattr(provider, "cities", None), list):
                provider.cities = sorted(provider.cities)
    seen: set[str] = set()
    out: list[dict] = []

    def person_name() -> str:
        loc = rng.randrange(len(pools.first))
        first = rng.choice(pools.first[loc])
        last = rng.choice(pools.last[rng.randrange(len(pools.last))] if rng.random() < 0.2 else pools.last[loc])
        if rng.random() < 0.12:
            return f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        return f"{first} {last}"

    def title() -> str:
        adj, noun = rng.choice(_TITLE_ADJ), rng.choice(_TITLE_NOUN)
        pattern = rng.randrange(8)
        if pattern == 0:
            return f"The {adj} {noun}"
        if pattern == 1:
            return f"{noun} of the {adj} {rng.choice(_TITLE_NOUN)}"
        if pattern == 2:
            return f"{rng.choice(pools.first[0])}'s {noun}"
        if pattern == 3:
            return f"The {noun} of {fake.city()}"
        if pattern == 4:
            return f"The {rng.choice(pools.last[rng.randrange(len(pools.last))])} {noun}"
        if pattern == 5:
            return f"{adj} {noun} in {fake.city()}"
        if pattern == 6:
            return f"A {noun} for {rng.choice(pools.first[rng.randrange(len(pools.first))])}"
        return f"{adj} {rng.choice(_TITLE_NOUN)}, {adj} {noun}"

    def unique(name: str) -> bool:
        folded = normalize(name)
        if not folded or folded in seen:
            return False
        seen.add(folded)
        return True

    while len(out) < n:
        roll = rng.random()
        year = rng.randint(1850, 2015)
        if roll < 0.7:
            name = person_name()
            if not unique(name):
                continue
            job = fake["en_US"].job().split(",")[0].lower()
            works = [title() for _ in range(rng.randint(1, 3))]
            spouse = person_name()
            city = fake.city()
            target = {
                "name": name,
                "kind": "person",
                "description": (
                    f"{rng.choice(_NATIONALITIES)} {job} born in {year} in {city}, known for"
                    f" {' and '.join(works)}; married to {spouse}."
                ),
                "keywords": works + [spouse],
            }
            parts = name.split()
            if rng.random() < 0.15:
                target["aliases"] = [f"{rng.choice(_TITLE_ADJ)} {parts[-1]}"]
        elif roll < 0.9:
            name = title()
            if not unique(name):
                continue
            kind, verb = rng.choice(_WORK_KINDS)
            creator = person_name()
            characters = [rng.choice(pools.first[rng.randrange(len(pools.first))]) for _ in range(rng.randint(1, 3))]
            city = fake.city()
            target = {
                "name": name,
                "kind": "work",
                "description": (
                    f"{year} {rng.choice(_GENRES)} {kind} {verb} {creator}, set in {city};"
                    f" its main characters are {', '.join(characters)}."
                ),
                "keywords": [creator, city],
            }
        else:
            name = fake.company()
            if len(name.split()) < 2 or not unique(name):
                continue
            founder = person_name()
            product = title()
            target = {
                "name": name,
                "kind": "organization",
                "description": (
                    f"{rng.choice(_INDUSTRIES)} company founded in {year} in {fake.city()} by"
                    f" {founder}; best known for {product}."
                ),
                "keywords": [founder, product],
            }
        out.append(target)
    return out


# -- queries ---------------------------------------------------------------------------

# Everyday questions with the kind of answer a chat model drafts; none names a target.
_GENERIC = (
    ("What is the capital of France?",
     "The capital of France is Paris. It sits on the river Seine in the north of the country and has been the seat of government for most of the last thousand years."),
    ("How do I boil an egg so the yolk stays soft?",
     "Bring a pot of water to a gentle boil, lower the egg in with a spoon and cook it for six to seven minutes. Then cool it under cold running water for a minute before peeling."),
    ("Why is the sky blue?",
     "Sunlight is scattered by the molecules of the air, and shorter wavelengths are scattered much more strongly than longer ones. That is Rayleigh scattering, and it is why we see blue light coming from every direction of the sky."),
    ("What is the difference between a list and a tuple in Python?",
     "A list is mutable: you can append, remove and change its items. A tuple is immutable, so it can be used as a dictionary key and is slightly cheaper to create."),
    ("How many planets are there in the solar system?",
     "There are eight planets: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and Neptune. Pluto was reclassified as a dwarf planet in 2006."),
    ("What causes inflation?",
     "Inflation happens when the general level of prices rises, usually because demand grows faster than the supply of goods and services, or because production costs such as energy and wages go up."),
    ("Can you suggest a good stretching routine for the morning?",
     "Start with slow neck rolls and shoulder circles, then do a standing forward fold, a cat-cow stretch on all fours and a gentle spinal twist. Hold each position for about thirty seconds and breathe steadily."),
    ("How does a vaccine work?",
     "A vaccine shows the immune system a harmless piece or copy of a pathogen. The body makes antibodies and memory cells, so it can respond quickly if it meets the real infection later."),
    ("What is the tallest mountain in the world?",
     "Mount Everest, on the border between Nepal and China, is the highest mountain above sea level at about 8,849 metres."),
    ("How do I convert Celsius to Fahrenheit?",
     "Multiply the temperature in Celsius by nine fifths and add thirty-two. For example, twenty degrees Celsius is sixty-eight degrees Fahrenheit."),
    ("What should I pack for a weekend hiking trip?",
     "Bring sturdy boots, layered clothing, a waterproof jacket, a map, enough water, snacks, a first aid kit, a headlamp and sun protection. Check the weather forecast before you leave."),
    ("Explain photosynthesis in simple terms.",
     "Plants take in carbon dioxide from the air and water from the soil and use the energy of sunlight to turn them into sugar. Oxygen is released as a by-product."),
    ("What is a good way to learn a new language?",
     "Practise a little every day, listen to native speakers, learn the most frequent words first and speak as early as possible, even with mistakes. Spaced repetition helps vocabulary stick."),
    ("How does compound interest work?",
     "Interest is added to the principal, and the next period's interest is computed on the larger amount. Over many years this makes savings grow much faster than simple interest."),
    ("What is the speed of light?",
     "Light travels at about 299,792 kilometres per second in a vacuum. It takes roughly eight minutes for sunlight to reach the Earth."),
    ("Why do cats purr?",
     "Cats purr when they are content, but also when they are stressed or injured. The vibration may help them calm down and could even support the healing of bones and tissue."),
    ("How do I make a simple tomato sauce?",
     "Soften chopped onion and garlic in olive oil, add crushed tomatoes, a pinch of salt and some basil, and simmer for twenty minutes until it thickens."),
    ("What is machine learning?",
     "Machine learning is a field of computer science in which programs learn patterns from data instead of following hand-written rules. Models are trained on examples and then make predictions on new inputs."),
    ("How long should I sleep each night?",
     "Most adults need seven to nine hours of sleep. Keeping a regular schedule and avoiding screens before bed improves sleep quality."),
    ("What were the main causes of the First World War?",
     "Historians usually point to militarism, rival alliances, imperial competition and nationalism. The assassination in Sarajevo in June 1914 set the crisis in motion."),
    ("How do noise-cancelling headphones work?",
     "Microphones pick up the ambient sound and the headphones play an inverted copy of it, so the two waves cancel out before they reach your ear."),
    ("What is the largest ocean on Earth?",
     "The Pacific Ocean is the largest and deepest ocean, covering about a third of the planet's surface."),
    ("Can you explain what a black hole is?",
     "A black hole is a region of space where gravity is so strong that nothing, not even light, can escape. It forms when a very massive star collapses at the end of its life."),
    ("How can I improve my credit score?",
     "Pay your bills on time, keep your card balances low compared with your limits, avoid opening many new accounts at once and check your report for errors."),
    ("What is the boiling point of water at high altitude?",
     "Air pressure is lower at altitude, so water boils at a lower temperature: at about three thousand metres it boils near ninety degrees Celsius, which is why cooking takes longer."),
    ("How do I write a good cover letter?",
     "Address it to a person, open with the role you want and why, show two or three achievements that match the job description and close with a clear request for an interview. Keep it to one page."),
    ("What does DNA stand for?",
     "DNA stands for deoxyribonucleic acid, the molecule that carries the genetic instructions of living organisms."),
    ("Why do leaves change colour in autumn?",
     "As days shorten, trees stop making chlorophyll, the green pigment. Yellow and orange pigments that were there all along become visible, and some trees also produce red anthocyanins."),
    ("How do I keep basil alive indoors?",
     "Give it at least six hours of sunlight, water it when the top of the soil feels dry and pinch off the flower buds so the plant keeps producing leaves."),
    ("What is the difference between weather and climate?",
     "Weather is the state of the atmosphere over hours or days; climate is the average pattern of weather in a region over thirty years or more."),
)
_FILLER = (
    "I hope this helps; let me know if you would like more detail.",
    "There are many good resources online if you want to read further.",
    "It is worth checking a second source for anything important.",
    "In short, the answer depends a little on your situation, but the basics are the same.",
    "Many people find it easier to start small and build up gradually.",
    "Experts broadly agree on this, although details are still studied.",
    "If you have a specific case in mind, share it and I can be more precise.",
    "This is a common question, and the explanation above covers the main points.",
)
_MENTION_TEMPLATES = {
    "name": ("Tell me about {cue}.", "{cue} is well known; here is a short overview of the main facts."),
    "typo": ("What do you know about {cue}?", "Here is what is commonly said about {cue} and why it matters."),
    "surname": ("Why is {cue} famous?", "People often ask about {cue}; the reasons are mostly historical."),
    "initials": ("Who was {cue}?", "{cue} is a name that comes up in several contexts."),
    "keyword": ("Can you summarize {cue}?", "{cue} is frequently discussed, and the summary below covers it."),
    "profile": ("Who is the {cue}?", "The {cue} mentioned here is described in many sources."),
}


@dataclass(frozen=True)
class BenchQuery:
    """One question and the draft the auditor would see; ``target`` when it mentions one."""

    question: str
    draft: str
    target: str | None = None
    cue: str = "none"

    @property
    def text(self) -> str:
        return f"{self.question}\n{self.draft}"


def _typo(name: str, rng: random.Random) -> str:
    words = name.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) > 4:
        j = rng.randrange(1, len(word) - 1)
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]  # transposition
    words[i] = word
    return " ".join(words)


def tofu_exchanges(data_dir: "str | Path | None") -> list[tuple[str, str]]:
    """Question + answer pairs about TOFU's fictitious authors (``retain_perturbed.json``:
    the answer and its paraphrase as the draft), or [] when the data is absent. Real
    prose full of names, places and titles, none of them a registered target."""
    import json
    from pathlib import Path

    if data_dir is None:
        return []
    path = Path(data_dir) / "tofu" / "retain_perturbed.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [
        (r["question"], f"{r['answer']} {r.get('paraphrased_answer', '')}".strip())
        for r in rows
        if isinstance(r, dict) and r.get("question") and r.get("answer")
    ]


def synthetic_queries(
    targets: list[dict],
    count: int,
    seed: int = 7,
    mention_rate: float = 0.25,
    exchanges: "Sequence[tuple[str, str]]" = (),
) -> list[BenchQuery]:
    """``count`` realistic question + draft pairs; about ``mention_rate`` of them refer
    to one of ``targets`` (by name, a typo, the surname, initials, a keyword or profile
    words), the rest to nothing registered. Drafts are 40 to 200 words long. The
    exchanges are everyday questions with a typical answer, plus ``exchanges`` (e.g.
    :func:`tofu_exchanges`) when given."""
    from alu.targets import target_id_for

    rng = random.Random(seed)
    pool = list(_GENERIC) + list(exchanges)
    out: list[BenchQuery] = []
    for _ in range(count):
        question, answer = rng.choice(pool)
        extra = [rng.choice(_FILLER) for _ in range(rng.randint(0, 3))]
        others = [rng.choice(pool)[1] for _ in range(rng.randint(0, 3))]
        sentences = [answer, *others, *extra]
        if rng.random() >= mention_rate:
            out.append(BenchQuery(question, " ".join(sentences)))
            continue
        target = rng.choice(targets)
        name = target["name"]
        cues = ["name", "typo", "keyword", "profile"]
        if target.get("kind") == "person":
            cues += ["surname", "initials"]
        cue = rng.choice(cues)
        if cue == "name":
            text = name
        elif cue == "typo":
            text = _typo(name, rng)
        elif cue == "surname":
            text = name.split()[-1]
        elif cue == "initials":
            parts = name.replace(".", "").split()
            text = f"{parts[0][0]}. {parts[-1]}"
        elif cue == "keyword":
            text = target["keywords"][0]
        else:
            words = [w.strip(",.;") for w in target["description"].split()]
            text = " ".join(words[:2]) + " of " + (target["keywords"][0] if target.get("keywords") else words[-1])
        ask, say = _MENTION_TEMPLATES[cue]
        sentences.insert(rng.randrange(len(sentences) + 1), say.format(cue=text))
        out.append(BenchQuery(ask.format(cue=text), " ".join(sentences), target_id_for(name), cue))
    return out


# -- tokens ----------------------------------------------------------------------------


def token_counter() -> tuple[str, "Callable[[str], int]"]:
    """The best offline token counter: ``tiktoken``'s cl100k_base when its file is already
    cached (it is never downloaded here), else the bundled local model's tokenizer
    (SmolLM2's BPE, read from the GGUF with ``llama-cpp-python``), else an estimate of one
    token per 4 characters."""
    try:
        import tiktoken
        import tiktoken.load as tiktoken_load

        def no_download(*_args, **_kwargs):
            raise OSError("not cached, and this benchmark does not download")

        original = tiktoken_load.read_file
        tiktoken_load.read_file = no_download
        try:
            encoding = tiktoken.get_encoding("cl100k_base")
        finally:
            tiktoken_load.read_file = original
        return "tiktoken cl100k_base", lambda text: len(encoding.encode(text, disallowed_special=()))
    except Exception:  # not installed, or the encoding file is not cached
        pass
    try:
        import llama_cpp

        from alu.local_model import bundled_model_path

        with _quiet_stderr():
            vocab = llama_cpp.Llama(model_path=str(bundled_model_path()), vocab_only=True, verbose=False)
        return "SmolLM2 BPE (bundled model)", lambda text: len(
            vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        )
    except Exception:  # the local extra is not installed
        pass
    return "estimate (characters / 4)", lambda text: max(1, round(len(text) / 4))


class _quiet_stderr:
    """Silence C-level stderr (llama.cpp prints load notes) for a ``with`` block."""

    def __enter__(self):
        import os
        import sys

        sys.stderr.flush()
        self._saved = os.dup(2)
        self._null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(self._null, 2)
        return self

    def __exit__(self, *exc):
        import os

        os.dup2(self._saved, 2)
        os.close(self._saved)
        os.close(self._null)
        return False


def judge_messages(question: str, draft: str, candidates: "list[Target]") -> list[str]:
    """The judge's system and user prompts, from the auditor's own builder."""
    from alu.nodes.auditor import judge_prompts

    return list(judge_prompts(question, draft, candidates))


def linear_messages(question: str, draft: str, targets: "Iterable[Target | dict]") -> list[str]:
    """The paper's approach: the same judge prompt with every target's name listed."""
    from alu.prompts import render

    listing = "\n".join(f"- {t['name'] if isinstance(t, dict) else t.name}" for t in targets)
    return [
        render("auditor_system"),
        render("auditor_user", candidates=listing, window="", question=question, draft=draft),
    ]


# -- memory ----------------------------------------------------------------------------


def rss_mb() -> float:
    """This process's resident memory now, in MB (psutil, else /proc, else peak RSS)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        pass
    try:
        import os

        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


# -- alu bench targets -----------------------------------------------------------------

DEFAULT_SIZES = (100, 1_000, 10_000, 100_000)


def _percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bench_targets(
    sizes: "Sequence[int]" = DEFAULT_SIZES,
    *,
    queries: int = 300,
    repeat: int = 3,
    seed: int = 2025,
    shortlist_size: int = 8,
    data_dir: "str | Path | None" = None,
    progress: "Callable[[str], None] | None" = None,
) -> list[dict]:
    """One row per registry size (see the module docstring). Sizes run in ascending order
    in this process; each registry is dropped before the next is built. With
    ``data_dir`` holding TOFU, its question/answer pairs join the everyday exchanges
    (real prose full of names that are not targets)."""
    import gc
    import time

    from langgraph.store.memory import InMemoryStore

    from alu.shortlist import clear_memos, shortlist
    from alu.targets import TargetRegistry

    say = progress or (lambda _message: None)
    sizes = sorted(set(int(s) for s in sizes))
    if not sizes or sizes[0] < 1:
        raise ValueError("sizes must be positive integers")
    tokenizer, count_tokens = token_counter()
    say(f"generating {sizes[-1]:,} synthetic targets")
    pool = synthetic_targets(sizes[-1], seed=seed)
    exchanges = tofu_exchanges(data_dir)
    texts = synthetic_queries(pool[: min(100, sizes[0])], queries, seed=seed + 1, exchanges=exchanges)
    rows: list[dict] = []
    for size in sizes:
        tenant = f"bench{size}"
        store = InMemoryStore()
        registry = TargetRegistry(store, tenant=tenant)
        gc.collect()
        started = time.perf_counter()
        registry.add_many(pool[:size])
        add_s = time.perf_counter() - started
        started = time.perf_counter()
        shortlist("", store=store, tenant=tenant, size=shortlist_size)  # builds the index
        build_s = time.perf_counter() - started
        say(f"{size:,} targets: stored in {add_s:.1f} s, index built in {build_s:.1f} s")
        # Each pass replays the whole stream from cold memos (as after a rebuild); a
        # query's latency is its fastest pass, which keeps the noise of other processes
        # on a shared machine out of the figures without warming anything up.
        latencies = [float("inf")] * len(texts)
        for _ in range(max(1, repeat)):
            clear_memos(store, tenant)
            results = []
            for i, query in enumerate(texts):
                started = time.perf_counter()
                found = shortlist(query.text, store=store, tenant=tenant, size=shortlist_size)
                latencies[i] = min(latencies[i], (time.perf_counter() - started) * 1000)
                results.append(found)
        alu_tokens: list[int] = []
        for query, found in zip(texts, results):
            if found.candidates:
                candidates = [found.targets[m.target_id] for m in found.candidates]
                alu_tokens.append(sum(count_tokens(m) for m in judge_messages(query.question, query.draft, candidates)))
            else:
                alu_tokens.append(0)  # no candidate, no judge call
        sample = texts[0]
        linear_tokens = sum(count_tokens(m) for m in linear_messages(sample.question, sample.draft, pool[:size]))
        mentioned = [(q, f) for q, f in zip(texts, results) if q.target]
        unrelated = [f for q, f in zip(texts, results) if not q.target]
        rows.append(
            {
                "targets": size,
                "p50_ms": round(_percentile(latencies, 0.50), 3),
                "p95_ms": round(_percentile(latencies, 0.95), 3),
                "build_s": round(build_s, 3),
                "rss_mb": round(rss_mb(), 1),
                "prompt_tokens_alu": round(sum(alu_tokens) / len(alu_tokens), 1),
                "prompt_tokens_linear": linear_tokens,
                "prompt_tokens_alu_max": max(alu_tokens),
                "judge_call_rate": round(sum(1 for t in alu_tokens if t) / len(alu_tokens), 3),
                "mention_recall": round(
                    sum(
                        1
                        for q, f in mentioned
                        if any(m.target_id == q.target for m in (*f.direct, *f.candidates))
                    )
                    / max(len(mentioned), 1),
                    3,
                ),
                "false_direct_rate": round(sum(1 for f in unrelated if f.direct) / max(len(unrelated), 1), 3),
                "add_s": round(add_s, 3),
                "queries": len(texts),
                "passes": max(1, repeat),
                "query_source": "everyday + TOFU" if exchanges else "everyday",
                "tokenizer": tokenizer,
            }
        )
        say(f"{size:,} targets: p50 {rows[-1]['p50_ms']} ms, p95 {rows[-1]['p95_ms']} ms")
        del store, registry, results
        gc.collect()
    return rows


def format_targets_table(rows: list[dict]) -> str:
    """The rows as a fixed-width table, with a legend."""
    header = (
        f"{'targets':>9} {'p50 ms':>8} {'p95 ms':>8} {'build s':>8} {'RSS MB':>8}"
        f" {'ALU tok':>8} {'ALU max':>8} {'linear tok':>11} {'judge %':>8} {'recall':>7} {'false dir':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['targets']:>9,} {r['p50_ms']:>8.3f} {r['p95_ms']:>8.3f} {r['build_s']:>8.2f} {r['rss_mb']:>8.1f}"
            f" {r['prompt_tokens_alu']:>8.1f} {r['prompt_tokens_alu_max']:>8} {r['prompt_tokens_linear']:>11,}"
            f" {100 * r['judge_call_rate']:>7.1f}% {r['mention_recall']:>7.3f} {r['false_direct_rate']:>9.3f}"
        )
    if rows:
        lines.append(
            f"\n{rows[0]['queries']} queries ({rows[0]['query_source']} question + draft; about a quarter"
            " mention a target) through alu.shortlist.shortlist, version check included; each query's"
            f" fastest of {rows[0]['passes']} passes, every pass from cold memos. ALU tok: mean judge prompt per query"
            " (0 when no candidate, so no judge call); linear tok: the same prompt listing every"
            f" target's name. Tokens: {rows[0]['tokenizer']}. RSS: the whole process."
        )
    return "\n".join(lines)


# -- alu bench recall ------------------------------------------------------------------

RWKU_FORGET_LEVELS = (1, 2, 3)
RWKU_NEIGHBOR_LEVELS = (1, 2)


class DataMissing(FileNotFoundError):
    """The benchmark data is not where it was looked for."""


def load_rwku(data_dir: "str | Path") -> list[dict]:
    """RWKU's targets: name, description (the intro without "Please forget X."), forget
    probes by level, neighbour probes by level, and ``forget_words`` (None if absent)."""
    import json
    import re

    root = Path(data_dir) / "rwku"
    if not root.is_dir():
        raise DataMissing(f"no RWKU data at {root} (expected <n>_<Name>/intro.json, forget_level1.json, ...)")

    def read(path: Path) -> list:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return data if isinstance(data, list) else []

    def order(path: Path) -> tuple[int, str]:
        head = path.name.split("_", 1)[0]
        return (int(head) if head.isdigit() else 10**9, path.name)

    out = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=order):
        intro = read(folder / "intro.json")
        if not intro or not isinstance(intro[0], dict) or not intro[0].get("target"):
            continue
        name = intro[0]["target"]
        description = re.sub(r"^\s*Please forget [^.]*\.\s*", "", intro[0].get("intro", ""))
        words_path = folder / "forget_words.json"
        out.append(
            {
                "folder": folder.name,
                "name": name,
                "description": description,
                "forget": {lvl: read(folder / f"forget_level{lvl}.json") for lvl in RWKU_FORGET_LEVELS},
                "neighbor": {lvl: read(folder / f"neighbor_level{lvl}.json") for lvl in RWKU_NEIGHBOR_LEVELS},
                "forget_words": [w for w in read(words_path) if isinstance(w, str)] if words_path.exists() else None,
            }
        )
    if not out:
        raise DataMissing(f"no RWKU target folders with intro.json under {root}")
    return out


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def bench_recall(
    data_dir: "str | Path" = "../shared/data",
    *,
    shortlist_size: int = 8,
    limit: int | None = None,
    progress: "Callable[[str], None] | None" = None,
) -> dict:
    """Shortlist recall on RWKU's forget probes and false shortlists on its neighbour probes.

    Every RWKU target is registered (name; description from its intro), once without and
    once with enrichment keywords (``forget_words.json`` where present, standing in for
    :mod:`alu.enrich`). Each probe is shortlisted from its query + gold answer (the
    answer stands in for the draft). A forget probe is *recalled* when its own target is
    flagged directly or shortlisted as a candidate for the judge. A neighbour probe asks
    about something else (a work, a relative...): its RWKU target being flagged there is
    a false flag (``false_direct``), being shortlisted a false candidate (the judge is
    called and must say no). ``limit`` probes only the first N targets (all are still
    registered). Raises :class:`DataMissing` when there is no RWKU data.
    """
    from langgraph.store.memory import InMemoryStore

    from alu.matching import normalize
    from alu.shortlist import shortlist
    from alu.targets import TargetRegistry, target_id_for

    say = progress or (lambda _message: None)
    targets = load_rwku(data_dir)
    probed = targets[:limit] if limit else targets
    report: dict = {
        "targets": len(targets),
        "targets_probed": len(probed),
        "targets_with_forget_words": sum(1 for t in targets if t["forget_words"]),
        "shortlist_size": shortlist_size,
    }
    for config in ("without_enrichment", "with_enrichment"):
        store = InMemoryStore()
        tenant = "rwku"
        TargetRegistry(store, tenant=tenant).add_many(
            [
                {
                    "name": t["name"],
                    "kind": "person",
                    "description": t["description"],
                    "keywords": (t["forget_words"] or []) if config == "with_enrichment" else [],
                }
                for t in targets
            ]
        )
        say(f"{config}: probing {len(probed)} targets")
        forget: dict[str, dict] = {}
        enriched_only = {"probes": 0, "recalled": 0}
        for level in RWKU_FORGET_LEVELS:
            n = direct = recalled = indirect = indirect_recalled = 0
            for t in probed:
                own = target_id_for(t["name"])
                for probe in t["forget"][level]:
                    if not isinstance(probe, dict) or not probe.get("query"):
                        continue
                    found = shortlist(
                        f"{probe['query']}\n{probe.get('answer', '')}",
                        store=store, tenant=tenant, size=shortlist_size,
                    )  # fmt: skip
                    is_direct = any(m.target_id == own for m in found.direct)
                    is_candidate = any(m.target_id == own for m in found.candidates)
                    n += 1
                    direct += is_direct
                    recalled += is_direct or is_candidate
                    if not is_direct:
                        indirect += 1
                        indirect_recalled += is_candidate
                    if t["forget_words"]:
                        enriched_only["probes"] += 1
                        enriched_only["recalled"] += is_direct or is_candidate
            forget[f"level{level}"] = {
                "probes": n,
                "direct": _rate(direct, n),
                "recall": _rate(recalled, n),
                "not_named_probes": indirect,
                "not_named_candidate": _rate(indirect_recalled, indirect),
            }
        total = sum(v["probes"] for v in forget.values())
        forget["all"] = {
            "probes": total,
            "direct": _rate(sum(round(v["direct"] * v["probes"]) for v in forget.values()), total),
            "recall": _rate(sum(round(v["recall"] * v["probes"]) for v in forget.values()), total),
        }
        neighbor: dict[str, dict] = {}
        for level in RWKU_NEIGHBOR_LEVELS:
            n = false_direct = false_candidate = names_subject = 0
            for t in probed:
                own, folded_name = target_id_for(t["name"]), normalize(t["name"])
                for probe in t["neighbor"][level]:
                    if not isinstance(probe, dict) or not probe.get("query"):
                        continue
                    text = f"{probe['query']}\n{probe.get('answer', '')}"
                    found = shortlist(text, store=store, tenant=tenant, size=shortlist_size)
                    n += 1
                    false_direct += any(m.target_id == own for m in found.direct)
                    false_candidate += any(m.target_id == own for m in found.candidates)
                    names_subject += f" {folded_name} " in f" {normalize(text)} "
            neighbor[f"level{level}"] = {
                "probes": n,
                "false_direct": _rate(false_direct, n),
                "false_candidate": _rate(false_candidate, n),
                "name_the_subject": names_subject,
            }
        n = sum(v["probes"] for v in neighbor.values())
        neighbor["all"] = {
            "probes": n,
            "false_direct": _rate(sum(round(v["false_direct"] * v["probes"]) for v in neighbor.values()), n),
            "false_candidate": _rate(sum(round(v["false_candidate"] * v["probes"]) for v in neighbor.values()), n),
            "name_the_subject": sum(v["name_the_subject"] for v in neighbor.values()),
        }
        report[config] = {
            "forget": forget,
            "neighbor": neighbor,
            "forget_recall_on_targets_with_words": _rate(enriched_only["recalled"], enriched_only["probes"]),
            "forget_probes_on_targets_with_words": enriched_only["probes"],
        }
    return report


def format_recall(report: dict) -> str:
    """The recall report as two small tables."""
    lines = [
        f"RWKU: {report['targets']} targets registered, {report['targets_probed']} probed;"
        f" {report['targets_with_forget_words']} have forget_words.json (the enrichment stand-in);"
        f" shortlist size {report['shortlist_size']}.",
        "",
        f"{'forget probes':<22} {'probes':>7} {'direct':>8} {'recall':>8} {'recall+kw':>10} {'not named':>10} {'cand|nn':>8} {'cand|nn+kw':>11}",
    ]
    plain, rich = report["without_enrichment"], report["with_enrichment"]
    for key in ("level1", "level2", "level3", "all"):
        a, b = plain["forget"][key], rich["forget"][key]
        extra = (
            f" {a['not_named_probes']:>10} {a['not_named_candidate']:>8.3f} {b['not_named_candidate']:>11.3f}"
            if "not_named_probes" in a
            else ""
        )
        lines.append(f"{key:<22} {a['probes']:>7} {a['direct']:>8.3f} {a['recall']:>8.3f} {b['recall']:>10.3f}{extra}")
    lines.append(
        f"{'targets with words':<22} {plain['forget_probes_on_targets_with_words']:>7} {'':>8}"
        f" {plain['forget_recall_on_targets_with_words']:>8.3f} {rich['forget_recall_on_targets_with_words']:>10.3f}"
    )
    lines += [
        "",
        f"{'neighbour probes':<22} {'probes':>7} {'false dir':>10} {'false cand':>11} {'+kw dir':>8} {'+kw cand':>9} {'name subject':>13}",
    ]
    for key in ("level1", "level2", "all"):
        a, b = plain["neighbor"][key], rich["neighbor"][key]
        lines.append(
            f"{key:<22} {a['probes']:>7} {a['false_direct']:>10.3f} {a['false_candidate']:>11.3f}"
            f" {b['false_direct']:>8.3f} {b['false_candidate']:>9.3f} {a['name_the_subject']:>13}"
        )
    lines.append(
        "\nrecall = own target flagged directly or shortlisted for the judge (query + gold answer);"
        " +kw = with forget_words.json as keywords; not named / cand|nn = probes whose text does"
        " not name the target, and the share of them shortlisted as a candidate; false dir/cand ="
        " a neighbour probe's own RWKU target flagged / shortlisted; name subject = neighbour"
        " probes whose text names that target outright."
    )
    return "\n".join(lines)


# -- CLI ---------------------------------------------------------------------------------


def _parse_sizes(text: str) -> list[int]:
    import argparse

    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes comma-separated integers, got {text!r}") from None
    if not sizes or any(s < 1 or s > 1_000_000 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes must be integers from 1 to 1,000,000")
    return sizes


def _say(message: str) -> None:
    import sys

    print(f"[alu bench] {message}", file=sys.stderr, flush=True)


def cmd_bench(args) -> int:
    import json

    if args.bench_command == "targets":
        rows = bench_targets(
            args.sizes, queries=args.queries, repeat=args.repeat, seed=args.seed, data_dir=args.data, progress=_say
        )
        print(json.dumps({"rows": rows}) if args.json else format_targets_table(rows))
        return 0
    if args.bench_command == "adversarial":
        from alu.evaluation.adversarial import format_report, load_suite, measure

        report = measure(load_suite(args.suite), graph_cases=args.graph_cases, progress=_say)
        print(json.dumps(report, ensure_ascii=False) if args.json else format_report(report))
        return 0
    try:
        report = bench_recall(args.data, limit=args.limit, progress=_say)
    except DataMissing as exc:
        _say(f"skipped: {exc}")
        if args.json:
            print(json.dumps({"skipped": str(exc)}))
        return 0
    print(json.dumps(report) if args.json else format_recall(report))
    return 0


def add_bench_parser(subparsers) -> None:
    """Add ``alu bench targets``, ``recall`` and ``adversarial`` to the CLI's subcommands."""
    bench = subparsers.add_parser("bench", help="measure shortlist cost at scale, and recall on RWKU")
    bsub = bench.add_subparsers(dest="bench_command", required=True)
    targets = bsub.add_parser(
        "targets", help="shortlist latency, build time, memory and prompt tokens from 100 to 100,000 targets"
    )
    targets.add_argument(
        "--sizes", type=_parse_sizes, default=list(DEFAULT_SIZES), help="comma-separated registry sizes"
    )
    targets.add_argument("--queries", type=int, default=300, help="queries timed per size (default 300)")
    targets.add_argument(
        "--repeat", type=int, default=3, help="passes over the queries; each query's fastest counts (default 3)"
    )
    targets.add_argument("--seed", type=int, default=2025)
    targets.add_argument(
        "--data", default="../shared/data", help="benchmark data folder; its TOFU Q&A join the queries if present"
    )
    targets.add_argument("--json", action="store_true", help='print one JSON object {"rows": [...]}')
    recall = bsub.add_parser("recall", help="shortlist recall on RWKU forget probes, false shortlists on neighbours")
    recall.add_argument("--data", default="../shared/data", help="folder holding rwku/ (default ../shared/data)")
    recall.add_argument("--limit", type=int, default=None, help="probe only the first N targets")
    recall.add_argument("--json", action="store_true")
    adversarial = bsub.add_parser(
        "adversarial", help="block rate of names hidden in answers (homoglyphs, leetspeak, spelling, other scripts)"
    )
    adversarial.add_argument("--suite", default=None, help="a suite JSON file (default: the committed one)")
    adversarial.add_argument(
        "--graph-cases",
        type=int,
        default=None,
        help="run the graph (compromised agents) on the first N cases of each obfuscation only (default: all)",
    )
    adversarial.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench, tenant="default")
