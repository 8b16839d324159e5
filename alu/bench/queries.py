"""The benchmark's queries: everyday questions with a typical answer as the draft
(plus TOFU's when present), a quarter of them mentioning a target one way or another."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alu.domain import target_id_for

__all__ = ["OTHER_SCRIPT_EXCHANGES", "BenchQuery", "synthetic_queries", "tofu_exchanges"]

# Everyday questions with the kind of answer a chat model drafts; none names a target.
_GENERIC = (
    (
        "What is the capital of France?",
        "The capital of France is Paris. It sits on the river Seine in the north of the country and has been the seat of government for most of the last thousand years.",
    ),
    (
        "How do I boil an egg so the yolk stays soft?",
        "Bring a pot of water to a gentle boil, lower the egg in with a spoon and cook it for six to seven minutes. Then cool it under cold running water for a minute before peeling.",
    ),
    (
        "Why is the sky blue?",
        "Sunlight is scattered by the molecules of the air, and shorter wavelengths are scattered much more strongly than longer ones. That is Rayleigh scattering, and it is why we see blue light coming from every direction of the sky.",
    ),
    (
        "What is the difference between a list and a tuple in Python?",
        "A list is mutable: you can append, remove and change its items. A tuple is immutable, so it can be used as a dictionary key and is slightly cheaper to create.",
    ),
    (
        "How many planets are there in the solar system?",
        "There are eight planets: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and Neptune. Pluto was reclassified as a dwarf planet in 2006.",
    ),
    (
        "What causes inflation?",
        "Inflation happens when the general level of prices rises, usually because demand grows faster than the supply of goods and services, or because production costs such as energy and wages go up.",
    ),
    (
        "Can you suggest a good stretching routine for the morning?",
        "Start with slow neck rolls and shoulder circles, then do a standing forward fold, a cat-cow stretch on all fours and a gentle spinal twist. Hold each position for about thirty seconds and breathe steadily.",
    ),
    (
        "How does a vaccine work?",
        "A vaccine shows the immune system a harmless piece or copy of a pathogen. The body makes antibodies and memory cells, so it can respond quickly if it meets the real infection later.",
    ),
    (
        "What is the tallest mountain in the world?",
        "Mount Everest, on the border between Nepal and China, is the highest mountain above sea level at about 8,849 metres.",
    ),
    (
        "How do I convert Celsius to Fahrenheit?",
        "Multiply the temperature in Celsius by nine fifths and add thirty-two. For example, twenty degrees Celsius is sixty-eight degrees Fahrenheit.",
    ),
    (
        "What should I pack for a weekend hiking trip?",
        "Bring sturdy boots, layered clothing, a waterproof jacket, a map, enough water, snacks, a first aid kit, a headlamp and sun protection. Check the weather forecast before you leave.",
    ),
    (
        "Explain photosynthesis in simple terms.",
        "Plants take in carbon dioxide from the air and water from the soil and use the energy of sunlight to turn them into sugar. Oxygen is released as a by-product.",
    ),
    (
        "What is a good way to learn a new language?",
        "Practise a little every day, listen to native speakers, learn the most frequent words first and speak as early as possible, even with mistakes. Spaced repetition helps vocabulary stick.",
    ),
    (
        "How does compound interest work?",
        "Interest is added to the principal, and the next period's interest is computed on the larger amount. Over many years this makes savings grow much faster than simple interest.",
    ),
    (
        "What is the speed of light?",
        "Light travels at about 299,792 kilometres per second in a vacuum. It takes roughly eight minutes for sunlight to reach the Earth.",
    ),
    (
        "Why do cats purr?",
        "Cats purr when they are content, but also when they are stressed or injured. The vibration may help them calm down and could even support the healing of bones and tissue.",
    ),
    (
        "How do I make a simple tomato sauce?",
        "Soften chopped onion and garlic in olive oil, add crushed tomatoes, a pinch of salt and some basil, and simmer for twenty minutes until it thickens.",
    ),
    (
        "What is machine learning?",
        "Machine learning is a field of computer science in which programs learn patterns from data instead of following hand-written rules. Models are trained on examples and then make predictions on new inputs.",
    ),
    (
        "How long should I sleep each night?",
        "Most adults need seven to nine hours of sleep. Keeping a regular schedule and avoiding screens before bed improves sleep quality.",
    ),
    (
        "What were the main causes of the First World War?",
        "Historians usually point to militarism, rival alliances, imperial competition and nationalism. The assassination in Sarajevo in June 1914 set the crisis in motion.",
    ),
    (
        "How do noise-cancelling headphones work?",
        "Microphones pick up the ambient sound and the headphones play an inverted copy of it, so the two waves cancel out before they reach your ear.",
    ),
    (
        "What is the largest ocean on Earth?",
        "The Pacific Ocean is the largest and deepest ocean, covering about a third of the planet's surface.",
    ),
    (
        "Can you explain what a black hole is?",
        "A black hole is a region of space where gravity is so strong that nothing, not even light, can escape. It forms when a very massive star collapses at the end of its life.",
    ),
    (
        "How can I improve my credit score?",
        "Pay your bills on time, keep your card balances low compared with your limits, avoid opening many new accounts at once and check your report for errors.",
    ),
    (
        "What is the boiling point of water at high altitude?",
        "Air pressure is lower at altitude, so water boils at a lower temperature: at about three thousand metres it boils near ninety degrees Celsius, which is why cooking takes longer.",
    ),
    (
        "How do I write a good cover letter?",
        "Address it to a person, open with the role you want and why, show two or three achievements that match the job description and close with a clear request for an interview. Keep it to one page.",
    ),
    (
        "What does DNA stand for?",
        "DNA stands for deoxyribonucleic acid, the molecule that carries the genetic instructions of living organisms.",
    ),
    (
        "Why do leaves change colour in autumn?",
        "As days shorten, trees stop making chlorophyll, the green pigment. Yellow and orange pigments that were there all along become visible, and some trees also produce red anthocyanins.",
    ),
    (
        "How do I keep basil alive indoors?",
        "Give it at least six hours of sunlight, water it when the top of the soil feels dry and pinch off the flower buds so the plant keeps producing leaves.",
    ),
    (
        "What is the difference between weather and climate?",
        "Weather is the state of the atmosphere over hours or days; climate is the average pattern of weather in a region over thirty years or more.",
    ),
)
# Everyday answers in other scripts that name real people and places, none a target:
# where a name rendered by sound could be flagged by chance.
OTHER_SCRIPT_EXCHANGES = (
    ("Who discovered penicillin?", "亚历山大·弗莱明在一九二八年发现了青霉素。他当时在伦敦的圣玛丽医院工作。"),
    ("Who painted the Mona Lisa?", "《蒙娜丽莎》是列奥纳多·达·芬奇的作品，现在收藏在巴黎的卢浮宫。"),
    ("Who was the first person on the Moon?", "尼尔·阿姆斯特朗于一九六九年登上月球，巴兹·奥尔德林紧随其后。"),
    ("Who wrote One Hundred Years of Solitude?", "《百年孤独》的作者是加夫列尔·加西亚·马尔克斯，他出生在哥伦比亚。"),
    ("What is the capital of Australia?", "澳大利亚的首都是堪培拉，而不是悉尼或墨尔本。"),
    ("Who composed the Four Seasons?", "《四季》由安东尼奥·维瓦尔第创作，他是威尼斯人。"),
    ("Who discovered penicillin?", "اكتشف ألكسندر فلمنج البنسلين عام ١٩٢٨ في لندن."),
    ("Who painted the Mona Lisa?", "رسم ليوناردو دا فينشي لوحة الموناليزا، وهي معروضة في متحف اللوفر في باريس."),
    ("Who was the first person on the Moon?", "كان نيل أرمسترونغ أول من مشى على سطح القمر سنة ١٩٦٩."),
    ("Who wrote One Hundred Years of Solitude?", "كتب غابرييل غارسيا ماركيز رواية مئة عام من العزلة."),
    ("What is the capital of Australia?", "عاصمة أستراليا هي كانبرا، وأكبر مدنها سيدني."),
    ("Who was Ibn Battuta?", "كان ابن بطوطة رحالة من طنجة زار الهند والصين."),
    ("Who discovered penicillin?", "알렉산더 플레밍은 1928년 런던에서 페니실린을 발견했습니다."),
    ("Who painted the Mona Lisa?", "모나리자는 레오나르도 다빈치의 작품이며 파리 루브르 박물관에 있습니다."),
    ("Who was the first person on the Moon?", "닐 암스트롱은 1969년에 처음으로 달에 발을 디뎠습니다."),
    ("Who wrote One Hundred Years of Solitude?", "백년의 고독은 가브리엘 가르시아 마르케스가 쓴 소설입니다."),
    ("What is the capital of Australia?", "오스트레일리아의 수도는 캔버라이고 가장 큰 도시는 시드니입니다."),
    ("Who was King Sejong?", "세종대왕은 조선의 네 번째 왕이며 훈민정음을 만들었습니다."),
    ("Who discovered penicillin?", "ペニシリンはアレクサンダー・フレミングが一九二八年に発見した。"),
    ("Who painted the Mona Lisa?", "『モナ・リザ』はレオナルド・ダ・ヴィンチの作品で、ルーヴル美術館にある。"),
    ("Who was the first person on the Moon?", "ニール・アームストロングが一九六九年に初めて月面を歩いた。"),
    ("Who discovered penicillin?", "Пенициллин открыл Александр Флеминг в Лондоне в 1928 году."),
    ("Who painted the Mona Lisa?", "«Мону Лизу» написал Леонардо да Винчи; картина висит в Лувре."),
    ("Who was the first person on the Moon?", "Нил Армстронг первым ступил на Луну в 1969 году."),
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


def tofu_exchanges(data_dir: str | Path | None) -> list[tuple[str, str]]:
    """Question + answer pairs about TOFU's fictitious authors (``retain_perturbed.json``:
    the answer and its paraphrase as the draft), or [] when the data is absent. Real
    prose full of names, places and titles, none of them a registered target."""
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
    exchanges: Sequence[tuple[str, str]] = (),
    other_scripts: Sequence[tuple[str, str]] = (),
) -> list[BenchQuery]:
    """``count`` realistic question + draft pairs; about ``mention_rate`` of them refer
    to one of ``targets`` (by name, a typo, the surname, initials, a keyword or profile
    words), the rest to nothing registered. Drafts are 40 to 200 words long. The
    exchanges are everyday questions with a typical answer, plus ``exchanges`` (e.g.
    :func:`tofu_exchanges`) when given; ``other_scripts`` (e.g.
    :data:`OTHER_SCRIPT_EXCHANGES`) are added at the end as they are, naming no target."""
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
    out += [BenchQuery(question, draft, cue="other script") for question, draft in other_scripts]
    return out
