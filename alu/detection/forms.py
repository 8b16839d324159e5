"""Partial forms of a name that still name it unambiguously: direct mentions of kind
``"form"``, found in the text as written and in every reading of it (so the passthrough
decision and every later check see them alike).

- **Reversed order**: the last word first, then the rest ("Austen, Jane", "Tolkien, John
  Ronald Reuel"; a field list ``{"last": "Austen", "first": "Jane"}`` read by
  :mod:`alu.text.fields`): in the text, the two stand apart by spaces or a comma only
  (not "… Austen. Jane said"), or, where the text does not spell them plainly, are
  written like a name.
- **A title with the surname** ("Miss Austen", "Mr. Darcy", "Dr Watson") for a person
  (kind ``person`` or ``other``) whose name has two words or more; after a title that is
  also an everyday word ("General", "Judge"), the surname written like a name in cased
  text. Direct only while at most :data:`SURNAME_DIRECT_MAX`
  registered names end in that word: a title with a surname many targets share ("Mr.
  Smith" among thousands of Smiths) is a judge candidate, as the surname alone is.
- **A middle initial** inside the name ("Jane Q. Austen", up to two letters: "John R. R.
  Smith"). A parenthesis inside the name ("Jane (née Smith) Austen") is removed by the
  asides reading (:mod:`alu.text.fields`) and the name found there.

A surname alone ("Austen") stays a judge candidate (kind ``partial``). Every look-up is
a dictionary probe keyed by the text's words: the cost is linear in the text, whatever
the number of targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from alu.detection.keys import CALENDAR_WORDS, INITIALS_KINDS, WordInfo, distinctive
from alu.detection.match import Match
from alu.detection.postings import Posting, owner_count, owners_of
from alu.detection.tables import IndexTables
from alu.domain import Target

__all__ = ["HONORIFICS", "SURNAME_DIRECT_MAX", "TITLES", "FormLookups", "form_keys"]

SURNAME_DIRECT_MAX = 3
"""A title with a surname is a direct mention while at most this many registered names
end in that surname (else it is a judge candidate)."""

HONORIFICS: frozenset[str] = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "mme",
        "mlle",
        "mademoiselle",
        "monsieur",
        "madame",
        "herr",
        "frau",
        "fraulein",
        "senor",
        "senora",
        "senorita",
        "signor",
        "signora",
        "signorina",
    ]
)
"""Titles that are nothing but a title (folded: "Mr." is ``mr``): the word after one is
a name however it is written ("miss austen" in a cased sentence)."""

TITLES: frozenset[str] = HONORIFICS | frozenset(
    [
        "master",
        "doctor",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "madam",
        "don",
        "dona",
        "rev",
        "reverend",
        "fr",
        "father",
        "sister",
        "brother",
        "captain",
        "capt",
        "general",
        "gen",
        "colonel",
        "col",
        "major",
        "lieutenant",
        "lt",
        "sergeant",
        "sgt",
        "admiral",
        "commander",
        "president",
        "senator",
        "governor",
        "judge",
        "justice",
        "chancellor",
        "minister",
        "ambassador",
        "king",
        "queen",
        "prince",
        "princess",
        "duke",
        "duchess",
        "earl",
        "countess",
        "baron",
        "baroness",
        "emperor",
        "empress",
        "pope",
        "rabbi",
        "imam",
        "sheikh",
        "uncle",
        "aunt",
    ]
)
"""Words that stand before a surname as a title; those that are also everyday words
("general", "judge") need the surname written like a name in cased text."""


def form_keys(target: Target, phrases: Sequence[str]) -> tuple[list[str], list[str]]:
    """The reversed forms of a target's names ("austen jane") and the surnames it
    answers to with a title ("austen"), for a person-like target (see the module
    docstring); both empty for a work, a place, an organization or a topic."""
    if target.kind not in INITIALS_KINDS:
        return [], []
    reversed_forms: list[str] = []
    surnames: list[str] = []
    for phrase in phrases:
        words = phrase.split()
        if not 2 <= len(words) <= 4 or not all(w.isalpha() for w in words):
            continue
        last = words[-1]
        if not distinctive(last) or last in CALENDAR_WORDS or len(words[0]) < 2:
            continue
        form = " ".join([last, *words[:-1]])
        if form not in reversed_forms:
            reversed_forms.append(form)
        if last not in surnames:
            surnames.append(last)
    return reversed_forms, surnames


def _reversed_in_text(text: str, last: str, first: str, named: bool) -> bool:
    """Whether "last first" stands in ``text`` as one name: separated by spaces or a
    comma ("Austen, Jane", "AUSTEN Jane"), not by a sentence's end ("… Austen. Jane
    said"); where the text does not spell the folded words (accents, a reading), the
    words must be written like a name (``named``)."""
    pair = rf"(?i)\b{re.escape(last)}"
    if re.search(pair + rf"[\s,]*{re.escape(first)}\b", text):
        return True
    if re.search(pair + rf"\W+{re.escape(first)}\b", text):
        return False
    return named


class FormLookups(IndexTables):
    """:meth:`_find_forms` over a :class:`~alu.detection.index.TargetIndex`'s tables
    ``_reversed`` (reversed form -> owners) and ``_surnames`` (last word -> owners)."""

    _reversed: dict[str, Posting]
    _surnames: dict[str, Posting]

    def _find_forms(
        self,
        text: str,
        words: Sequence[str],
        infos: Sequence[WordInfo],
        named: frozenset[str] | None,
    ) -> Iterable[tuple[int, int, Match]]:
        """(words in span, start, match) for each partial form in ``words`` (see the
        module docstring)."""
        count = len(words)
        if count < 2:
            return
        reversed_forms, surnames, exact, phrases = self._reversed, self._surnames, self._exact, self._phrases
        for i, word in enumerate(words):
            # A title with the surname.
            if word in TITLES and i + 1 < count:
                last = words[i + 1]
                entry = surnames.get(last)
                as_name = named is None or last in named or word in HONORIFICS
                if entry is not None and as_name and owner_count(entry) <= SURNAME_DIRECT_MAX:
                    for target_id in owners_of(entry):
                        yield 2, i, Match(target_id, "form", f"{word} {last}", 0.95)
            # Reversed order: the surname, then the rest of the name.
            if infos[i].partial is not None and word in surnames and i + 1 < count:
                gram = word
                for n in range(2, min(5, count - i + 1)):
                    gram = f"{gram} {words[i + n - 1]}"
                    entry = reversed_forms.get(gram)
                    if entry is None:
                        continue
                    rest = words[i + 1 : i + n]
                    as_name = named is None or all(w in named for w in (word, *rest))
                    if _reversed_in_text(text, word, rest[0], as_name):
                        for target_id in owners_of(entry):
                            yield n, i, Match(target_id, "form", gram, 0.95)
            # A middle initial (one or two single letters) inside the name.
            if len(word) == 1 and word.isalpha() and 0 < i < count - 1:
                end = i + 1
                while end < count - 1 and len(words[end]) == 1 and end - i < 2:
                    end += 1
                if len(words[end]) < 2:
                    continue
                for back in (1, 2, 3):
                    if i - back < 0:
                        break
                    base = " ".join(words[i - back : i])
                    if exact.get(base, 0) >> 3 == 0:
                        continue  # begins no registered key
                    gram = base
                    for stop in range(end, min(count, end + self._max_phrase_tokens)):
                        gram = f"{gram} {words[stop]}"
                        flags = exact.get(gram, 0)
                        entry = phrases.get(gram) if flags & 1 else None
                        if entry is not None:
                            span = " ".join(words[i - back : stop + 1])
                            for target_id in owners_of(entry):
                                yield stop + 1 - (i - back), i - back, Match(target_id, "form", span, 0.95)
                        if flags >> 3 == 0:
                            break
