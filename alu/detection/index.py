"""The target index: builds and keeps the tables every detector reads (one mixin per
concern: :mod:`~alu.detection.names`, :mod:`~alu.detection.typos`,
:mod:`~alu.detection.hidden`, :mod:`~alu.detection.sounds`,
:mod:`~alu.detection.profile`), and :meth:`TargetIndex.find`, which asks them all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from alu.detection.forms import FormLookups, form_keys
from alu.detection.hidden import HiddenLookups
from alu.detection.keys import (
    CALENDAR_WORDS,
    EXACT_INITIALS,
    EXACT_KEYWORD,
    EXACT_NAME,
    INITIALS_KINDS,
    TargetKeys,
    WordInfo,
    aligned_key,
    compact_keys,
    distinctive,
    initials_forms,
    part_keys,
    word_prefixes,
)
from alu.detection.match import Match, rank
from alu.detection.names import NameLookups
from alu.detection.postings import Posting, owners_of, post_add, post_discard
from alu.detection.profile import ProfileLookups
from alu.detection.sounds import SoundLookups
from alu.detection.typos import TYPO_MEMO_SIZE, TypoLookups, typo_bound, typo_keys
from alu.domain import Target
from alu.text import STOPWORDS, loose_name_key, tokens

__all__ = ["TargetIndex"]


class TargetIndex(NameLookups, FormLookups, TypoLookups, HiddenLookups, SoundLookups, ProfileLookups):
    """An index over targets' folded names, aliases and profiles.

    Build it once, then keep it in step with :meth:`add` and :meth:`remove` (each costs
    time proportional to that one target). :meth:`find` costs time proportional to the
    text, whatever the number of targets. It never mutates the targets given to it. Not
    thread-safe: callers that share an index serialize access (see :mod:`alu.registry.cache`).
    """

    def __init__(
        self,
        targets: Iterable[Target],
        *,
        max_phrase_tokens: int = 8,
        loose: bool = False,
    ) -> None:
        self.targets: dict[str, Target] = {}
        self.kinds: Counter[str] = Counter()
        """Indexed targets per kind (whether a topic or work is registered: the semantic
        stage's ``auto`` setting asks on every run)."""
        self._loose = loose
        self._names: dict[str, str] = {}  # id -> folded name (to tell a name from an alias)
        self._phrases: dict[str, Posting] = {}  # folded name/alias -> owner ids
        self._keyword_phrases: dict[str, Posting] = {}
        self._initials: dict[str, Posting] = {}
        # Every exact key and every proper word prefix of one, in one table so that a
        # span of the text costs one look-up: bit 1 name/alias, 2 keyword, 4 initials;
        # the rest counts the keys the span begins (value >> 3), to extend it by a word.
        self._exact: dict[str, int] = {}
        self._fuzzy: dict[str, Posting] = {}  # typo key -> folded phrases
        self._partial: dict[str, Posting] = {}
        # Partial forms of person-like names (alu.detection.forms): the reversed form
        # ("austen jane") and the surname a title goes with ("austen").
        self._reversed: dict[str, Posting] = {}
        self._surnames: dict[str, Posting] = {}
        self._profile: dict[str, Posting] = {}
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
        # written in another script (see alu.text).
        self._compact: dict[str, Posting] = {}
        self._skeletons: dict[str, Posting] = {}
        # Names of several words by the skeletons of their words -> folded names, for a
        # name written in another script where the script marks it as one (capitals, a
        # middle dot).
        self._aligned: dict[str, Posting] = {}
        self._max_aligned_words = 0
        # Names of several words by a coarser key per word -> folded names (see
        # alu.text.name_keys), for a whole name written in any other script.
        self._part_keys: dict[str, Posting] = {}
        self._part_loose: dict[str, Posting] = {}  # their neighbourhoods -> target ids
        self._max_part_words = 0
        self._max_compact_len = 0
        self._max_skeleton_len = 0
        # Memos of per-word work, cleared whenever the index changes: the same words come
        # back query after query, and a memo hit is one look-up in a small table where the
        # work it saves reads tables of millions of keys (mostly cache misses at 100,000
        # targets).
        self._typo_memo: dict[str, dict[int, tuple[str, ...]]] = {}  # head -> candidates by length
        self._word_memo: dict[str, WordInfo] = {}
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

    def _keys(self, target: Target) -> TargetKeys:
        limit = self._max_phrase_tokens
        phrases: list[str] = []
        partial: set[str] = set()
        initials: set[str] = set()
        with_initials = target.kind in INITIALS_KINDS
        for phrase in (target.name, *target.aliases):
            words = tokens(phrase)[:limit]
            folded = " ".join(words)
            if not folded or folded in phrases:
                continue
            phrases.append(folded)
            partial.update(t for t in words if distinctive(t) and t not in CALENDAR_WORDS)
            if with_initials:
                initials |= initials_forms(folded)
        initials.difference_update(phrases)
        keywords: set[str] = set()
        profile = {t for t in tokens(target.description) if distinctive(t)}
        for keyword in target.keywords:
            words = tokens(keyword)
            distinct = [t for t in words if distinctive(t)]
            profile.update(distinct)
            folded = " ".join(words[:limit])
            if folded and (len(words) > 1 or distinct):
                keywords.add(folded)
        return TargetKeys(phrases[0] if phrases else "", phrases, partial, initials, keywords, profile)

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
        self.kinds[target.kind] += 1
        self._names[tid] = keys.name
        exact, fuzzy = self._exact, self._fuzzy
        for phrase in keys.phrases:
            new = post_add(self._phrases, phrase, tid)
            exact[phrase] = exact.get(phrase, 0) | EXACT_NAME
            compact, skeleton = compact_keys(phrase)
            if compact:
                post_add(self._compact, compact, tid)
                self._max_compact_len = max(self._max_compact_len, len(compact))
            if skeleton:
                post_add(self._skeletons, skeleton, tid)
                self._max_skeleton_len = max(self._max_skeleton_len, len(skeleton))
            if new and (aligned := aligned_key(phrase.split())):
                post_add(self._aligned, aligned, phrase)
                self._max_aligned_words = max(self._max_aligned_words, aligned.count(" ") + 1)
            if target.kind in INITIALS_KINDS:
                for key in part_keys(phrase.split()):
                    post_add(self._part_keys, key, phrase)
                    post_add(self._part_loose, loose_name_key(key), tid)
                    self._max_part_words = max(self._max_part_words, key.count(" ") + 1)
            n = phrase.count(" ") + 1
            self._max_n = max(self._max_n, n)
            if new and typo_bound(len(phrase)):
                self._max_fuzzy_n = max(self._max_fuzzy_n, n)
                self._max_fuzzy_len = max(self._max_fuzzy_len, len(phrase))
                for variant in typo_keys(phrase):
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
            (self._initials, keys.initials, EXACT_INITIALS),
            (self._keyword_phrases, keys.keywords, EXACT_KEYWORD),
        ):
            for key in group:
                post_add(table, key, tid)
                exact[key] = exact.get(key, 0) | bit
                self._max_n = max(self._max_n, key.count(" ") + 1)
        for prefix in word_prefixes(keys):
            exact[prefix] = exact.get(prefix, 0) + (1 << 3)
        for key in keys.partial:
            post_add(self._partial, key, tid)
        reversed_forms, surnames = form_keys(target, keys.phrases)
        for key in reversed_forms:
            post_add(self._reversed, key, tid)
        for key in surnames:
            post_add(self._surnames, key, tid)
        for key in keys.profile:
            post_add(self._profile, key, tid)
        self._profile_len[tid] = len(keys.profile)
        self._profile_total += len(keys.profile)

    def remove(self, target_id: str) -> None:
        """Drop a target from every table (no-op when absent); cost proportional to the target."""
        target = self.targets.pop(target_id, None)
        if target is None:
            return
        self.kinds[target.kind] -= 1
        if not self.kinds[target.kind]:
            del self.kinds[target.kind]
        keys = self._keys(target)
        self._typo_memo.clear()
        self._word_memo.clear()
        del self._names[target_id]
        for phrase in keys.phrases:
            compact, skeleton = compact_keys(phrase)
            if compact:
                post_discard(self._compact, compact, target_id)
            if skeleton:
                post_discard(self._skeletons, skeleton, target_id)
            if post_discard(self._phrases, phrase, target_id):
                self._exact_update(phrase, clear_bits=EXACT_NAME)
                if aligned := aligned_key(phrase.split()):  # phrase gone: its sound too
                    post_discard(self._aligned, aligned, phrase)
                for key in part_keys(phrase.split()):
                    post_discard(self._part_keys, key, phrase)
                if typo_bound(len(phrase)):
                    for variant in typo_keys(phrase):  # phrase gone: its typos too
                        post_discard(self._fuzzy, variant, phrase)
            for key in part_keys(phrase.split()):
                post_discard(self._part_loose, loose_name_key(key), target_id)
        for table, group, bit in (
            (self._initials, keys.initials, EXACT_INITIALS),
            (self._keyword_phrases, keys.keywords, EXACT_KEYWORD),
        ):
            for key in group:
                if post_discard(table, key, target_id):
                    self._exact_update(key, clear_bits=bit)
        for prefix in word_prefixes(keys):
            self._exact_update(prefix, uses=-1)
        reversed_forms, surnames = form_keys(target, keys.phrases)
        for table, group in (
            (self._partial, keys.partial),
            (self._profile, keys.profile),
            (self._reversed, set(reversed_forms)),
            (self._surnames, set(surnames)),
        ):
            for key in group:
                post_discard(table, key, target_id)
        self._profile_total -= self._profile_len.pop(target_id, 0)

    def clear_memos(self) -> None:
        """Forget the per-word memos (as any change does); the index itself is unchanged."""
        self._typo_memo.clear()
        self._word_memo.clear()

    def ids_named(self, name: str) -> list[str]:
        """Ids of the targets whose name or an alias folds to the same text as ``name``."""
        return sorted(owners_of(self._phrases.get(self._fold(name))))

    # -- look-ups ---------------------------------------------------------------------

    def find(self, text: str, *, use_case: bool = True) -> list[Match]:
        """Every target mentioned in ``text``: direct mentions first, then weaker cues.

        One match per target (its strongest); ties broken by score, then by the longer
        and earlier span. ``use_case``: in cased text, weak cues (a name word alone,
        initials) and typo probes need words written like a name (see
        :func:`name_like_words`); ``False`` ignores case (the strict checks do).
        A name hidden in the text (look-alike letters, leetspeak, spelled out, written
        backwards or in another script: see :mod:`alu.text`) is a direct match
        of kind ``"hidden"`` or ``"sounds_like"``.
        """
        best = {m.target_id: m for m in self._find_plain(text, use_case)}
        for match in self.find_hidden(text):
            current = best.get(match.target_id)
            if (
                current is None
                or (match.direct and not current.direct)
                or (not current.direct and self._loose and match.kind == "sounds_like")
            ):
                best[match.target_id] = match
        return sorted(best.values(), key=rank, reverse=True)

    def _word(self, word: str) -> WordInfo:
        """Everything the index keeps about one word of a text (memoized)."""
        info = self._word_memo.get(word)
        if info is None:
            if len(self._word_memo) >= TYPO_MEMO_SIZE:
                self._word_memo.clear()
            profile = None if len(word) < 4 or word in STOPWORDS else self._profile.get(word)
            info = self._word_memo[word] = WordInfo(
                self._exact.get(word, 0),
                self._partial.get(word),
                profile,
                self._anchor_patterns(word),
            )
        return info
