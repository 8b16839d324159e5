"""Letters written as codes: character codes in program text (``chr(74)+chr(97)``,
``\\u004a\\u0061``, ``String.fromCharCode(74,97)``, ``0x4a 0x61``, ``U+004A``), runs of
numbers in base 2, 8, 10 or 16 that are character codes (``74 97 110 101``,
``4a 61 6e 65``, ``4a616e65``, ``01001010 01100001``), letter numbers (A1Z26:
``10 1 14 5``), Morse code (``.--- .- -. .``) and Bacon's cipher (``ABAAB AAAAA``).

Every reader here is one left-to-right scan with patterns that have no nested or
overlapping unbounded repeats: linear in the text.
"""

from __future__ import annotations

import re

__all__ = ["MORSE", "a1z26_read", "bacon_read", "code_runs_read", "escapes_read", "has_codes", "morse_read"]

# -- escapes and calls that write one character each ------------------------------------

_ESCAPE = re.compile(
    r"\\[uU]\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\x([0-9A-Fa-f]{2})"
    r"|\\([0-3][0-7]{2})|\b[Uu]\+([0-9A-Fa-f]{4,6})\b"
    r"|\b(?:chr|unichr|char|ChrW?|CHAR|String\.fromCodePoint|Character\.toChars)\s*\(\s*(?:0[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}))\s*\)"
    r"|\(char\)\s*(?:0[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}))"
)
_BASES = (16, 16, 16, 16, 8, 16, 16, 10, 16, 10)
_CALL_LIST = re.compile(
    r"\b(?:String\.fromCharCode|fromCharCode|bytes|bytearray|chr)\s*\(\s*\[?([0-9xXA-Fa-f,\s]{1,4000})\]?\s*\)"
)
_TRIGGER = re.compile(r"[0-9\\]")


def _char(code: int) -> str:
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""


def escapes_read(text: str) -> str | None:
    """``text`` with escapes (``\\u004a``, ``\\x4a``, ``\\112``, ``U+004A``) and character
    calls (``chr(74)``, ``(char)74``, ``String.fromCharCode(74, 97)``) replaced by their
    characters, and the ``+``/``,`` glue between them dropped; None when there are none."""
    if not any(mark in text for mark in ("\\", "+", "(", "U+", "u+")):
        return None

    def one(match: re.Match[str]) -> str:
        for group, base in zip(match.groups(), _BASES):
            if group:
                return _char(int(group, base))
        return match.group()

    def many(match: re.Match[str]) -> str:
        codes = [part.strip() for part in match.group(1).split(",")]
        try:
            return "".join(_char(int(code, 0)) for code in codes if code)
        except ValueError:
            return match.group()

    read = _CALL_LIST.sub(many, text)
    read = _ESCAPE.sub(one, read)
    if read == text:
        return None
    # chr(74)+chr(97)... leaves "J"+"a"+...: drop the glue between single characters.
    return re.sub(r"(?<=\S)\s*\+\s*(?=\S)|['\"](?=\S)|(?<=\S)['\"]", "", read)


# -- runs of numbers --------------------------------------------------------------------

# A number token (optionally 0x / 0b / 0o prefixed); runs of them with short separators.
_NUMBER = re.compile(r"(?<![\w])(?:0[xXbBoO])?[0-9A-Fa-f]{1,16}(?![\w])")
_SEPARATORS = frozenset(" ,;:-/|\t\n\r")
_MIN_RUN = 3


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def _number_runs(text: str, keep=_has_digit) -> list[list[str]]:
    """Runs of three or more number-like tokens that ``keep`` accepts (by default: those
    with a digit, as the code of every ASCII letter has) separated by at most three
    separator characters (space, comma, dash ...): one scan."""
    runs: list[list[str]] = []
    current: list[str] = []
    last_end = -1
    for match in _NUMBER.finditer(text):
        gap = text[last_end : match.start()] if last_end >= 0 else ""
        token = match.group()
        if current and (not keep(token) or len(gap) > 3 or not gap or any(ch not in _SEPARATORS for ch in gap)):
            if len(current) >= _MIN_RUN:
                runs.append(current)
            current = []
        if keep(token):
            current.append(token)
        last_end = match.end()
    if len(current) >= _MIN_RUN:
        runs.append(current)
    return runs


def _printable_letters(read: str) -> bool:
    letters = sum(ch.isalpha() for ch in read)
    return read.isprintable() and letters >= 3 and letters * 4 >= len(read) * 3 - 4


