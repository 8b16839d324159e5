"""``alu bench readings``: what each reading of :data:`alu.text.READINGS` costs, and
what the deterministic stage costs on the worst text of each script, at growing lengths
(1k to 16k characters): the cost per 1,000 characters must stay flat (linear growth)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from functools import partial

from alu.bench.synthetic import synthetic_targets
from alu.detection import TargetIndex
from alu.domain import Target
from alu.text import READINGS, Reading, forget_folded_texts

__all__ = ["DEFAULT_LENGTHS", "bench_readings", "format_readings"]

DEFAULT_LENGTHS = (1_000, 2_000, 4_000, 8_000, 16_000)


def _fill(unit: Callable[[random.Random], str], length: int, seed: int = 5) -> str:
    """Units from ``unit`` joined until ``length`` characters."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < length:
        part = unit(rng)
        parts.append(part)
        size += len(part)
    return "".join(parts)[:length]


_WORDS = ["the", "of", "river", "house", "green", "quickly", "answer", "people", "writes", "small", "ancient", "garden"]


def _choice(options: Sequence[str]) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(options)


def _chars(low: int, high: int, space: float = 0.0) -> Callable[[random.Random], str]:
    return lambda rng: " " if rng.random() < space else chr(rng.randint(low, high))


# The worst input of each reading: one that fires its trigger everywhere and makes it read
# as much as it can (tags without an end, number runs, dots and dashes ...).
_READING_WORST: dict[str, Callable[[random.Random], str]] = {
    "letter-like symbols": _chars(0x1F1E6, 0x1F1FF, 0.2),
    "look-alike letters": _chars(0x430, 0x44F, 0.15),
    "leetspeak": _choice(["J4n3 ", "@u$73n ", "7h3 ", "l33t "]),
    "markup and character references": _choice(["<b>", "x</i> ", "&#74;", "&nbsp;", "< a ", "&amp "]),
    "percent-encoding": _choice(["%4A", "%61", "%20", "%2525", "% "]),
    "escapes and character calls": _choice(["chr(74)+", "\\u004a", "\\x61", "U+0041 ", "fromCharCode(74,97) "]),
    "character-code runs (bases 2, 8, 10, 16)": _choice(["74 ", "97 ", "0x6e ", "01100001 ", "4a616e65 "]),
    "letter numbers (A1Z26)": _choice(["10 ", "1 ", "14 ", "5 ", "26-"]),
    "base64": _choice(["SmFuZQ== ", "QXVzdGVu ", "c2VjcmV0LXRva2Vu", "ABCDabcd"]),
    "Morse code": _choice([".--- ", ".- ", "-. ", ". ", "/ ", "-"]),
    "Bacon's cipher": _choice(["ABAAB ", "AAAAA ", "ABBAB ", "aabaa "]),
    "upside-down text": _choice(["ɐ", "ǝ", "ɹ", "ʇ", "u", " "]),
    "NATO alphabet": _choice(["alfa ", "bravo ", "juliett ", "echo "]),
    "letter names": _choice(["jay ", "ay ", "en ", "ee ", "double ", "you "]),
    "pig latin": _choice(["anejay ", "austenway ", "ayday ", "okay "]),
}
_PROSE = lambda rng: rng.choice(_WORDS) + rng.choice([" ", " ", ", ", ". "])  # noqa: E731

# The worst text of each script for the whole stage: long words, no separators, names
# marked by the script where it marks them.
_SCRIPT_WORST: dict[str, Callable[[random.Random], str]] = {
    "Latin prose": _PROSE,
    "Latin, one long word": _chars(0x61, 0x7A),
    "Cyrillic, capitalized": lambda rng: "Д" + "".join(chr(rng.randint(0x430, 0x44F)) for _ in range(5)) + " ",
    "Greek": _chars(0x3B1, 0x3C9, 0.15),
    "Han, no dots": _chars(0x4E00, 0x9FFF),
    "Han, dotted": lambda rng: chr(rng.randint(0x4E00, 0x9FFF)) * 3 + "·",
    "Katakana": _chars(0x30A1, 0x30FA),
    "Hangul": _chars(0xAC00, 0xD7A3),
    "Arabic": _chars(0x627, 0x64A, 0.15),
    "Devanagari": _chars(0x915, 0x939),
    "digits": _chars(0x30, 0x39, 0.3),
}


