"""Layer 1, text: folding and the readings that undo the usual ways of hiding a name.

Lives here: :mod:`~alu.text.folding` (``normalize``, ``tokens``, ``STOPWORDS``: what
every comparison of names works on) and one module per hidden-name reading:
:mod:`~alu.text.homoglyphs`, :mod:`~alu.text.leet`, :mod:`~alu.text.scripts`
(transliteration, name runs), :mod:`~alu.text.sounds` (sound skeletons),
:mod:`~alu.text.fields` (asides taken out of a name, structured fields' values),
:mod:`~alu.text.ciphers` (ROT13, base64, NATO); :mod:`~alu.text.readings` combines the
character-for-character ones. Strings in, strings out: nothing here knows targets.

May import: the standard library and third-party text libraries only (no ``alu``
module outside this package).

Why the readings exist:

Why it exists: a model asked to "write the name with a space between the letters", in
leetspeak, in Cyrillic letters, or spelled letter by letter slips the name past plain
matching; the deterministic layer (the auditor's first stage, the critic's cap and the
composer's final check) must block those too, whatever the agents say. Each reading here
is a *text*, matched by :class:`alu.detection.TargetIndex` like any other; this package
only decides which readings a text needs, so an ordinary English answer costs one quick
scan and no extra matching.

- **look-alike letters** (homoglyphs): letters of other scripts drawn like Latin ones
  ("Jаne" with a Cyrillic а, Greek "Αusten") take the Latin letter. The table comes from
  Unicode's confusables data (TR39) as shipped by ``confusable_homoglyphs``, plus the
  small-capital look-alikes it lacks (Cyrillic к м т н в);
- **leetspeak**: inside a word that mixes letters with digits or symbols ("J4n3",
  "@usten", "Au$ten"), 4→a, 3→e, 0→o, 1→i (or l), 5→s, 7→t, @→a, $→s …;
- **other scripts**: a name written in another script ("Джейн Остин", "ジェーン・オースティン")
  is transliterated (``anyascii``, with the spellings it reads letter by letter fixed:
  see :func:`transliterate`) and compared by its sound skeleton (see
  :func:`sound_skeleton`), since transliteration rarely gives back the English spelling;
  :func:`name_runs` says where the script itself marks words as a name; whole names of
  several parts are also compared by a coarser key per part (:func:`name_keys`,
  :func:`text_name_keys`: Chinese, Arabic and Korean renderings drop or add what English
  writes) with :func:`name_closeness` as the letters' evidence beside it;
- **ciphers**: ROT13 (tried only where a rotated word pair begins a registered name),
  base64 tokens (decoded when they hold text) and the NATO spelling alphabet ("Juliett
  Alfa November Echo");
- **spelled out**: letters or short pieces separated by spaces, dots, dashes or lines
  ("J a n e  A u s t e n", "J-A-N-E", "Ja ne Aus ten") are joined and compared with
  names written without spaces; so are words written backwards ("netsuA enaJ").

Invisible characters (zero-width spaces, soft hyphens, direction marks) are dropped by
:func:`alu.text.normalize` itself, and full-width or mathematical letters ("𝐉𝐚𝐧𝐞")
are folded by its NFKC step, so neither needs a reading of its own.
"""

from alu.text.ciphers import (
    KEYBOARD,
    LETTER_NAMES,
    NATO,
    SUBSTITUTIONS,
    base32_texts,
    base64_texts,
    letter_name_runs,
    nato_runs,
    pig_latin_candidates,
    rot13,
)
from alu.text.codes import MORSE, a1z26_read, bacon_read, code_runs_read, escapes_read, has_codes, morse_read
from alu.text.folding import (
    STOPWORDS,
    forget_folded_texts,
    name_like_words,
    normalize,
    tokens,
)
from alu.text.homoglyphs import fold_homoglyphs, homoglyph_table
from alu.text.leet import LEET, fold_leet, has_leet
from alu.text.markup import has_markup, has_percent, markup_read, percent_read
from alu.text.readings import READINGS, Reading, readings
from alu.text.scripts import (
    NameRun,
    name_runs,
    needs_transliteration,
    romanized_syllables,
    transliterate,
)
from alu.text.sounds import loose_name_key, name_closeness, name_keys, sound_skeleton, text_name_keys, word_name_keys
from alu.text.symbols import fold_symbols, has_upside_down, symbol_table, upside_down_read

__all__ = [
    "KEYBOARD",
    "LEET",
    "LETTER_NAMES",
    "MORSE",
    "NATO",
    "READINGS",
    "STOPWORDS",
    "SUBSTITUTIONS",
    "NameRun",
    "Reading",
    "a1z26_read",
    "bacon_read",
    "base32_texts",
    "base64_texts",
    "code_runs_read",
    "escapes_read",
    "fold_homoglyphs",
    "fold_leet",
    "fold_symbols",
    "forget_folded_texts",
    "has_codes",
    "has_leet",
    "has_markup",
    "has_percent",
    "has_upside_down",
    "homoglyph_table",
    "letter_name_runs",
    "loose_name_key",
    "markup_read",
    "morse_read",
    "name_closeness",
    "name_keys",
    "name_like_words",
    "name_runs",
    "nato_runs",
    "needs_transliteration",
    "normalize",
    "percent_read",
    "pig_latin_candidates",
    "readings",
    "romanized_syllables",
    "rot13",
    "sound_skeleton",
    "symbol_table",
    "text_name_keys",
    "tokens",
    "transliterate",
    "upside_down_read",
    "word_name_keys",
]
