"""Deterministic matching of registered targets in free text.

Why it exists: the auditor must find every direct mention of a target in milliseconds,
whatever the number of targets, without asking a model; and the last checks before an
answer leaves the graph must not depend on a model either. Everything here works on
*folded* text (see :func:`normalize`), so case, accents, punctuation, spacing and
possessives do not hide a name.

Every look-up is a dictionary probe keyed by the text's own words and spans, so the cost
of a query is bounded by the length of the text, not by how many targets are registered:

- names, aliases, keyword phrases and initials (exact): one probe per word, extended a
  word at a time while the span begins some indexed key;
- typos: a symmetric-deletion index (one deletion on each side, over a phrase's first
  12 characters as in SymSpell) probed for single words and for spans that hold an
  intact first or last word of a registered phrase, confirmed with ``rapidfuzz``'s
  Levenshtein distance (1 edit for 5-8 characters, 2 from 9);
- weaker cues for the judge: a distinctive name word alone ("Austen"), initials
  ("J. Austen"), a keyword phrase (a work's title), and profile words (description and
  keywords) scored with BM25 over an inverted index.

Bounds that keep a query's cost flat from 10 to 100,000 targets: a weak cue shared by
more than :data:`MAX_POSTING` targets is skipped (a registry of 100,000 people has
thousands of "Smith"s; a judge shown eight of them, picked arbitrarily, could decide
nothing); profile postings are read rarest word first, at most :data:`PROFILE_BUDGET`;
in cased text, weak name cues and typo probes need a word written like a name (see
:func:`name_like_words`), so "green tea" does not shortlist every Green; and per-word
work is memoized until the index changes (the same words come back query after query).

Why not an Aho-Corasick automaton (``pyahocorasick``) or ``bm25s``, measured at 100,000
targets on the benchmark's queries: the automaton finds the exact keys in 0.02/0.05 ms
(p50/p95) against 0.10/0.20 ms here, but adding one target means ``make_automaton``
again, 0.7 s, against 0.3 ms here, and the registry changes live. ``bm25s`` has no
incremental update either (3.7 s to index) and scores every document per query: 4.7/6.1
ms per retrieval at 100,000 targets (0.5 ms at 100), against 0.11/0.16 ms for the
bounded BM25 here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from alu.obfuscation import (
    base64_texts,
    name_runs,
    nato_runs,
    needs_transliteration,
    readings,
    romanized_syllables,
    rot13,
    sound_skeleton,
    transliterate,
)
from alu.targets import Target

__all__ = [
    "MAX_POSTING",
    "PROFILE_BUDGET",
    "PROFILE_MAX_DF",
    "STOPWORDS",
    "Match",
    "TargetIndex",
    "name_like_words",
    "normalize",
    "rank",
    "strict_mentions",
    "tokens",
]

MatchKind = Literal[
    "name", "alias", "fuzzy", "hidden", "sounds_like", "keyword", "initials", "partial", "profile"
]
DIRECT_KINDS: frozenset[str] = frozenset({"name", "alias", "fuzzy", "hidden"})

MAX_POSTING = 16
"""A weak cue (a name word alone, initials, a keyword phrase) owned by more targets than
this is not used: it cannot single out a target (the judge is shown 8 candidates by
default, so it could not even see them all), and skipping it keeps each query's cost
bounded whatever the size of the registry."""

PROFILE_MAX_DF = 64
"""A profile word owned by more targets than this (or than max(50, N/20), if smaller) is
not used."""

PROFILE_BUDGET = 96
"""Most profile postings read per text (rarest words first)."""

_INITIALS_KINDS = frozenset({"person", "other"})
_NAME, _KEYWORD, _INITIALS = 1, 2, 4  # bits of TargetIndex._exact
_BM25_K1, _BM25_B = 1.2, 0.75

_POSSESSIVE = re.compile(r"(\w)['\u2019\u02bc\uff07]s\b", re.UNICODE | re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Unicode's format characters (category Cf): invisible, so they never separate words.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

# Words too common to identify anything on their own (never a partial or keyword key).
STOPWORDS: frozenset[str] = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "known", "famous", "well", "best", "first", "one", "two", "three", "new", "old", "great", "good", "year", "years", "born", "life", "work", "works", "book", "books", "wrote", "written", "author", "writer", "name", "named", "called", "many", "much", "made", "make", "part", "people", "person", "known", "american", "english", "british", "french", "world", "time", "film", "films", "series", "novel", "novels", "song", "songs", "album"]
)


def normalize(text: str) -> str:
    """Fold text so that surface variations of a name compare equal.

    Invisible format characters (zero-width spaces and joiners, soft hyphens, direction
    marks) dropped, so they cannot split a name; NFKC (full-width, mathematical and other
    compatibility forms); possessive ``'s`` dropped, accents stripped, case folded, every
    run of punctuation/whitespace turned into one space.
    Idempotent: ``normalize(normalize(x)) == normalize(x)``. Short strings (names,
    aliases, keywords: folded again and again while a registry loads) are cached.
    """
    if len(text) <= _CACHED_CHARS:
        return _normalize_cached(text)
    return _normalize_recent(text)


_CACHED_CHARS = 256


def _normalize(text: str) -> str:
    if text.isascii():  # NFKC/NFKD are the identity and nothing combines: same result
        return _NON_WORD.sub(" ", _POSSESSIVE.sub(r"\1", text).lower()).strip()
    text = _FORMAT_CHARS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _POSSESSIVE.sub(r"\1", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = unicodedata.normalize("NFKC", text)
    return _NON_WORD.sub(" ", text).strip()


_normalize_cached = lru_cache(maxsize=65536)(_normalize)
_normalize_recent = lru_cache(maxsize=8)(_normalize)  # an answer is read by several passes


def forget_folded_texts() -> None:
    """Empty the caches of folded text (benchmarks replay a query stream from cold)."""
    _normalize_cached.cache_clear()
    _normalize_recent.cache_clear()


def tokens(text: str) -> list[str]:
    """Folded tokens of ``text``."""
    return normalize(text).split()


_WORD = re.compile(r"\w+", re.UNICODE)


def name_like_words(text: str) -> frozenset[str] | None:
    """Folded words of ``text`` written like a name: capitalized, or anywhere in a line
    that has no case to go by (all lower or all upper case). None when the whole text
    has no case.

    Cased prose capitalizes names, so weak cues that are also everyday words ("Green",
    "Little", "Page", "A. Field") and typo probes need a word written like a name; a
    question typed all in lower case ("who is jane austin") is taken as it is.
    """
    if text == text.lower() or text == text.upper():
        return None
    found: set[str] = set()
    for line in text.splitlines():
        if line == line.lower() or line == line.upper():
            found.update(tokens(line))
            continue
        for match in _WORD.finditer(line):
            word = match.group()
            if word[0].isupper():
                found.update(normalize(word).split())
    return frozenset(found)


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


_TYPO_PREFIX = 12
_TYPO_MEMO_SIZE = 65536  # typo look-ups remembered per index (cleared when it changes)
_MAX_ANCHOR_OFFSET = 4  # a phrase's first (last) non-stopword word is among its first (last) 4
"""Typo keys cover a phrase's first characters only (SymSpell's prefix trick): one
deletion on each side within the prefix is necessary for two strings within the typo
bound to share a key, so nothing is lost, and a probe costs at most 13 look-ups."""


def _typo_keys(phrase: str) -> set[str]:
    head = phrase[:_TYPO_PREFIX]
    return _deletions(head) | {head}


def _typo_bound(length: int) -> int:
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
        a == b
        or (len(b) > 2 and Levenshtein.distance(a, b, score_cutoff=len(b) // 2 + 1) <= len(b) // 2)
        for a, b in zip(ours, theirs)
    )


def _distinctive(token: str) -> bool:
    return len(token) >= 4 and token not in STOPWORDS and not token.isdigit()


# Capitalized in ordinary prose without being a name: never a cue on their own.
_CALENDAR_WORDS: frozenset[str] = frozenset(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)


# -- postings ---------------------------------------------------------------------------
# A posting is the set of owners of a key. Most keys have one owner, so a single owner is
# stored as the bare string and only a shared key gets a set: at 100,000 targets that is
# millions of small sets saved.

def _post_add(table: dict, key: str, owner: str) -> bool:
    """Add ``owner`` to ``table[key]``; True when the key is new."""
    entry = table.get(key)
    if entry is None:
        table[key] = owner
        return True
    if isinstance(entry, str):
        if entry != owner:
            table[key] = {entry, owner}
    else:
        entry.add(owner)
    return False


def _post_discard(table: dict, key: str, owner: str) -> bool:
    """Remove ``owner`` from ``table[key]``; True when the key is gone."""
    entry = table.get(key)
    if entry is None:
        return False
    if isinstance(entry, str):
        if entry != owner:
            return False
        del table[key]
        return True
    entry.discard(owner)
    if len(entry) == 1:
        table[key] = next(iter(entry))
    return False


def _owners(entry) -> Iterable[str]:
    if entry is None:
        return ()
    return (entry,) if isinstance(entry, str) else entry


def _count(entry) -> int:
    if entry is None:
        return 0
    return 1 if isinstance(entry, str) else len(entry)


@dataclass(slots=True)
class _Keys:
    """Every key one target is indexed under (recomputed identically on removal)."""

    name: str
    phrases: list[str]
    partial: set[str]
    initials: set[str]
    keywords: set[str]
    profile: set[str]


class _WordInfo(NamedTuple):
    """What the index holds for one word: its exact-key flags, its owners as a name word
    and as a profile word, and the spans it anchors for typo probes."""

    exact: int
    partial: object
    profile: object
    patterns: tuple[tuple[int, int], ...]


def _initials_forms(folded: str) -> set[str]:
    """'j austen', 'j r r tolkien', 'jrr tolkien' for 'jane austen', 'john ronald reuel tolkien'."""
    words = folded.split()
    if len(words) < 2 or len(words[-1]) < 3 or words[-1] in STOPWORDS:
        return set()
    head, last = words[:-1], words[-1]
    if any(w in STOPWORDS or not w[0].isalpha() for w in head):
        return set()
    forms = {f"{head[0][0]} {last}"}
    if len(head) > 1:
        forms.add(" ".join(w[0] for w in head) + " " + last)
        forms.add("".join(w[0] for w in head) + " " + last)
    forms.discard(folded)
    return forms


_MIN_COMPACT = 5  # a name shorter than this written without spaces matches too much
_MIN_SKELETON = 4  # likewise for sound skeletons ("jnstn" for jane austen is 5)
_MAX_SKELETON_WORDS = 12  # syllables: a name in kana or Han characters is one per character


ALIGNED_SIMILARITY = 80
"""How close (``rapidfuzz`` ratio, 0-100) a romanized name must be to a registered name
whose word skeletons it shares to count as a direct mention ("Teylor Svift" is 83 to
"taylor swift"; "Suteivun Kingu" is 69 to "stephen king" and is left to the judge).
Sharing skeletons alone is too common at scale: at 100,000 targets, 4,839 of 10,000
Faker names in Russian, Ukrainian, Bulgarian, Greek and Japanese share them with some
registered name; 7 of those score 80 or more, all near-identical names ("Yana Martina"
for "Anna Martin"), against 47 at 70."""

_MIN_ALIGNED = 4  # the sound skeletons of a name's words, all told ("jn rn" for john lennon)


def _aligned_key(words: Sequence[str]) -> str:
    """The sound skeletons of a name's words, word by word ("stfn kn" for stephen king);
    '' for a name of one word or with a word that has no consonant."""
    if len(words) < 2:
        return ""
    parts = [sound_skeleton(word) for word in words]
    if not all(parts) or sum(map(len, parts)) < _MIN_ALIGNED:
        return ""
    return " ".join(parts)


def _compact_keys(phrase: str) -> tuple[str, str]:
    """A folded name or alias without its spaces, and its sound skeleton ('' when too short)."""
    compact = phrase.replace(" ", "")
    skeleton = sound_skeleton(phrase)
    return (
        compact if len(compact) >= _MIN_COMPACT and not compact.isdigit() else "",
        skeleton if len(skeleton) >= _MIN_SKELETON else "",
    )


_ASCII_LETTERS = re.compile("[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _mostly_latin(text: str) -> bool:
    """True when most letters of ``text`` are ASCII letters."""
    if text.isascii():
        return True
    latin = len(_ASCII_LETTERS.findall(text))
    return latin * 2 > latin + sum(ch.isalpha() for ch in _NON_ASCII.findall(text))


def _changed_windows(text: str, view: str, reach: int, letter_reach: int) -> list[str]:
    """The stretches of ``view`` (``text`` read character for character another way)
    where it differs from ``text``, each widened by ``reach`` words on both sides, or by
    ``letter_reach`` around a changed word of at most three characters (a piece of a
    name spelled out)."""
    before, after = text.split(), view.split()
    if len(before) != len(after):  # not a character-for-character reading: take it all
        return [view]
    spans: list[list[int]] = []
    for i, (word, read) in enumerate(zip(before, after)):
        if word != read:
            wide = letter_reach if len(word) <= 3 else reach
            low, high = max(0, i - wide), i + wide + 1
            if spans and low <= spans[-1][1]:
                spans[-1][1] = high
            else:
                spans.append([low, high])
    return [" ".join(after[low:high]) for low, high in spans]


def _between_letters(words: Sequence[str], i: int) -> bool:
    """True when the words on both sides of position ``i`` are single letters."""
    return 0 < i < len(words) - 1 and len(words[i - 1]) == 1 and len(words[i + 1]) == 1 or (
        i == 0 and len(words) > 1 and len(words[1]) == 1
    )


def _word_prefixes(keys: _Keys) -> Iterable[str]:
    """The proper word prefixes of a target's exact keys ('jane' for 'jane austen')."""
    for group in (keys.phrases, keys.initials, keys.keywords):
        for key in group:
            end = key.rfind(" ")
            while end > 0:
                yield key[:end]
                end = key.rfind(" ", 0, end)


