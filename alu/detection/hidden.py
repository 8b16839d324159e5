"""Names hidden in a text: matched in the readings that undo obfuscation (look-alike
letters, leetspeak: :mod:`alu.text`), spelled out or written backwards, in ROT13,
base64 or the NATO alphabet, or written in another script (transliterated; by sound:
:mod:`alu.detection.sounds`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from alu.detection.match import Match, MatchKind
from alu.detection.postings import MAX_POSTING, owner_count, owners_of
from alu.detection.tables import IndexTables
from alu.text import (
    READINGS,
    name_runs,
    needs_transliteration,
    readings,
    romanized_syllables,
    tokens,
    transliterate,
)

__all__ = ["HiddenLookups"]

_DECODED = tuple(r for r in READINGS if r.shape == "decoded")
_SUBSTITUTIONS = tuple(r for r in READINGS if r.shape == "substitution")
_WORDWISE = tuple(r for r in READINGS if r.shape == "words")
_DECODE_DEPTH = 2  # an encoding inside another (percent-encoded character references)
_MAX_DECODED = 64  # decoded texts read per text, at most
_MIN_LETTERS = 3  # single letters that make a decoded text one spelled out

_ASCII_LETTERS = re.compile("[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


_ACCENTED = re.compile("[\u00c0-\u024f]")
_LATIN_WORDS = re.compile("[A-Za-z\u00c0-\u024f]+")
_NOT_WORD = re.compile(r"[\W_]+")


def _fold_ascii(text: str) -> str:
    """:func:`alu.text.normalize` for ASCII text without its cache (a reading is read once)."""
    return _NOT_WORD.sub(" ", text.lower())


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
    return (0 < i < len(words) - 1 and len(words[i - 1]) == 1 and len(words[i + 1]) == 1) or (
        i == 0 and len(words) > 1 and len(words[1]) == 1
    )


class HiddenLookups(IndexTables):
    """:meth:`find_hidden` and the spelled-out reading of a :class:`TargetIndex`."""

    def find_hidden(self, text: str) -> list[Match]:
        """Direct mentions that only a reading of ``text`` that undoes obfuscation shows.

        Costs one scan of the text when nothing is hidden (ordinary ASCII prose), and at
        most a few more passes of :meth:`find` otherwise: bounded by the text's length,
        whatever the number of targets.
        """
        found: dict[str, Match] = {}

        def hide(target_id: str, span: str, kind: MatchKind = "hidden", score: float = 0.9) -> None:
            current = found.get(target_id)
            if current is None or (kind == "hidden" and current.kind == "sounds_like"):
                found[target_id] = Match(target_id, kind, span, score)

        # Readings are matched only where they differ from the text (and a name's length
        # around that): an answer with one "LGBTQ+" or one look-alike letter costs a
        # few words more, not another pass over the whole text.
        reach, letter_reach = (
            self._max_phrase_tokens + 1,
            max(self._max_phrase_tokens, self._max_compact_len) + 1,
        )
        windows = [w for view in readings(text) for w in _changed_windows(text, view, reach, letter_reach)]
        # A name word that shows only once look-alike letters or leetspeak are undone
        # ("Мusk", "Mu$k") in Latin-script text was hidden on purpose: a direct mention.
        # (Not in text written mostly in another script, whose own words fold to Latin
        # letters by chance.)
        text_words = tokens(text)
        joined = " ".join(text_words)
        plain_words = set(text_words) if windows and _mostly_latin(text) else None
        as_written = set(text_words)
        for window in windows:
            for match in self._find_plain(window, use_case=False):
                if match.kind == "fuzzy" and as_written.issuperset(match.span.split()):
                    continue  # a near miss of words as written was judged by the plain reading, case and all
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
        # Every other reading of the text (alu.text.readings.READINGS), by its shape.
        self._find_decoded(text, hide)
        exact, phrases = self._exact, self._phrases
        accented = not text.isascii() and _ACCENTED.search(text) is not None
        ascii_text = text if text.isascii() else _NON_ASCII.sub(" ", text)
        for reading in _SUBSTITUTIONS:
            # A substitution is read only where a read word begins a registered key, so
            # ordinary prose costs a translate and a set intersection per table.
            if reading.family in ("caesar", "atbash"):
                reads = [w.split() for w in reading.read(joined)]  # letters only: folding commutes
                if accented and reading.name == "caesar 13":  # "Orlbapé": é left alone by ROT13
                    reads += [tokens(read) for read in reading.read(text)]
            else:  # reads keys, not letters: other characters are none of them
                reads = [read.split() for read in map(_fold_ascii, reading.read(ascii_text))]
            for read_words in reads:
                common = exact.keys() & set(read_words)
                # Only a one-word name or the first word of a longer key can begin a match.
                common = {w for w in common if w in phrases or exact[w] >> 3}
                if common:
                    aligned = len(read_words) == len(text_words)
                    hits = [w in common and not (aligned and w == text_words[i]) for i, w in enumerate(read_words)]
                    self._match_keyed(read_words, hits, reach, hide)
        for reading in _WORDWISE:
            if reading.trigger(text):
                self._match_wordwise(text_words, reading.read, reach, hide)
        if needs_transliteration(text):
            # The other script's words romanized, the Latin words left out (they were
            # matched as they are: "Who painted the …" above a Chinese answer is no
            # rendering). A near miss of a romanization is a sound-alike, not a proof.
            romanized = tokens(transliterate(_LATIN_WORDS.sub("\n", text)))
            for match in self._find_plain(" ".join(romanized), use_case=False):
                if match.direct and match.kind != "fuzzy":
                    hide(match.target_id, match.span)
                elif match.kind == "fuzzy":
                    hide(match.target_id, match.span, "sounds_like", 0.6)
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
            # A whole name of several parts whose every part sounds like the target's part
            # in its place, by the coarser part keys (Chinese, Arabic, Korean renderings):
            # direct when one target owns the key and the letters agree, else a candidate.
            for run in runs:
                for target_id, span, direct in self._sounds_by_part(run.words):
                    if direct:
                        hide(target_id, span)
                    else:
                        hide(target_id, span, "sounds_like", 0.6)
            words_of_runs = [tokens(" ".join(run.words)) for run in runs]
            if self._loose:
                words_of_runs.append(tokens(romanized_syllables(text)))
            for run_words in words_of_runs:
                for target_id, span in self._sounds_like(run_words, loose=self._loose):
                    hide(target_id, span, "sounds_like", 0.6)
        return list(found.values())

    def _find_decoded(self, text: str, hide: Callable[..., None]) -> None:
        """Names in the decoded readings of ``text`` (markup, percent-encoding, character
        codes, Morse ...: the ``decoded`` shape of :data:`alu.text.READINGS`), as words
        and as letters spelled out; each decoded text is read once more, up to
        :data:`_DECODE_DEPTH` levels and :data:`_MAX_DECODED` texts."""
        pending, seen = [(text, 0)], {text}
        while pending:
            source, depth = pending.pop()
            for reading in _DECODED:
                if not reading.trigger(source):
                    continue
                for decoded in reading.read(source):
                    if decoded in seen or len(seen) > _MAX_DECODED:
                        continue
                    seen.add(decoded)
                    self._match_decoded(decoded, reading.name, hide)
                    if depth + 1 < _DECODE_DEPTH:
                        pending.append((decoded, depth + 1))

    def _match_decoded(self, decoded: str, how: str, hide: Callable[..., None]) -> None:
        """Direct mentions in one decoded text: as words (its look-alike and symbol views
        too), and as letters spelled out when it holds single letters."""
        for view in (decoded, *readings(decoded)):
            for match in self._find_plain(view, use_case=False):
                if match.direct:
                    hide(match.target_id, f"{how}: {match.span}")
            words = tokens(view)
            # Letters spelled out (Morse, letter numbers, letters in table cells …): a
            # decoded text of ordinary words is not read for glued pieces ("to ward").
            if sum(len(word) == 1 for word in words) >= _MIN_LETTERS:
                for target_id, span in self._spelled_out(words):
                    hide(target_id, f"{how}: {span}")

    def _match_wordwise(
        self,
        text_words: Sequence[str],
        read: Callable[[str], list[str]],
        reach: int,
        hide: Callable[..., None],
    ) -> None:
        """Direct mentions in the text read word by word (a ``words`` reading), around
        the read words of three letters or more that are registered keys (a name's
        first words, or a name word) and differ from the word as written; ordinary words
        cost a look-up or two."""
        exact, partial = self._exact, self._partial
        picked = list(text_words)
        hits = [False] * len(picked)
        for i, word in enumerate(text_words):
            for candidate in read(word):
                if len(candidate) > 2 and candidate != word and (candidate in exact or candidate in partial):
                    picked[i], hits[i] = candidate, True
                    break
        spans: list[list[int]] = []
        for i, hit in enumerate(hits):
            if hit:
                low, high = max(0, i - reach + 1), i + reach
                if spans and low <= spans[-1][1]:
                    spans[-1][1] = high
                else:
                    spans.append([low, high])
        for low, high in spans:
            for match in self._find_plain(" ".join(picked[low:high]), use_case=False):
                if match.direct and match.kind != "fuzzy":  # a near miss of gibberish is chance
                    hide(match.target_id, match.span)

    def _match_keyed(self, words: Sequence[str], hits: Sequence[bool], reach: int, hide: Callable[..., None]) -> None:
        """Direct mentions in ``words`` (the text read through a letter substitution)
        that begin at a word marked in ``hits`` (a registered key): each such span is
        matched with ``reach`` words after it when it begins a registered name (a
        one-word name, or a pair of words that begins one), so gibberish costs nothing."""
        exact, phrases = self._exact, self._phrases
        count = len(words)
        for i, word in enumerate(words):
            if not hits[i] or word not in exact:
                continue
            if word in phrases or (i + 1 < count and f"{word} {words[i + 1]}" in exact):
                for match in self._find_plain(" ".join(words[i : i + reach]), use_case=False):
                    if match.direct and match.kind != "fuzzy":  # a near miss of gibberish is chance
                        hide(match.target_id, match.span)

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
                for target_id in owners_of(compact[first]):
                    yield target_id, first
            if start + 1 == count:
                break
            second = pieces[start + 1]
            joined = first + second  # "Pen FaulknerAward": two words glued into one
            if joined in compact and f"{first} {second}" not in phrases:
                for target_id in owners_of(compact[joined]):
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
                    owners = set(owners_of(entry))
                    if owner_count(partial) <= MAX_POSTING:
                        owners.update(owners_of(partial))
                    for target_id in owners:
                        yield target_id, " ".join(pieces[start : start + n])
                if len(word) > 3:
                    break  # pieces are short; a long word may only end the span
