"""A name written in another script, by its sound: the sound skeletons of the
romanized words (see :func:`alu.text.sound_skeleton`) against the registered names',
whole or word by word; and whole names of several parts by a coarser key per part
(:func:`alu.text.name_keys`), direct only where the key and its neighbourhood single
out one target and the letters agree (:data:`PART_CLOSENESS`), a judge candidate
otherwise."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice, product

from rapidfuzz import fuzz

from alu.detection.keys import MIN_SKELETON
from alu.detection.postings import MAX_POSTING, owner_count, owners_of
from alu.detection.tables import IndexTables
from alu.text import loose_name_key, name_closeness, sound_skeleton, tokens, word_name_keys

__all__ = ["ALIGNED_SIMILARITY", "PART_CLOSENESS", "SoundLookups"]

_MAX_SKELETON_WORDS = 12  # syllables: a name in kana or Han characters is one per character


ALIGNED_SIMILARITY = 80
"""How close (``rapidfuzz`` ratio, 0-100) a romanized name must be to a registered name
whose word skeletons it shares to count as a direct mention ("Teylor Svift" is 83 to
"taylor swift"; "Suteivun Kingu" is 69 to "stephen king" and is left to the judge).
Sharing skeletons alone is too common at scale: at 100,000 targets, 4,839 of 10,000
Faker names in Russian, Ukrainian, Bulgarian, Greek and Japanese share them with some
registered name; 7 of those score 80 or more, all near-identical names ("Yana Martina"
for "Anna Martin"), against 47 at 70."""


PART_CLOSENESS = 70
"""How close (:func:`alu.text.name_closeness`, 0-100) a span of romanized words whose
part keys are one registered name's, and no other target's, must be to that name for a
direct mention. Below it, or when several targets share the key, the span is a judge
candidate. Tuned on the suite's ``OTHER_SCRIPTS`` only (at 70, 64 of its 75 renderings
pass; at 80, 51): at 100,000 targets, a Faker name and sentence in Russian, Ukrainian,
Greek, Hindi or Arabic gets a direct flag at about this level in a few texts in a
hundred (see the README's figures)."""
_MAX_READINGS = 16  # readings of a span tried, at most (each word has one to a few)


class SoundLookups(IndexTables):
    """The sound look-ups of a :class:`TargetIndex`."""

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
                if entry is None or owner_count(entry) > MAX_POSTING:
                    continue
                span = " ".join(words[start:end])
                folded = " ".join(tokens(span))
                for phrase in owners_of(entry):  # names and aliases of as many words
                    if fuzz.ratio(folded, phrase) >= ALIGNED_SIMILARITY:
                        for target_id in owners_of(self._phrases[phrase]):
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
                if len(joined) < MIN_SKELETON:
                    continue
                keys = {joined}
                if loose and len(joined) > MIN_SKELETON:
                    keys.update(joined[:i] + joined[i + 1 :] for i in range(len(joined)))
                for key in keys:
                    entry = table.get(key)
                    if owner_count(entry) <= MAX_POSTING:
                        for target_id in owners_of(entry):
                            yield target_id, " ".join(words[start : end + 1])

    def _sounds_by_part(self, words: Sequence[str]) -> Iterable[tuple[str, str, bool]]:
        """Spans of romanized words whose part keys (:func:`alu.text.word_name_keys`),
        one per word in order, are those of a registered name of as many words:
        ``(target_id, span, direct)``. Direct when one target alone owns the key and
        its neighbourhood (:func:`alu.text.loose_name_key`) and the letters are close
        (:data:`PART_CLOSENESS`); a candidate for the judge otherwise (a key owned by more than ``MAX_POSTING`` names is not used)."""
        most = self._max_part_words
        if not most or len(words) < 2:
            return
        table, phrases_table = self._part_keys, self._phrases
        keys = [sorted(word_name_keys(word)) for word in words]
        for start in range(len(words) - 1):
            for end in range(start + 2, min(len(words), start + most) + 1):
                phrases: set[str] = set()
                matched: list[str] = []
                for parts in islice(product(*keys[start:end]), _MAX_READINGS):
                    key = " ".join(parts)
                    entry = table.get(key)
                    if entry is not None and owner_count(entry) <= MAX_POSTING:
                        phrases.update(owners_of(entry))
                        matched.append(key)
                if not phrases:
                    continue
                owners = {tid for phrase in phrases for tid in owners_of(phrases_table.get(phrase))}
                if len(owners) > MAX_POSTING:
                    continue
                span_words = list(words[start:end])
                direct = (
                    len(owners) == 1
                    # alone in the key's neighbourhood too: a crowded registry makes it a candidate
                    and all(owner_count(self._part_loose.get(loose_name_key(key))) == 1 for key in matched)
                    and max(name_closeness(span_words, p) for p in phrases) >= PART_CLOSENESS
                )
                span = " ".join(span_words)
                for target_id in owners:
                    yield target_id, span, direct
