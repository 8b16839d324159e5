"""Names, aliases, keyword phrases and initials, exact (one dictionary probe per word,
extended a word at a time while the span begins some indexed key), then the typo
probes, a name word alone, a longer first name, and the profile cues, merged into one
match per target: :meth:`NameLookups._find_plain`, the text as written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from alu.detection.keys import EXACT_INITIALS, EXACT_KEYWORD, EXACT_NAME
from alu.detection.match import Match, MatchKind, rank
from alu.detection.postings import MAX_POSTING, owner_count, owners_of
from alu.detection.tables import IndexTables
from alu.detection.typos import TYPO_PREFIX
from alu.text import name_like_words, tokens

__all__ = ["NameLookups"]


class NameLookups(IndexTables):
    """The look-ups of a :class:`TargetIndex` on the text as written."""

    def _find_plain(self, text: str, use_case: bool = True) -> list[Match]:
        """:meth:`find` on the text as written (no readings that undo obfuscation)."""
        words = tokens(text)
        count = len(words)
        named = name_like_words(text) if use_case else None  # None: case not used
        infos = [self._word(word) for word in words]
        hits: list[tuple[int, int, Match]] = []  # (words in span, start, match)
        exact, names, max_n = self._exact, self._names, self._max_n
        # Exact look-ups: extend a span word by word while it begins some indexed key.
        seen: set[str] = set()
        for start in range(count):
            gram, n = words[start], 1
            flags = infos[start].exact
            while True:
                if flags & 7 and gram not in seen:
                    seen.add(gram)
                    if flags & EXACT_NAME:
                        for target_id in owners_of(self._phrases.get(gram)):
                            kind: MatchKind = "name" if names[target_id] == gram else "alias"
                            hits.append((n, start, Match(target_id, kind, gram)))
                    if flags & EXACT_KEYWORD:
                        entry = self._keyword_phrases.get(gram)
                        if owner_count(entry) <= MAX_POSTING:
                            for target_id in owners_of(entry):
                                hits.append((n, start, Match(target_id, "keyword", gram, 0.8)))
                    if flags & EXACT_INITIALS and (named is None or gram[gram.rfind(" ") + 1 :] in named):
                        entry = self._initials.get(gram)
                        if owner_count(entry) <= MAX_POSTING:
                            for target_id in owners_of(entry):
                                hits.append((n, start, Match(target_id, "initials", gram, 0.75)))
                if flags < 8 or n >= max_n or start + n >= count:
                    break
                gram = f"{gram} {words[start + n]}"
                n += 1
                flags = exact.get(gram, 0)
        hits.extend(self._find_forms(text, words, infos, named))
        probed: set[str] = set()
        heads: dict[str, dict[int, tuple[str, ...]]] = {}  # spans sharing a typo-key prefix
        for start, n in sorted(self._typo_spans(words, infos, named)):
            gram = words[start] if n == 1 else " ".join(words[start : start + n])
            if gram in probed:
                continue
            probed.add(gram)
            if (infos[start].exact if n == 1 else exact.get(gram, 0)) & EXACT_NAME:
                continue  # an exact name is that name, not a typo of another
            head = gram[:TYPO_PREFIX]
            candidates = heads.get(head)
            if candidates is None:
                candidates = heads[head] = self._typo_candidates(head)
            for match in self._find_fuzzy(gram, candidates):
                hits.append((n, start, match))
        best: dict[str, Match] = {}

        def offer(match: Match) -> None:
            current = best.get(match.target_id)
            if current is None or rank(match) > rank(current):
                best[match.target_id] = match

        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        for _, _, match in hits:
            offer(match)
        for i, info in enumerate(infos):
            if info.partial is not None and i:
                for match in self._long_first_name(words, i, named):
                    offer(match)
        distinct = {word: info for word, info in zip(words, infos)}
        for word, info in distinct.items():
            entry = info.partial
            if entry is not None and (named is None or word in named) and owner_count(entry) <= MAX_POSTING:
                for target_id in owners_of(entry):
                    offer(Match(target_id, "partial", word, 0.7))
        self._find_profile(distinct, offer)
        return sorted(best.values(), key=rank, reverse=True)

    def _long_first_name(self, words: Sequence[str], i: int, named: frozenset[str] | None) -> Iterable[Match]:
        """A registered name whose first word is a prefix of a longer one: "Kimberly Noel
        Kardashian" for "Kim Kardashian", "Robert Downey" for "Rob Downey".

        ``words[i]`` is a name word; up to two middle words may stand between. Dictionary
        probes only ("kim kardashian", "kimb kardashian", ...), so the cost does not grow
        with the registry.
        """
        last = words[i]
        if named is not None and last not in named:
            return
        for back in range(1, 4):
            if i - back < 0:
                break
            first = words[i - back]
            if len(first) < 4 or (named is not None and first not in named):
                continue
            # A longer first name that is itself a registered name's word ("Marcelo"
            # near "Marcel Garcia" while a Marcelo is registered) is as likely someone
            # else: a judge candidate, as for a near-miss typo (alu.detection.typos).
            ambiguous = not self._loose and (first in self._partial or first in self._surnames)
            kind: MatchKind = "near_miss" if ambiguous else "fuzzy"
            for size in range(3, len(first)):
                key = f"{first[:size]} {last}"
                for target_id in owners_of(self._phrases.get(key)):
                    yield Match(target_id, kind, " ".join(words[i - back : i + 1]), 0.7 if ambiguous else 0.9)