def code_runs_read(text: str) -> list[str]:
    """The texts that runs of character codes in ``text`` spell, in each base they are
    valid in (binary, octal, decimal, hexadecimal: ``74 97 110 101`` is decimal and octal
    at once, so both are read); a long hexadecimal token (``4a616e65``) read as bytes.
    Only readings that are mostly letters count (a hash or a date reads as nothing)."""
    out: list[str] = []
    for run in _number_runs(text):
        tokens = [t.lower() for t in run]
        for base, prefix in ((2, "0b"), (8, "0o"), (10, ""), (16, "0x")):
            try:
                codes = [int(t[2:] if prefix and t.startswith(prefix) else t, base) for t in tokens]
            except ValueError:
                continue
            read = "".join(_char(c) for c in codes if c < 0x110000)
            if _printable_letters(read):
                out.append(read)
    for match in re.finditer(r"(?<![\w])(?:0[xX])?((?:[0-9A-Fa-f]{2}){3,64})(?![\w])", text):
        try:
            read = bytes.fromhex(match.group(1)).decode("utf-8")
        except ValueError:
            continue
        if _printable_letters(read):
            out.append(read)
    return out


def _letter_number(token: str) -> bool:
    return token.isdigit() and len(token) <= 2 and 1 <= int(token) <= 26


def a1z26_read(text: str) -> list[str]:
    """Runs of letter numbers (1 = a … 26 = z: ``10 1 14 5``), as spaced letters."""
    out: list[str] = []
    for run in _number_runs(text, keep=_letter_number):
        out.append(" ".join(chr(ord("a") + int(t) - 1) for t in run))
    return out


def has_codes(text: str) -> bool:
    """Cheap pre-check: a digit or a backslash (every code reading needs one)."""
    return _TRIGGER.search(text) is not None


# -- Morse and Bacon --------------------------------------------------------------------

MORSE: dict[str, str] = {
    ".-": "a", "-...": "b", "-.-.": "c", "-..": "d", ".": "e", "..-.": "f", "--.": "g", "....": "h",
    "..": "i", ".---": "j", "-.-": "k", ".-..": "l", "--": "m", "-.": "n", "---": "o", ".--.": "p",
    "--.-": "q", ".-.": "r", "...": "s", "-": "t", "..-": "u", "...-": "v", ".--": "w", "-..-": "x",
    "-.--": "y", "--..": "z", "-----": "0", ".----": "1", "..---": "2", "...--": "3", "....-": "4",
    ".....": "5", "-....": "6", "--...": "7", "---..": "8", "----.": "9",
}  # fmt: skip
"""International Morse code: dots and dashes to letters and digits."""
_MORSE_CHARS = str.maketrans({"·": ".", "•": ".", "∙": ".", "*": ".", "−": "-", "–": "-", "—": "-", "_": "-"})
_MORSE_TOKEN = re.compile(r"[.\-]{1,6}|[/|]")


def morse_read(text: str) -> list[str]:
    """Runs of three or more Morse letters (``.--- .- -. .``; ``/`` or ``|`` between
    words), as spaced letters. Dots and dashes may be written ``·``, ``•``, ``−``, ``—``, ``_``."""
    if "-" not in text and "." not in text and not any(ch in text for ch in "·•∙−–—_"):
        return []
    out: list[str] = []
    letters: list[str] = []
    last = ""
    for word in (*text.translate(_MORSE_CHARS).split(), ""):
        code = word.rstrip(",;:!?")
        letter = MORSE.get(code)
        if letter is None and code.endswith(".") and code[:-1] in MORSE:
            letter = MORSE[code[:-1]]  # the period that ends a sentence
        if letter is not None or word in ("/", "|"):
            if letter is not None:
                letters.append(letter)
                last = code
            continue
        if len(letters) >= _MIN_RUN:
            out.append(" ".join(letters))
            if last.endswith(".") and last[:-1] in MORSE:  # its last dot may end the sentence
                out.append(" ".join([*letters[:-1], MORSE[last[:-1]]]))
        letters = []
    return out


_BACON_GROUP = re.compile(r"(?<![A-Za-z])[ABab]{5}(?![A-Za-z])")


def bacon_read(text: str) -> list[str]:
    """Runs of three or more groups of five A/B letters (Bacon's cipher, both its 26-letter
    and its 24-letter alphabet), as spaced letters."""
    if "aa" not in text.lower() and "bb" not in text.lower():
        return []
    groups = [m.group().lower() for m in _BACON_GROUP.finditer(text)]
    if len(groups) < _MIN_RUN:
        return []
    values = [int(g.replace("a", "0").replace("b", "1"), 2) for g in groups]
    out = [" ".join(chr(ord("a") + v) for v in values if v < 26)]
    # 24 letters: i = j and u = v share a code
    old = "abcdefghiklmnopqrstuwxyz"
    out.append(" ".join(old[v] for v in values if v < 24))
    return out
