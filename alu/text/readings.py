"""The readings of a text: the text as a reader sees it, one table of ways a name is
hidden, each with a cheap trigger and a cost linear in the text.

A reading has a *shape*, which says how the detector matches what it reads
(:mod:`alu.detection.hidden`):

- ``view``: character for character (look-alike letters, letter-like symbols, leetspeak):
  matched only where the view differs from the text;
- ``decoded``: a decoded text (markup, percent-encoding, an aside taken out of a name,
  structured fields' values, character codes, Morse ...):
  matched whole, as words and as letters spelled out, and read once more (an encoding
  inside another: ``%26%2374%3B`` is ``&#74;`` is ``J``);
- ``substitution``: the whole text read through a letter substitution (every Caesar
  shift, Atbash, ROT47, a keyboard one key off): matched only where a read word is a registered
  key, so ordinary prose costs a translate and a set intersection per table;
- ``words``: each folded word read on its own (pig latin, a word backwards): a read
  word is kept only where it is a registered key.

The trigger is what keeps ordinary prose cheap: a reading runs only on a text its
trigger accepts (one ``in`` test or one regex search, linear). No pattern of any reading
has nested or overlapping unbounded repeats. ``alu bench readings`` prints each
reading's cost per 1,000 characters at growing lengths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from alu.text.ciphers import (
    KEYBOARD,
    LETTER_NAMES,
    NATO,
    SUBSTITUTIONS,
    base32_texts,
    base64_texts,
    keyboard_reads,
    letter_name_runs,
    nato_runs,
    pig_latin_candidates,
)
from alu.text.codes import a1z26_read, bacon_read, code_runs_read, escapes_read, has_codes, morse_read
from alu.text.fields import asides_read, field_values_read, has_aside, has_fields
from alu.text.folding import tokens
from alu.text.homoglyphs import fold_homoglyphs, fold_homoglyphs_by_case, fold_homoglyphs_l
from alu.text.leet import fold_leet, has_leet
from alu.text.markup import has_markup, has_percent, markup_read, percent_read
from alu.text.symbols import fold_symbols, has_upside_down, symbol_table, upside_down_read

__all__ = ["READINGS", "Reading", "Shape", "readings"]

Shape = Literal["view", "decoded", "substitution", "words"]


@dataclass(frozen=True)
class Reading:
    """One way of reading a text (see the module docstring)."""

    name: str
    family: str
    shape: Shape
    trigger: Callable[[str], bool]
    """Cheap test on the raw text: False means the reading gives nothing."""
    read: Callable[[str], list[str]]
    """The text → its readings (for ``words``: a folded word → the words it may stand for)."""


def _always(text: str) -> bool:
    return True


def _non_ascii(text: str) -> bool:
    return not text.isascii()


def _changed(value: str, text: str) -> list[str]:
    return [value] if value != text else []


def _symbols(text: str) -> list[str]:
    return _changed(fold_symbols(text), text)


def _has_symbols(text: str) -> bool:
    if text.isascii():
        return False
    table = symbol_table()
    return any(ord(ch) in table for ch in text)


def _homoglyphs(text: str) -> list[str]:
    out = _changed(fold_homoglyphs(text), text)
    if not out:
        return out
    for other in (fold_homoglyphs_l(text), fold_homoglyphs_by_case(text)):
        if other and other not in out:
            out.append(other)
    return out


def _leet(text: str) -> list[str]:
    out: list[str] = []
    for one_as in ("i", "l"):
        read = fold_leet(text, one_as=one_as)
        if read != text and read not in out:
            out.append(read)
    return out


def _escapes(text: str) -> list[str]:
    read = escapes_read(text)
    return [read] if read else []


def _percent(text: str) -> list[str]:
    return _changed(percent_read(text), text)


def _upside_down(text: str) -> list[str]:
    return [upside_down_read(text)]


def _spelled(runs: list[list[str]]) -> list[str]:
    return [" ".join(run) for run in runs]


def _nato(text: str) -> list[str]:
    words = tokens(text)
    return _spelled(nato_runs(words)) if not NATO.keys().isdisjoint(words) else []


def _letter_names(text: str) -> list[str]:
    words = tokens(text)
    return _spelled(letter_name_runs(words)) if not LETTER_NAMES.keys().isdisjoint(words) else []


def _substitution(table: dict[int, int]) -> Callable[[str], list[str]]:
    """Read through ``table``: ``bytes.translate`` for ASCII text (a C loop over a
    256-byte table, about 30 times faster than ``str.translate`` with a dict)."""
    fast = bytes(table.get(code, code) for code in range(128)) + bytes(range(128, 256))

    def read(text: str) -> list[str]:
        if text.isascii():
            return [text.encode("ascii").translate(fast).decode("ascii")]
        return [text.translate(table)]

    return read


def _backwards_word(word: str) -> list[str]:
    return [word[::-1]]


def _has_ay(text: str) -> bool:
    return "ay" in text or "AY" in text or "Ay" in text


# Three Morse letters in a row (dots and dashes as any of the ways they are written).
_MORSE_RUN = re.compile(r"[.\-·•∙*−–—_]{1,6}[ \t/|]+[.\-·•∙*−–—_]{1,6}[ \t/|]+[.\-·•∙*−–—_]")


def _has_morse(text: str) -> bool:
    return _MORSE_RUN.search(text) is not None


def _has_bacon(text: str) -> bool:
    low = text.lower()
    return "aaa" in low or "aab" in low or "abb" in low or "bbb" in low or "bab" in low or "baa" in low


READINGS: tuple[Reading, ...] = (
    # Character for character, chained in this order (each reads the one before).
    Reading("letter-like symbols", "symbols", "view", _has_symbols, _symbols),
    Reading("look-alike letters", "symbols", "view", _non_ascii, _homoglyphs),
    Reading("leetspeak", "symbols", "view", has_leet, _leet),
    # Decoded texts.
    Reading("markup and character references", "markup", "decoded", has_markup, markup_read),
    Reading("percent-encoding", "markup", "decoded", has_percent, _percent),
    Reading("asides taken out", "structure", "decoded", has_aside, asides_read),
    Reading("structured field values", "structure", "decoded", has_fields, field_values_read),
    Reading("escapes and character calls", "codes", "decoded", has_codes, _escapes),
    Reading("character-code runs (bases 2, 8, 10, 16)", "codes", "decoded", has_codes, code_runs_read),
    Reading("letter numbers (A1Z26)", "codes", "decoded", has_codes, a1z26_read),
    Reading("base64", "codes", "decoded", _always, base64_texts),
    Reading("base32", "codes", "decoded", _always, base32_texts),
    Reading("Morse code", "codes", "decoded", _has_morse, morse_read),
    Reading("Bacon's cipher", "codes", "decoded", _has_bacon, bacon_read),
    Reading("upside-down text", "symbols", "decoded", has_upside_down, _upside_down),
    Reading("NATO alphabet", "letter games", "decoded", _always, _nato),
    Reading("letter names", "letter games", "decoded", _always, _letter_names),
    # Letter substitutions, one reading per table.
    *(
        Reading(name, name.split()[0], "substitution", _always, _substitution(table))
        for name, table in SUBSTITUTIONS.items()
    ),
    # Word by word.
    Reading("pig latin", "letter games", "words", _has_ay, pig_latin_candidates),
    Reading("words backwards", "letter games", "words", _always, _backwards_word),
    *(Reading(name, "keyboard", "substitution", _always, keyboard_reads(table)) for name, table in KEYBOARD.items()),
)
"""Every reading the detector applies (see the module docstring)."""

_VIEWS = tuple(r for r in READINGS if r.shape == "view")


def readings(text: str) -> list[str]:
    """The character-for-character views of ``text`` worth matching: letter-like symbols
    read as letters, look-alike letters folded (ӏ read as i and as l), then leetspeak
    undone (both readings of 1), each applied to the views before. Empty for ordinary ASCII prose.

    The other shapes are applied by :class:`alu.detection.TargetIndex` (they need its
    tables to stay cheap): see :data:`READINGS`.
    """
    found: list[str] = []
    bases = [text]
    for reading in _VIEWS:
        read = [view for base in bases if reading.trigger(base) for view in reading.read(base)]
        for view in read:
            if view not in found:
                found.append(view)
        if read and reading.name != "leetspeak":
            bases = read[:_MAX_BASES]
    return found


_MAX_BASES = 2  # views a reading applies to (look-alike letters read two ways)