class TargetIndex:
    """An index over targets' folded names, aliases and profiles.

    Build it once, then keep it in step with :meth:`add` and :meth:`remove` (each costs
    time proportional to that one target). :meth:`find` costs time proportional to the
    text, whatever the number of targets. It never mutates the targets given to it. Not
    thread-safe: callers that share an index serialize access (see :mod:`alu.shortlist`).
    """

    def __init__(self, targets: Iterable[Target], *, max_phrase_tokens: int = 8, loose: bool = False) -> None:
        self.targets: dict[str, Target] = {}
        self._loose = loose
        self._names: dict[str, str] = {}  # id -> folded name (to tell a name from an alias)
        self._phrases: dict[str, object] = {}  # folded name/alias -> owner ids
        self._keyword_phrases: dict[str, object] = {}
        self._initials: dict[str, object] = {}
        # Every exact key and every proper word prefix of one, in one table so that a
        # span of the text costs one look-up: bit 1 name/alias, 2 keyword, 4 initials;
        # the rest counts the keys the span begins (value >> 3), to extend it by a word.
        self._exact: dict[str, int] = {}
        self._fuzzy: dict[str, object] = {}  # typo key -> folded phrases
        self._partial: dict[str, object] = {}
        self._profile: dict[str, object] = {}
        self._profile_len: dict[str, int] = {}
        self._profile_total = 0
        # Anchors of the typo-indexed phrases of several words: the first and the last
        # word that is not a stopword, each with a bit mask (bit 16*offset + words) of
        # where it stands (its offset from the phrase's start, resp. end) and how many
        # words the phrase has (masks only ever widen).
        self._head_anchor: dict[str, int] = {}
        self._tail_anchor: dict[str, int] = {}
        # Names and aliases written without spaces ("janeausten"), for text spelled out
        # letter by letter or in pieces; and their sound skeletons ("jnstn"), for names
        # written in another script (see alu.obfuscation).
        self._compact: dict[str, object] = {}
        self._skeletons: dict[str, object] = {}
        # Names of several words by the skeletons of their words -> folded names, for a
        # name written in another script where the script marks it as one (capitals, a
        # middle dot).
        self._aligned: dict[str, object] = {}
        self._max_aligned_words = 0
        self._max_compact_len = 0
        self._max_skeleton_len = 0
        # Memos of per-word work, cleared whenever the index changes: the same words come
        # back query after query, and a memo hit is one look-up in a small table where the
        # work it saves reads tables of millions of keys (mostly cache misses at 100,000
        # targets).
        self._typo_memo: dict[str, dict[int, tuple[str, ...]]] = {}  # head -> candidates by length
        self._word_memo: dict[str, _WordInfo] = {}
        self._max_n = 1
        self._max_fuzzy_n = 0
        self._max_fuzzy_len = 0
        self._max_phrase_tokens = max_phrase_tokens
        for target in targets:
            self.add(target)

    def __len__(self) -> int:
        return len(self.targets)

    # -- building ---------------------------------------------------------------------

    def _fold(self, phrase: str) -> str:
        return " ".join(tokens(phrase)[: self._max_phrase_tokens])

    def _keys(self, target: Target) -> _Keys:
        limit = self._max_phrase_tokens
        phrases: list[str] = []
        partial: set[str] = set()
        initials: set[str] = set()
        with_initials = target.kind in _INITIALS_KINDS
        for phrase in (target.name, *target.aliases):
            words = tokens(phrase)[:limit]
            folded = " ".join(words)
            if not folded or folded in phrases:
                continue
            phrases.append(folded)
            partial.update(t for t in words if _distinctive(t) and t not in _CALENDAR_WORDS)
            if with_initials:
                initials |= _initials_forms(folded)
        initials.difference_update(phrases)
        keywords: set[str] = set()
        profile = {t for t in tokens(target.description) if _distinctive(t)}
        for keyword in target.keywords:
            words = tokens(keyword)
            distinct = [t for t in words if _distinctive(t)]
            profile.update(distinct)
            folded = " ".join(words[:limit])
            if folded and (len(words) > 1 or distinct):
                keywords.add(folded)
        return _Keys(phrases[0] if phrases else "", phrases, partial, initials, keywords, profile)

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

    def _exact_update(self, key: str, *, set_bits: int = 0, clear_bits: int = 0, uses: int = 0) -> None:
        value = ((self._exact.get(key, 0) | set_bits) & ~clear_bits) + (uses << 3)
        if value > 0:
            self._exact[key] = value
        else:
            self._exact.pop(key, None)

    def add(self, target: Target) -> None:
        """Index one target (a target already indexed under the same id is replaced)."""
        if target.id in self.targets:
            self.remove(target.id)
        tid = target.id
        keys = self._keys(target)
        self._typo_memo.clear()
        self._word_memo.clear()
        self.targets[tid] = target
        self._names[tid] = keys.name
        exact, fuzzy = self._exact, self._fuzzy
        for phrase in keys.phrases:
            new = _post_add(self._phrases, phrase, tid)
            exact[phrase] = exact.get(phrase, 0) | _NAME
            compact, skeleton = _compact_keys(phrase)
            if compact:
                _post_add(self._compact, compact, tid)
                self._max_compact_len = max(self._max_compact_len, len(compact))
            if skeleton:
                _post_add(self._skeletons, skeleton, tid)
                self._max_skeleton_len = max(self._max_skeleton_len, len(skeleton))
            if new and (aligned := _aligned_key(phrase.split())):
                _post_add(self._aligned, aligned, phrase)
                self._max_aligned_words = max(self._max_aligned_words, aligned.count(" ") + 1)
            n = phrase.count(" ") + 1
            self._max_n = max(self._max_n, n)
            if new and _typo_bound(len(phrase)):
                self._max_fuzzy_n = max(self._max_fuzzy_n, n)
                self._max_fuzzy_len = max(self._max_fuzzy_len, len(phrase))
                for variant in _typo_keys(phrase):
                    entry = fuzzy.get(variant)
                    if entry is None:
                        fuzzy[variant] = phrase
                    elif isinstance(entry, str):
                        if entry != phrase:
                            fuzzy[variant] = {entry, phrase}
                    else:
                        entry.add(phrase)
                if n > 1:
                    self._add_anchors(phrase.split())
        for table, group, bit in (
            (self._initials, keys.initials, _INITIALS),
            (self._keyword_phrases, keys.keywords, _KEYWORD),
        ):
            for key in group:
                _post_add(table, key, tid)
                exact[key] = exact.get(key, 0) | bit
                self._max_n = max(self._max_n, key.count(" ") + 1)
        for prefix in _word_prefixes(keys):
            exact[prefix] = exact.get(prefix, 0) + (1 << 3)
        for key in keys.partial:
            _post_add(self._partial, key, tid)
        for key in keys.profile:
            _post_add(self._profile, key, tid)
        self._profile_len[tid] = len(keys.profile)
        self._profile_total += len(keys.profile)

    def remove(self, target_id: str) -> None:
        """Drop a target from every table (no-op when absent); cost proportional to the target."""
        target = self.targets.pop(target_id, None)
        if target is None:
            return
        keys = self._keys(target)
        self._typo_memo.clear()
        self._word_memo.clear()
        del self._names[target_id]
        for phrase in keys.phrases:
            compact, skeleton = _compact_keys(phrase)
            if compact:
                _post_discard(self._compact, compact, target_id)
            if skeleton:
                _post_discard(self._skeletons, skeleton, target_id)
            if _post_discard(self._phrases, phrase, target_id):
                self._exact_update(phrase, clear_bits=_NAME)
                if aligned := _aligned_key(phrase.split()):  # phrase gone: its sound too
                    _post_discard(self._aligned, aligned, phrase)
                if _typo_bound(len(phrase)):
                    for variant in _typo_keys(phrase):  # phrase gone: its typos too
                        _post_discard(self._fuzzy, variant, phrase)
        for table, group, bit in (
            (self._initials, keys.initials, _INITIALS),
            (self._keyword_phrases, keys.keywords, _KEYWORD),
        ):
            for key in group:
                if _post_discard(table, key, target_id):
                    self._exact_update(key, clear_bits=bit)
        for prefix in _word_prefixes(keys):
            self._exact_update(prefix, uses=-1)
        for table, group in ((self._partial, keys.partial), (self._profile, keys.profile)):
            for key in group:
                _post_discard(table, key, target_id)
        self._profile_total -= self._profile_len.pop(target_id, 0)

    def clear_memos(self) -> None:
        """Forget the per-word memos (as any change does); the index itself is unchanged."""
        self._typo_memo.clear()
        self._word_memo.clear()

    def ids_named(self, name: str) -> list[str]:
        """Ids of the targets whose name or an alias folds to the same text as ``name``."""
        return sorted(_owners(self._phrases.get(self._fold(name))))

    # -- look-ups ---------------------------------------------------------------------

    def find(self, text: str, *, use_case: bool = True) -> list[Match]:
        """Every target mentioned in ``text``: direct mentions first, then weaker cues.

        One match per target (its strongest); ties broken by score, then by the longer
        and earlier span. ``use_case``: in cased text, weak cues (a name word alone,
        initials) and typo probes need words written like a name (see
        :func:`name_like_words`); ``False`` ignores case (the strict checks do).
        A name hidden in the text (look-alike letters, leetspeak, spelled out, written
        backwards or in another script: see :mod:`alu.obfuscation`) is a direct match
        of kind ``"hidden"`` or ``"sounds_like"``.
        """
        best = {m.target_id: m for m in self._find_plain(text, use_case)}
        for match in self.find_hidden(text):
            current = best.get(match.target_id)
            if current is None or (match.direct and not current.direct) or (
                not current.direct and self._loose and match.kind == "sounds_like"
            ):
                best[match.target_id] = match
        return sorted(best.values(), key=rank, reverse=True)

    def find_hidden(self, text: str) -> list[Match]:
        """Direct mentions that only a reading of ``text`` that undoes obfuscation shows.

        Costs one scan of the text when nothing is hidden (ordinary ASCII prose), and at
        most a few more passes of :meth:`find` otherwise: bounded by the text's length,
        whatever the number of targets.
        """
        found: dict[str, Match] = {}

        def hide(target_id: str, span: str, kind: MatchKind = "hidden", score: float = 0.9) -> None:
            if target_id not in found:
                found[target_id] = Match(target_id, kind, span, score)

        # Readings are matched only where they differ from the text (and a name's length
        # around that): an answer with one "LGBTQ+" or one look-alike letter costs a
        # few words more, not another pass over the whole text.
        reach, letter_reach = self._max_phrase_tokens + 1, max(self._max_phrase_tokens, self._max_compact_len) + 1
        windows = [w for view in readings(text) for w in _changed_windows(text, view, reach, letter_reach)]
        # A name word that shows only once look-alike letters or leetspeak are undone
        # ("Мusk", "Mu$k") in Latin-script text was hidden on purpose: a direct mention.
        # (Not in text written mostly in another script, whose own words fold to Latin
        # letters by chance.)
        text_words = tokens(text)
        plain_words = set(text_words) if windows and _mostly_latin(text) else None
        for window in windows:
            for match in self._find_plain(window, use_case=False):
                if match.direct or (
                    plain_words is not None and match.kind == "partial" and match.span not in plain_words
                ):
                    hide(match.target_id, match.span)
        for words in (text_words, *(tokens(window) for window in windows)):
            for target_id, span in self._spelled_out(words):
                hide(target_id, span)
            backwards = [word[::-1] for word in reversed(words)]
            if any(len(w) >= 4 and (w in self._partial or w in self._phrases) for w in backwards):
                for match in self._find_plain(" ".join(backwards), use_case=False):
                    if match.direct:
                        hide(match.target_id, match.span)
        # Ciphers. ROT13 is read only where a rotated pair of words (or a one-word name)
        # begins a registered name, so ordinary prose costs a translate and a few probes.
        rotated = rot13(" ".join(text_words)).split() if text.isascii() else tokens(rot13(text))
        exact = self._exact
        for i, word in enumerate(rotated):
            if word not in exact:  # gibberish, as nearly every rotated word is
                continue
            if word in self._phrases or (i + 1 < len(rotated) and f"{word} {rotated[i + 1]}" in exact):
                for match in self._find_plain(" ".join(rotated[i : i + reach]), use_case=False):
                    if match.direct:
                        hide(match.target_id, match.span)
        for decoded in base64_texts(text):
            for match in self.find(decoded, use_case=False):
                if match.direct:
                    hide(match.target_id, f"base64: {match.span}")
        for letters in nato_runs(text_words):
            for target_id, span in self._spelled_out(letters):
                hide(target_id, span)
        if needs_transliteration(text):
            romanized = tokens(transliterate(text))
            for match in self._find_plain(" ".join(romanized), use_case=False):
                if match.direct:
                    hide(match.target_id, match.span)
            # The sound of a name written in another script: a candidate for the judge in
            # a registry (too many chance hits to flag outright), a block in the strict
            # checks over a few flagged targets (which read every span, not only names).
            runs = name_runs(text)
            # A name the script marks as one whose every word sounds like the target's
            # word in its place ("Стивен Кинг", "スティーヴン・キング"): a direct mention.
            for run in runs:
                if run.marked:
                    for target_id, span in self._sounds_aligned(run.words):
                        hide(target_id, span)
            words_of_runs = [tokens(" ".join(run.words)) for run in runs]
            if self._loose:
                words_of_runs.append(tokens(romanized_syllables(text)))
            for run in words_of_runs:
                for target_id, span in self._sounds_like(run, loose=self._loose):
                    hide(target_id, span, "sounds_like", 0.6)
        return list(found.values())

    def _spelled_out(self, words: Sequence[str]) -> Iterable[tuple[str, str]]:
        """Names written in letters or short pieces: "j a n e a u s t e n", "ja ne aus ten".

        One or two words read without their space ("JaneAusten"); spans of three words
        or more of at most three letters each but the last
        (a lone digit between letters, as in a numbered list of letters, is skipped), read
        without their spaces forwards and backwards, against names written without spaces
        and against the distinctive words of names (nobody spells out "M u s k" idly).
        """
        limit = self._max_compact_len
        if not limit:
            return
        pieces = [w for i, w in enumerate(words) if not (w.isdigit() and len(w) <= 2 and _between_letters(words, i))]
        compact, partials, phrases = self._compact, self._partial, self._phrases
        count = len(pieces)
        for start, first in enumerate(pieces):
            if first in compact and first not in phrases:  # "JaneAusten" as one word
                for target_id in _owners(compact[first]):
                    yield target_id, first
            if start + 1 == count:
                break
            second = pieces[start + 1]
            joined = first + second  # "Pen FaulknerAward": two words glued into one
            if joined in compact and f"{first} {second}" not in phrases:
                for target_id in _owners(compact[joined]):
                    yield target_id, f"{first} {second}"
            if len(first) > 3 or len(second) > 3:
                continue  # pieces are short; a long word may only end the span
            n = 2
            for end in range(start + 2, min(count, start + limit + 1)):
                word = pieces[end]
                joined += word
                n += 1
                if len(joined) > limit:
                    break
                for key in (joined, joined[::-1]):
                    # a name, or one word of a name spelled out ("M u s k")
                    entry, partial = compact.get(key), partials.get(key)
                    if entry is None and partial is None:
                        continue
                    owners = set(_owners(entry))
                    if _count(partial) <= MAX_POSTING:
                        owners.update(_owners(partial))
                    for target_id in owners:
                        yield target_id, " ".join(pieces[start : start + n])
                if len(word) > 3:
                    break  # pieces are short; a long word may only end the span

    def _sounds_aligned(self, words: Sequence[str]) -> Iterable[tuple[str, str]]:
        """Spans of romanized words whose skeletons, word by word, are a name's, and whose
        letters are close to the name's (see :data:`ALIGNED_SIMILARITY`)."""
        most = self._max_aligned_words
        if not most:
            return
        skeletons = [sound_skeleton("".join(tokens(word))) for word in words]
        table = self._aligned
        for start in range(len(words) - 1):
            for end in range(start + 2, min(len(words), start + most) + 1):
                entry = table.get(" ".join(skeletons[start:end]))
                if entry is None or _count(entry) > MAX_POSTING:
                    continue
                span = " ".join(words[start:end])
                folded = " ".join(tokens(span))
                for phrase in _owners(entry):  # names and aliases of as many words
                    if fuzz.ratio(folded, phrase) >= ALIGNED_SIMILARITY:
                        for target_id in _owners(self._phrases[phrase]):
                            yield target_id, span

    def _sounds_like(self, words: Sequence[str], *, loose: bool) -> Iterable[tuple[str, str]]:
        """Spans of romanized words whose sound skeleton is a name's.

        ``loose`` also takes one extra consonant in the text ("kingk" for "king"): right
        for a few flagged targets, too many chance hits for a whole registry.
        """
        limit = self._max_skeleton_len
        if not limit:
            return
        skeletons = [sound_skeleton(word) for word in words]
        table = self._skeletons
        for start in range(len(words)):
            joined = ""
            for end in range(start, min(len(words), start + _MAX_SKELETON_WORDS)):
                piece = skeletons[end]
                if piece and joined and joined[-1] == piece[0]:
                    piece = piece[1:]  # repeats collapse across words as within them
                joined += piece
                if len(joined) > limit + 1:
                    break
                if len(joined) < _MIN_SKELETON:
                    continue
                keys = {joined}
                if loose and len(joined) > _MIN_SKELETON:
                    keys.update(joined[:i] + joined[i + 1 :] for i in range(len(joined)))
                for key in keys:
                    entry = table.get(key)
                    if _count(entry) <= MAX_POSTING:
                        for target_id in _owners(entry):
                            yield target_id, " ".join(words[start : end + 1])

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
                    if flags & _NAME:
                        for target_id in _owners(self._phrases.get(gram)):
                            kind = "name" if names[target_id] == gram else "alias"
                            hits.append((n, start, Match(target_id, kind, gram)))
                    if flags & _KEYWORD:
                        entry = self._keyword_phrases.get(gram)
                        if _count(entry) <= MAX_POSTING:
                            for target_id in _owners(entry):
                                hits.append((n, start, Match(target_id, "keyword", gram, 0.8)))
                    if flags & _INITIALS and (named is None or gram[gram.rfind(" ") + 1 :] in named):
                        entry = self._initials.get(gram)
                        if _count(entry) <= MAX_POSTING:
                            for target_id in _owners(entry):
                                hits.append((n, start, Match(target_id, "initials", gram, 0.75)))
                if flags < 8 or n >= max_n or start + n >= count:
                    break
                gram = f"{gram} {words[start + n]}"
                n += 1
                flags = exact.get(gram, 0)
        probed: set[str] = set()
        heads: dict[str, dict[int, tuple[str, ...]]] = {}  # spans sharing a typo-key prefix
        for start, n in sorted(self._typo_spans(words, infos, named)):
            gram = words[start] if n == 1 else " ".join(words[start : start + n])
            if gram in probed:
                continue
            probed.add(gram)
            if (infos[start].exact if n == 1 else exact.get(gram, 0)) & _NAME:
                continue  # an exact name is that name, not a typo of another
            head = gram[:_TYPO_PREFIX]
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
            if entry is not None and (named is None or word in named) and _count(entry) <= MAX_POSTING:
                for target_id in _owners(entry):
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
            for size in range(3, len(first)):
                key = f"{first[:size]} {last}"
                for target_id in _owners(self._phrases.get(key)):
                    yield Match(target_id, "fuzzy", " ".join(words[i - back : i + 1]), 0.9)

    def _word(self, word: str) -> _WordInfo:
        """Everything the index keeps about one word of a text (memoized)."""
        info = self._word_memo.get(word)
        if info is None:
            if len(self._word_memo) >= _TYPO_MEMO_SIZE:
                self._word_memo.clear()
            profile = None if len(word) < 4 or word in STOPWORDS else self._profile.get(word)
            info = self._word_memo[word] = _WordInfo(
                self._exact.get(word, 0), self._partial.get(word), profile, self._anchor_patterns(word)
            )
        return info

    def _typo_spans(
        self, words: Sequence[str], infos: Sequence[_WordInfo], named: frozenset[str] | None
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
            if shortest <= ends[i + n] - ends[i] - 1 <= widest
            and (named is None or n == 1 or next_named[i] < i + n)
        }

    def _anchor_patterns(self, word: str) -> tuple[tuple[int, int], ...]:
        """(start relative to the word, length) of the spans ``word`` anchors."""
        longest = self._max_fuzzy_n
        patterns: set[tuple[int, int]] = set()
        for mask, is_head in ((self._head_anchor.get(word, 0), True), (self._tail_anchor.get(word, 0), False)):
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
            if len(memo) >= _TYPO_MEMO_SIZE:
                memo.clear()
            found = memo[head] = self._typo_lookup(head)
        return found

    def _typo_lookup(self, head: str) -> dict[int, tuple[str, ...]]:
        get = self._fuzzy.get
        candidates: set[str] = set()
        entry = get(head)
        if entry is not None:
            candidates.update(_owners(entry))
        for i in range(len(head)):
            entry = get(head[:i] + head[i + 1 :])
            if entry is not None:
                candidates.update(_owners(entry))
        by_length: dict[int, list[str]] = defaultdict(list)
        for phrase in candidates:
            by_length[len(phrase)].append(phrase)
        return {length: tuple(group) for length, group in by_length.items()}

    def _find_fuzzy(self, gram: str, candidates: dict[int, tuple[str, ...]]) -> list[Match]:
        """The candidate phrases within the typo bound of ``gram`` (not one itself)."""
        found = []
        size = len(gram)
        for length in range(size - 2, size + 3):
            for phrase in candidates.get(length, ()):
                bound = _typo_bound(length)
                if abs(length - size) > bound:
                    continue
                distance = Levenshtein.distance(gram, phrase, score_cutoff=bound)
                if distance <= bound and _words_survive(gram, phrase):
                    score = 1.0 - distance / max(length, 1)
                    for target_id in _owners(self._phrases.get(phrase)):
                        found.append(Match(target_id, "fuzzy", gram, score))
        return found

    def _find_profile(self, words: Mapping[str, _WordInfo], offer: Callable[[Match], None]) -> None:
        """BM25 over descriptions and keywords (a set of words per target); two hits at least.

        Bounded work: words owned by more than ``min(MAX_POSTING, max(50, N/20))``
        targets are skipped, and postings are read rarest word first, at most
        :data:`PROFILE_BUDGET` of them per text (the rarest words carry the most weight).
        """
        total = len(self.targets)
        if not total:
            return
        max_df = min(PROFILE_MAX_DF, max(50, total // 20))
        lengths = self._profile_len
        terms = []
        for word, info in words.items():
            entry = info.profile
            df = _count(entry)
            if df and df <= max_df:
                terms.append((df, word, entry))
        if len(terms) < 2:
            return
        terms.sort()
        average = max(self._profile_total / total, 1.0)
        scores: dict[str, float] = defaultdict(float)
        hits: dict[str, list[str]] = defaultdict(list)
        budget = PROFILE_BUDGET
        for df, word, entry in terms:
            budget -= df
            if budget < 0:
                break
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            for target_id in _owners(entry):
                norm = 1 - _BM25_B + _BM25_B * lengths[target_id] / average
                scores[target_id] += idf * (_BM25_K1 + 1) / (1 + _BM25_K1 * norm)
                hits[target_id].append(word)
        for target_id, score in scores.items():
            if len(hits[target_id]) >= 2:
                offer(
                    Match(target_id, "profile", " ".join(sorted(hits[target_id])), min(score / 20, 0.6))
                )


_KIND_RANK = {
    "name": 9, "alias": 8, "fuzzy": 7, "hidden": 6, "sounds_like": 5,
    "keyword": 4, "initials": 3, "partial": 2, "profile": 1,
}  # fmt: skip


def rank(match: Match) -> tuple[int, float]:
    """Sort key of a match: the kind's strength, then the score."""
    return (_KIND_RANK[match.kind], match.score)


def strict_mentions(text: str, targets: Sequence[Target]) -> list[Match]:
    """Mentions of the given (flagged) targets strict enough to block an answer.

    A direct mention of the name or an alias (exact, within the typo bound, or hidden:
    see :mod:`alu.obfuscation`), a name that sounds the same written in another script,
    or the last word of a multi-word name (a surname: "Austen" for "Jane Austen"), plain
    or hidden. Meant for the few flagged targets: it reads every span of the text.
    """
    if not targets:
        return []
    index = TargetIndex(targets, loose=True)
    found = [m for m in index.find(text, use_case=False) if m.direct or m.kind == "sounds_like"]
    flagged_ids = {m.target_id for m in found}
    surnames: dict[str, list[str]] = defaultdict(list)
    for target in targets:
        name_words = tokens(target.name)
        if target.id not in flagged_ids and len(name_words) > 1 and _distinctive(name_words[-1]):
            surnames[name_words[-1]].append(target.id)
    if surnames:
        words = set(tokens(text))
        by_surname = TargetIndex([Target(name=word, id=word) for word in surnames], loose=True)
        hits = {m.target_id: m for m in by_surname.find_hidden(text) if m.direct}
        for surname, ids in surnames.items():
            if surname in words:
                found.extend(Match(target_id, "partial", surname) for target_id in ids)
            elif surname in hits:
                found.extend(Match(target_id, "hidden", hits[surname].span, 0.7) for target_id in ids)
    return found