def _best(run: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in milliseconds, from cold text memos each time."""
    best = float("inf")
    for _ in range(repeat):
        forget_folded_texts()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _stage(index: TargetIndex, text: str) -> None:
    """The deterministic stage on ``text`` from cold per-word memos."""
    index.clear_memos()
    index.find(text, use_case=False)


def _read(reading: Reading, text: str) -> list[str]:
    if reading.shape == "words":
        return [c for word in text.split() for c in reading.read(word.lower())]
    return reading.read(text) if reading.trigger(text) else []


def bench_readings(
    lengths: Sequence[int] = DEFAULT_LENGTHS,
    *,
    targets: int = 1_000,
    repeat: int = 3,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[dict]]:
    """Rows of (name, length, ms, ms per 1k chars) for each reading alone on its worst
    input (substitutions on prose), and for the stage (``TargetIndex.find`` over
    ``targets`` synthetic targets) on each reading's and each script's worst text."""
    index = TargetIndex(Target(**t) for t in synthetic_targets(targets))
    index.find("warm-up: Jane Austen, 🇯🇦, Джейн, 简·奥斯汀")
    rows: dict[str, list[dict]] = {"readings": [], "stage": []}
    for reading in READINGS:
        unit = _READING_WORST.get(reading.name, _PROSE)
        for length in lengths:
            text = _fill(unit, length)
            ms = _best(partial(_read, reading, text), repeat)
            stage = _best(partial(_stage, index, text), repeat)
            rows["readings"].append({"name": reading.name, "shape": reading.shape, "length": length,
                                     "ms": round(ms, 3), "stage_ms": round(stage, 2)})  # fmt: skip
        if progress:
            progress(f"reading {reading.name}: done")
    for name, unit in _SCRIPT_WORST.items():
        for length in lengths:
            text = _fill(unit, length)
            ms = _best(partial(_stage, index, text), repeat)
            rows["stage"].append({"name": name, "length": length, "ms": round(ms, 2)})
        if progress:
            progress(f"script {name}: done")
    return rows


def _per_k(row: dict, key: str) -> float:
    return row[key] / (row["length"] / 1000)


def _growth(rows: list[dict], key: str) -> str:
    """Cost per 1k characters at the longest length over that at the shortest: about 1
    for linear growth, about longest/shortest (16 from 1k to 16k) for quadratic."""
    first, last = rows[0], rows[-1]
    low = _per_k(first, key)
    return f"{_per_k(last, key) / low:.2f}" if low > 0 else "–"


def format_readings(report: dict[str, list[dict]]) -> str:
    """Two markdown tables: per reading (alone, and the whole stage on its worst text),
    per script (the stage); cost per 1k characters at each length, and its growth."""
    lengths = sorted({r["length"] for r in report["readings"]} | {r["length"] for r in report["stage"]})
    head = " | ".join(f"{n // 1000}k" for n in lengths)

    def table(title: str, rows: list[dict], key: str) -> list[str]:
        lines = [f"| {title} | {head} | growth (per-1k cost, longest / shortest) |",
                 "|---|" + "---:|" * (len(lengths) + 1)]  # fmt: skip
        names = list(dict.fromkeys(r["name"] for r in rows))
        for name in names:
            mine = [r for r in rows if r["name"] == name]
            cells = " | ".join(f"{_per_k(r, key):.3f}" for r in mine)
            lines.append(f"| {name} | {cells} | {_growth(mine, key)} |")
        return lines

    out = ["Each reading alone on its worst input, ms per 1,000 characters:", ""]
    out += table("reading", report["readings"], "ms")
    out += ["", "The deterministic stage on each reading's worst input, ms per 1,000 characters:", ""]
    out += table("reading", report["readings"], "stage_ms")
    out += ["", "The deterministic stage on each script's worst text, ms per 1,000 characters:", ""]
    out += table("script", report["stage"], "ms")
    by = {(r["name"], r["length"]): r["ms"] for r in report["stage"]}
    at = 8_000 if 8_000 in lengths else max(lengths)
    han, latin = by.get(("Han, no dots", at)), by.get(("Latin prose", at))
    if han and latin:
        out += ["", f"Han (no dots) / Latin prose at {at:,} characters: {han / latin:.1f}x"]
    return "\n".join(out)
