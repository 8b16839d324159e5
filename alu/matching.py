"""Deterministic matching of registered targets in free text.

Why it exists: the auditor must find every direct mention of a target in milliseconds,
whatever the number of targets, without asking a model; and the last checks before an
answer leaves the graph must not depend on a model either. Everything here works on
*folded* text (see :func:`normalize`), so case, accents, punctuation, spacing and
possessives do not hide a name.

Look-ups are dictionary probes keyed by the text's own n-grams, so the cost of a query
depends on the length of the text, not on how many targets are registered. Typos are
found with a symmetric-deletion index (one deletion on each side) and confirmed with
``rapidfuzz``'s Levenshtein distance.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

from rapidfuzz.distance import Levenshtein

from alu.targets import Target

__all__ = ["normalize", "tokens", "Match", "TargetIndex", "STOPWORDS"]

MatchKind = Literal["name", "alias", "fuzzy", "partial", "keyword", "profile"]
DIRECT_KINDS: frozenset[str] = frozenset({"name", "alias", "fuzzy"})

_POSSESSIVE = re.compile(r"(\w)['\u2019\u02bc\uff07]s\b", re.UNICODE | re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

# Words too common to identify anything on their own (never a partial or keyword key).
STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours out over own same she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours known famous well best first
    one two three new old great good year years born life work works book books wrote written
    author writer name named called many much made make part people person known american
    english british french world time film films series novel novels song songs album""".split()
)


def normalize(text: str) -> str:
    """Fold text so that surface variations of a name compare equal.

    NFKC (full-width and compatibility forms), possessive ``'s`` dropped, accents
    stripped, case folded, every run of punctuation/whitespace turned into one space.
    Idempotent: ``normalize(normalize(x)) == normalize(x)``.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _POSSESSIVE.sub(r"\1", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return _NON_WORD.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Folded tokens of ``text``."""
    return normalize(text).split()


@dataclass(frozen=True, slots=True)
class Match:
    """One target found in a text: which, how, and the folded words that matched."""

    target_id: str
    kind: MatchKind
    span: str
    score: float = 1.0

    @property
    def direct(self) -> bool:
        """True for a mention of the full name or an alias (exact or within the typo bound)."""
        return self.kind in DIRECT_KINDS


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _typo_bound(length: int) -> int:
    """Edits tolerated for a phrase of ``length`` characters (0 below 5: too many collisions)."""
    if length < 5:
        return 0
    return 1 if length < 9 else 2


def _distinctive(token: str) -> bool:
    return len(token) >= 4 and token not in STOPWORDS and not token.isdigit()


