"""Typos of names and aliases: a symmetric-deletion index (one deletion on each side,
over a phrase's first 12 characters as in SymSpell), probed for single words and for
spans that hold an intact first or last word of a registered phrase, confirmed with
``rapidfuzz``'s Levenshtein distance (1 edit for 5-8 characters, 2 from 9).

Ambiguity-aware: a near miss is a direct mention (kind ``fuzzy``) only when it is
unambiguous, i.e. one registered name lies within the bound and the words it changes
are no registered name's words; otherwise it is a judge candidate (kind ``near_miss``),
so false direct flags do not grow with the registry (see :meth:`TypoLookups._find_fuzzy`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

from alu.detection.keys import WordInfo
from alu.detection.match import Match, MatchKind
from alu.detection.postings import owners_of
from alu.detection.tables import IndexTables
from alu.text import STOPWORDS

__all__ = ["TYPO_MEMO_SIZE", "TYPO_PREFIX", "TypoLookups", "typo_bound", "typo_keys"]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


TYPO_PREFIX = 12
TYPO_MEMO_SIZE = 65536  # typo look-ups remembered per index (cleared when it changes)
_MAX_ANCHOR_OFFSET = 4  # a phrase's first (last) non-stopword word is among its first (last) 4
"""Typo keys cover a phrase's first characters only (SymSpell's prefix trick): one
deletion on each side within the prefix is necessary for two strings within the typo
bound to share a key, so nothing is lost, and a probe costs at most 13 look-ups."""


def typo_keys(phrase: str) -> set[str]:
    head = phrase[:TYPO_PREFIX]
    return _deletions(head) | {head}


def typo_bound(length: int) -> int:
    """Edits tolerated for a phrase of ``length`` characters (0 below 5: too many collisions)."""
    if length < 5:
        return 0
    return 1 if length < 9 else 2


def _words_survive(gram: str, phrase: str) -> bool:
    """No word of ``phrase`` is more than half rewritten in ``gram`` (word for word), and
    words of one or two letters are not changed at all.

    The typo bound counts edits over the whole phrase, so two edits could swap a short
    word wholesale: "Gustafsson is" is not "Gustafsson HB", nor "Andersen as" "Andersen AB".
    """
    ours, theirs = gram.split(), phrase.split()
    if len(ours) != len(theirs):
        return True  # words run together or split: the distance alone decides
    return all(
        a == b or (len(b) > 2 and Levenshtein.distance(a, b, score_cutoff=len(b) // 2 + 1) <= len(b) // 2)
        for a, b in zip(ours, theirs)
    )


class TypoLookups(IndexTables):
    """The typo tables' upkeep (anchors) and look-ups of a :class:`TargetIndex`."""

    def _add_anchors(self, words: list[str]) -> None:
        n = min(len(words), 15)
        content = [i for i, word in enumerate(words) if word not in STOPWORDS]
        # The first and last content words; a phrase with one content word ("the bard")
        # is also anchored by its first word, so a typo in that one word is still found.
        heads = [content[0]] if len(content) > 1 else sorted({0, *content[:1]})
        tails = [content[-1]] if content else []
        for i in heads:
            if i < _MAX_ANCHOR_OFFSET:
                self._head_anchor[words[i]] = self._head_anchor.get(words[i], 0) | 1 << (16 * i + n)
        for i in tails:
            offset = len(words) - 1 - i
            if offset < _MAX_ANCHOR_OFFSET:
                self._tail_anchor[words[i]] = self._tail_anchor.get(words[i], 0) | 1 << (16 * offset + n)

    def _typo_spans(
        self,
        words: Sequence[str],
        infos: Sequence[WordInfo],
        named: frozenset[str] | None,
    ) -> set[tuple[int, int]]:
        """(start, length) of the spans worth a typo probe.

        A span is probed when it could be a typo of a registered name: a single word
        (which also catches a name whose words ran together: "JaneAusten"), or as many
        words as a typo-indexed phrase, holding that phrase's first or last content word
        where the phrase has it. In cased text (see :func:`name_like_words`) only words
        written like a name are probed alone or anchor a span (a stopword anchors a
        phrase such as "the bard" whose one content word may be the typo, if the span
        holds a word written like a name). So a typo is not found when it hits both
        anchor words of a phrase, or splits a word of a longer name in two, or when its
        anchor is written in lower case inside a line that is otherwise cased.
        ``named=None`` probes every span.
        """
        spans: set[tuple[int, int]] = set()
        if not self._max_fuzzy_n:
            return spans
        shortest, widest = 5, self._max_fuzzy_len + 1
        longest, count = self._max_fuzzy_n + 1, len(words)
        next_named = [count] * (count + 1)  # position of the next word written like a name
        if named is not None:
            for i in range(count - 1, -1, -1):
                next_named[i] = i if words[i] in named else next_named[i + 1]
        for i, word in enumerate(words):
            if named is None or word in named:
                if shortest <= len(word) <= widest:
                    spans.add((i, 1))
            elif not (word in STOPWORDS and next_named[i] - i < longest):
                continue  # a stopword may still anchor "the bard" around a name
            patterns = infos[i].patterns
            for delta, n in patterns:
                start = i + delta
                if start >= 0 and start + n <= count:
                    spans.add((start, n))
        if not spans:
            return spans
        ends = [0]
        for word in words:
            ends.append(ends[-1] + len(word) + 1)
        return {
            (i, n)
            for i, n in spans
            if shortest <= ends[i + n] - ends[i] - 1 <= widest and (named is None or n == 1 or next_named[i] < i + n)
        }

    def _anchor_patterns(self, word: str) -> tuple[tuple[int, int], ...]:
        """(start relative to the word, length) of the spans ``word`` anchors."""
        longest = self._max_fuzzy_n
        patterns: set[tuple[int, int]] = set()
        for mask, is_head in (
            (self._head_anchor.get(word, 0), True),
            (self._tail_anchor.get(word, 0), False),
        ):
            for offset in range(_MAX_ANCHOR_OFFSET):
                sizes = (mask >> (16 * offset)) & 0xFFFF
                if not sizes:
                    continue
                for n in range(max(2, offset + 1), longest + 1):
                    if sizes & (1 << n):
                        patterns.add((-offset, n) if is_head else (offset - n + 1, n))
        return tuple(sorted(patterns))

    def _typo_candidates(self, head: str) -> dict[int, tuple[str, ...]]:
        """Phrases sharing a typo key with ``head`` (a span's first characters).

        Memoized until the index changes: the same capitalized words come back query
        after query, and a memo hit is one look-up in a small table instead of 13 in
        the typo table (millions of keys at 100,000 targets, so mostly cache misses).
        """
        memo = self._typo_memo
        found = memo.get(head)
        if found is None:
            if len(memo) >= TYPO_MEMO_SIZE:
                memo.clear()
            found = memo[head] = self._typo_lookup(head)
        return found

    def _typo_lookup(self, head: str) -> dict[int, tuple[str, ...]]:
        get = self._fuzzy.get
        candidates: set[str] = set()
        entry = get(head)
        if entry is not None:
            candidates.update(owners_of(entry))
        for i in range(len(head)):
            entry = get(head[:i] + head[i + 1 :])
            if entry is not None:
                candidates.update(owners_of(entry))
        by_length: dict[int, list[str]] = defaultdict(list)
        for phrase in candidates:
            by_length[len(phrase)].append(phrase)
        return {length: tuple(group) for length, group in by_length.items()}

    def _find_fuzzy(self, gram: str, candidates: dict[int, tuple[str, ...]]) -> list[Match]:
        """The candidate phrases within the typo bound of ``gram`` (not one itself):
        direct (kind ``fuzzy``) when the near miss is unambiguous, else a judge candidate
        (kind ``near_miss``; see :meth:`_ambiguous_near_miss`)."""
        close: list[tuple[str, float]] = []
        size = len(gram)
        for length in range(size - 2, size + 3):
            for phrase in candidates.get(length, ()):
                bound = typo_bound(length)
                if abs(length - size) > bound:
                    continue
                distance = Levenshtein.distance(gram, phrase, score_cutoff=bound)
                if distance <= bound and _words_survive(gram, phrase):
                    close.append((phrase, 1.0 - distance / max(length, 1)))
        found: list[Match] = []
        if not close:
            return found
        several = len({t for phrase, _ in close for t in owners_of(self._phrases.get(phrase))}) > 1
        for phrase, score in close:
            # The strict checks (a loose index of the few flagged targets) block any near miss.
            ambiguous = not self._loose and (several or self._ambiguous_near_miss(gram, phrase))
            kind: MatchKind = "near_miss" if ambiguous else "fuzzy"
            for target_id in owners_of(self._phrases.get(phrase)):
                found.append(Match(target_id, kind, gram, score * 0.8 if ambiguous else score))
        return found

    def _ambiguous_near_miss(self, gram: str, phrase: str) -> bool:
        """True when a word of ``gram`` that differs from ``phrase`` is itself a word of
        a registered name ("Marcelo Garcia" near "Marcel Garcia" while a Marcelo is
        registered): the text is then as likely to name someone else as to misspell
        this one, and the more names a registry holds the likelier that is, so such a
        near miss goes to the judge instead of being flagged outright. With two registered
        targets' names within the bound (:meth:`_find_fuzzy`), likewise. Words run together or
        split ("JaneAusten") are typos whatever the registry holds."""
        ours, theirs = gram.split(), phrase.split()
        if len(ours) != len(theirs):
            return False
        partial, surnames = self._partial, self._surnames
        return any(a != b and (a in partial or a in surnames) for a, b in zip(ours, theirs))
