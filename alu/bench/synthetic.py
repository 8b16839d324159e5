"""Synthetic-but-realistic targets: people with names drawn from Faker's per-locale name
lists, works and organizations, each with a description and keywords; seeded."""

from __future__ import annotations

import random
from dataclasses import dataclass
from importlib import import_module

from alu.domain import ordinary_word_reason
from alu.text import normalize

__all__ = ["synthetic_targets"]

# Locales whose person providers have sizeable first/last name lists (accents included).
_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "sv_SE", "pt_BR")

_NATIONALITIES = (
    "American",
    "British",
    "German",
    "French",
    "Spanish",
    "Italian",
    "Dutch",
    "Swedish",
    "Brazilian",
    "Canadian",
    "Australian",
    "Irish",
    "Mexican",
    "Argentine",
    "Polish",
    "Portuguese",
    "Austrian",
    "Belgian",
    "Danish",
    "Norwegian",
    "Chilean",
    "Scottish",
)
_TITLE_ADJ = (
    "Silent",
    "Crimson",
    "Hidden",
    "Last",
    "Broken",
    "Golden",
    "Distant",
    "Frozen",
    "Wild",
    "Quiet",
    "Burning",
    "Secret",
    "Endless",
    "Fallen",
    "Hollow",
    "Midnight",
    "Paper",
    "Restless",
    "Scarlet",
    "Shattered",
    "Sleeping",
    "Velvet",
    "Wandering",
    "Winter",
    "Iron",
    "Glass",
    "Forgotten",
    "Northern",
    "Bitter",
    "Electric",
    "Lonely",
    "Painted",
    "Salt",
)
_TITLE_NOUN = (
    "River",
    "Garden",
    "Harbor",
    "Empire",
    "Letters",
    "Orchard",
    "Lighthouse",
    "Kingdom",
    "Mirror",
    "Station",
    "Voyage",
    "Summer",
    "Shadows",
    "Island",
    "Machine",
    "Witness",
    "Daughter",
    "Horizon",
    "Citadel",
    "Archive",
    "Carnival",
    "Compass",
    "Covenant",
    "Dunes",
    "Echoes",
    "Frontier",
    "Labyrinth",
    "Meridian",
    "Monsoon",
    "Promise",
    "Requiem",
    "Tides",
    "Orbit",
    "Parade",
    "Quarry",
    "Sonata",
    "Tapestry",
    "Verdict",
    "Wolves",
    "Atlas",
)
_WORK_KINDS = (
    ("novel", "written by"),
    ("film", "directed by"),
    ("album", "recorded by"),
    ("play", "written by"),
    ("television series", "created by"),
    ("video game", "designed by"),
    ("opera", "composed by"),
    ("poetry collection", "written by"),
    ("painting", "painted by"),
)
_GENRES = (
    "crime",
    "historical",
    "science fiction",
    "coming-of-age",
    "fantasy",
    "political",
    "romantic",
    "psychological",
    "satirical",
    "gothic",
    "war",
    "folk",
    "jazz",
    "noir",
)
_INDUSTRIES = (
    "biotechnology",
    "shipping",
    "software",
    "mining",
    "publishing",
    "aerospace",
    "retail",
    "insurance",
    "logistics",
    "semiconductor",
    "brewing",
    "media",
    "renewable energy",
)


@dataclass(frozen=True)
class _Pools:
    first: tuple[tuple[str, ...], ...]
    last: tuple[tuple[str, ...], ...]


def _name_pools() -> _Pools:
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
        raise RuntimeError("the benchmark needs Faker: pip install 'langgraph-alu[bench]'") from exc
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
        if not folded or folded in seen or ordinary_word_reason(name) is not None:  # refused at registration
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