class TargetIndex:
    """An index over targets' folded names, aliases and profiles.

    Build it once per registry version; :meth:`find` is then independent of the number of
    targets. It never mutates the targets given to it.
    """

    def __init__(self, targets: Iterable[Target], *, max_phrase_tokens: int = 8) -> None:
        self.targets: dict[str, Target] = {}
        self._phrases: dict[str, dict[str, MatchKind]] = defaultdict(dict)
        self._keyword_phrases: dict[str, set[str]] = defaultdict(set)
        self._fuzzy: dict[str, set[str]] = defaultdict(set)
        self._partial: dict[str, set[str]] = defaultdict(set)
        self._profile: dict[str, set[str]] = defaultdict(set)
        self._owned: dict[str, list[tuple[dict, str]]] = {}
        self._max_n = 1
        self._max_phrase_tokens = max_phrase_tokens
        for target in targets:
            self.add(target)

    def __len__(self) -> int:
        return len(self.targets)

    def add(self, target: Target) -> None:
        """Index one target (a target already indexed under the same id is replaced)."""
        if target.id in self.targets:
            self.remove(target.id)
        self.targets[target.id] = target
        owned = self._owned[target.id] = []
        for kind, phrase in [("name", target.name)] + [("alias", a) for a in target.aliases]:
            folded = " ".join(tokens(phrase)[: self._max_phrase_tokens])
            if not folded or target.id in self._phrases.get(folded, {}):
                continue
            self._phrases[folded][target.id] = kind
            owned.append((self._phrases, folded))
            self._max_n = max(self._max_n, len(folded.split()))
            if _typo_bound(len(folded)):
                for variant in _deletions(folded) | {folded}:
                    self._fuzzy[variant].add(folded)
            for tok in folded.split():
                if _distinctive(tok):
                    self._put(self._partial, tok, target.id)
        for keyword in target.keywords:
            folded = " ".join(tokens(keyword)[: self._max_phrase_tokens])
            if folded and (len(folded.split()) > 1 or _distinctive(folded)):
                self._put(self._keyword_phrases, folded, target.id)
                self._max_n = max(self._max_n, len(folded.split()))
        profile_words = set(tokens(target.description))
        profile_words.update(t for k in target.keywords for t in tokens(k))
        for tok in profile_words:
            if _distinctive(tok):
                self._put(self._profile, tok, target.id)

    def _put(self, table: dict[str, set[str]], key: str, target_id: str) -> None:
        if target_id not in table[key]:
            table[key].add(target_id)
            self._owned[target_id].append((table, key))

    def remove(self, target_id: str) -> None:
        """Drop a target from every table (no-op when absent); cost proportional to the target."""
        if self.targets.pop(target_id, None) is None:
            return
        for table, key in self._owned.pop(target_id, []):
            entry = table.get(key)
            if entry is None:
                continue
            if isinstance(entry, dict):
                entry.pop(target_id, None)
            else:
                entry.discard(target_id)
            if entry:
                continue
            del table[key]
            if table is self._phrases:  # phrase gone: drop its typo variants too
                for variant in _deletions(key) | {key}:
                    phrases = self._fuzzy.get(variant)
                    if phrases is not None:
                        phrases.discard(key)
                        if not phrases:
                            del self._fuzzy[variant]

    # -- look-ups ---------------------------------------------------------------------

    def find(self, text: str) -> list[Match]:
        """Every target mentioned in ``text``: direct mentions first, then weaker cues.

        One match per target (its strongest); ties broken by score.
        """
        words = tokens(text)
        best: dict[str, Match] = {}

        def offer(match: Match) -> None:
            current = best.get(match.target_id)
            if current is None or rank(match) > rank(current):
                best[match.target_id] = match

        seen_grams: set[str] = set()
        for n in range(min(self._max_n, len(words)), 0, -1):
            for start in range(len(words) - n + 1):
                gram = " ".join(words[start : start + n])
                if gram in seen_grams:
                    continue
                seen_grams.add(gram)
                for target_id, kind in self._phrases.get(gram, {}).items():
                    offer(Match(target_id, kind, gram))
                for target_id in self._keyword_phrases.get(gram, ()):
                    offer(Match(target_id, "keyword", gram, 0.8))
                self._find_fuzzy(gram, offer)
        for word in set(words):
            for target_id in self._partial.get(word, ()):
                offer(Match(target_id, "partial", word, 0.7))
        self._find_profile(words, offer)
        return sorted(best.values(), key=rank, reverse=True)

    def _find_fuzzy(self, gram: str, offer) -> None:
        if len(gram) < 5:
            return
        candidates: set[str] = set()
        for variant in _deletions(gram) | {gram}:
            candidates |= self._fuzzy.get(variant, set())
        for phrase in candidates:
            if phrase == gram:
                continue
            bound = _typo_bound(len(phrase))
            distance = Levenshtein.distance(gram, phrase, score_cutoff=bound)
            if distance <= bound:
                score = 1.0 - distance / max(len(phrase), 1)
                for target_id in self._phrases.get(phrase, {}):
                    offer(Match(target_id, "fuzzy", gram, score))

    def _find_profile(self, words: Sequence[str], offer) -> None:
        """Keyword retrieval over descriptions/keywords, IDF-weighted, two hits at least."""
        total = max(len(self.targets), 1)
        scores: dict[str, float] = defaultdict(float)
        hits: dict[str, list[str]] = defaultdict(list)
        for word in set(words):
            ids = self._profile.get(word)
            if not ids or len(ids) > max(50, total // 20):
                continue  # too common across targets to point at one
            idf = math.log(1 + total / len(ids))
            for target_id in ids:
                scores[target_id] += idf
                hits[target_id].append(word)
        for target_id, score in scores.items():
            if len(hits[target_id]) >= 2:
                offer(
                    Match(target_id, "profile", " ".join(sorted(hits[target_id])), min(score / 20, 0.6))
                )


_KIND_RANK = {"name": 6, "alias": 5, "fuzzy": 4, "keyword": 3, "partial": 2, "profile": 1}


def rank(match: Match) -> tuple[int, float]:
    return (_KIND_RANK[match.kind], match.score)


def strict_mentions(text: str, targets: Sequence[Target]) -> list[Match]:
    """Mentions of the given (flagged) targets strict enough to block an answer.

    A direct mention of the name or an alias (exact or within the typo bound), or the
    last word of a multi-word name (a surname: "Austen" for "Jane Austen").
    """
    if not targets:
        return []
    index = TargetIndex(targets)
    found = [m for m in index.find(text) if m.direct]
    flagged_ids = {m.target_id for m in found}
    words = set(tokens(text))
    for target in targets:
        if target.id in flagged_ids:
            continue
        name_words = tokens(target.name)
        if len(name_words) > 1 and _distinctive(name_words[-1]) and name_words[-1] in words:
            found.append(Match(target.id, "partial", name_words[-1]))
    return found
