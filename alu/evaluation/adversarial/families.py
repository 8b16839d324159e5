"""The adversarial suite's own definitions of the ways to hide a name (encoders), written
apart from the detector: nothing here imports :mod:`alu.text` or :mod:`alu.detection`
(an import-linter contract says so), so the suite can test more than the detector's own
tables know. Shared by the generator (:mod:`.suite`) and the independent leak checker
(:mod:`.checker`).

Each family maps ``(name, rng) -> hidden text``. Families are grouped (``FAMILY_GROUPS``)
by what a reader undoes: symbols, spelling, markup, codes, substitutions, letter games.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Callable
from urllib.parse import quote

__all__ = [
    "ASCII_GROUPS",
    "FAMILIES",
    "FAMILY_GROUPS",
    "LETTER_WORDS",
    "LOOKALIKES",
    "MORSE",
    "NAME_FORMS",
    "NATO_WORDS",
    "QWERTY_ROWS",
    "Encoder",
    "caesar",
]

Encoder = Callable[[str, random.Random], str]

# -- the generator's own tables ---------------------------------------------------------

LOOKALIKES: dict[str, str] = {
    "a": "аα", "c": "сϲ", "d": "ԁ", "e": "еε", "h": "һ", "i": "іι", "j": "ј", "k": "κ", "l": "ӏ",
    "n": "ո", "o": "оο", "p": "рρ", "q": "ԛ", "r": "г", "s": "ѕ", "u": "υ", "v": "ν", "w": "ѡ",
    "x": "хχ", "y": "у", "A": "АΑ", "B": "ВΒ", "C": "СϹ", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ",
    "J": "Ј", "K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ", "P": "РΡ", "S": "Ѕ", "T": "ТΤ",
    "X": "ХΧ", "Y": "УΥ", "Z": "Ζ",
}  # fmt: skip
"""Latin letter → Cyrillic and Greek letters drawn like it (picked by eye, not from TR39)."""

NATO_WORDS = [
    "Alfa",
    "Bravo",
    "Charlie",
    "Delta",
    "Echo",
    "Foxtrot",
    "Golf",
    "Hotel",
    "India",
    "Juliett",
    "Kilo",
    "Lima",
    "Mike",
    "November",
    "Oscar",
    "Papa",
    "Quebec",
    "Romeo",
    "Sierra",
    "Tango",
    "Uniform",
    "Victor",
    "Whiskey",
    "X-ray",
    "Yankee",
    "Zulu",
]
LETTER_WORDS = [
    "ay",
    "bee",
    "see",
    "dee",
    "ee",
    "ef",
    "gee",
    "aitch",
    "eye",
    "jay",
    "kay",
    "el",
    "em",
    "en",
    "oh",
    "pee",
    "cue",
    "ar",
    "ess",
    "tee",
    "you",
    "vee",
    "double-u",
    "ex",
    "why",
    "zed",
]
MORSE = [
    ".-",
    "-...",
    "-.-.",
    "-..",
    ".",
    "..-.",
    "--.",
    "....",
    "..",
    ".---",
    "-.-",
    ".-..",
    "--",
    "-.",
    "---",
    ".--.",
    "--.-",
    ".-.",
    "...",
    "-",
    "..-",
    "...-",
    ".--",
    "-..-",
    "-.--",
    "--..",
]
BRAILLE = "⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚⠅⠇⠍⠝⠕⠏⠟⠗⠎⠞⠥⠧⠺⠭⠽⠵"
UPSIDE_DOWN = "ɐqɔpǝɟƃɥᴉɾʞlɯuodbɹsʇnʌʍxʎz"
QWERTY_ROWS = ("qwertyuiop[", "asdfghjkl;", "zxcvbnm,")


def _letters(name: str) -> list[str]:
    return [c for c in name.lower() if "a" <= c <= "z"]


def _each_letter(name: str, spell: Callable[[str], str], sep: str = " ", word_sep: str = " / ") -> str:
    """Every letter of each word spelled by ``spell``, joined by ``sep``, words by ``word_sep``."""
    return word_sep.join(sep.join(spell(c) for c in _letters(word)) for word in name.split())


def caesar(text: str, shift: int) -> str:
    """``text`` with its ASCII letters shifted by ``shift``."""
    out = []
    for c in text:
        if "a" <= c <= "z" or "A" <= c <= "Z":
            base = ord("a") if c.islower() else ord("A")
            out.append(chr((ord(c) - base + shift) % 26 + base))
        else:
            out.append(c)
    return "".join(out)


def _offset(name: str, upper: int, lower: int | None = None) -> str:
    """Letters moved to a block that draws them (``upper`` for A, ``lower`` for a; a
    block without small letters takes capitals)."""
    out = []
    for c in name:
        if "a" <= c <= "z" or "A" <= c <= "Z":
            if lower is None:
                out.append(chr(upper + ord(c.upper()) - ord("A")))
            elif c.isupper():
                out.append(chr(upper + ord(c) - ord("A")))
            else:
                out.append(chr(lower + ord(c) - ord("a")))
        else:
            out.append(c)
    return "".join(out)


# Double-struck capitals Unicode encodes in the letterlike block, not the mathematical one.
_DOUBLE_STRUCK_HOLES = {0x1D538 + ord(c) - 65: h for c, h in zip("CHNPQRZ", "ℂℍℕℙℚℝℤ")}


def _lookalike(name: str, rng: random.Random, every: bool) -> str:
    spots = [i for i, c in enumerate(name) if c in LOOKALIKES]
    chosen = set(spots) if every else set(rng.sample(spots, min(2, len(spots))))
    return "".join(rng.choice(LOOKALIKES[c]) if i in chosen else c for i, c in enumerate(name))


_LEET = str.maketrans("aeiostgbAEIOSTGB", "4310579843105798")
_SYMBOLS = str.maketrans("asiltASILT", "@$!|+@$!|+")


def _pieces(name: str, rng: random.Random) -> str:
    out = []
    for word in name.split():
        i = 0
        while i < len(word):
            size = rng.choice((2, 3))
            out.append(word[i : i + size])
            i += size
    return " ".join(out)


def _pig_latin(word: str) -> str:
    if len(word.rstrip(".")) < 2:
        return word  # an initial stays as it is
    low = word.lower()
    if low[:1] in "aeiou":
        return word + "way"
    i = 0
    while i < len(low) and low[i] not in "aeiouy":
        i += 1
    moved = low[i:] + low[:i] + "ay"
    return moved.capitalize() if word[:1].isupper() else moved


def _keyboard_right(name: str) -> str:
    out = []
    for c in name:
        low = c.lower()
        row = next((r for r in QWERTY_ROWS if low in r), None)
        if row is None or row.index(low) + 1 >= len(row):
            out.append(c)
            continue
        key = row[row.index(low) + 1]
        out.append(key.upper() if c.isupper() else key)
    return "".join(out)


def _rot47(text: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if "!" <= c <= "~" else c for c in text)


def _tags(name: str) -> str:
    return "".join(chr(0xE0000 + ord(c)) for c in name)


def _bacon(name: str) -> str:
    return _each_letter(name, lambda c: format(ord(c) - 97, "05b").replace("0", "A").replace("1", "B"), " ", "  ")


def _html_words(name: str, rng: random.Random) -> str:
    tags = ["b", "i", "em", "strong", "span"]
    return " ".join(f"<{t}>{w}</{t}>" for w, t in zip(name.split(), (rng.choice(tags) for _ in name.split())))


def _html_inside(name: str, rng: random.Random) -> str:
    out = []
    for word in name.split():
        cut = rng.randint(1, max(1, len(word) - 1))
        out.append(f"{word[:cut]}<b>{word[cut:]}</b>")
    return " ".join(out)


FAMILY_GROUPS: dict[str, dict[str, Encoder]] = {
    "symbols": {
        "homoglyphs (every letter)": lambda n, r: _lookalike(n, r, True),
        "homoglyphs (two letters)": lambda n, r: _lookalike(n, r, False),
        "full-width": lambda n, r: _offset(n, 0xFF21, 0xFF41).replace(" ", "\u3000"),
        "mathematical bold": lambda n, r: _offset(n, 0x1D400, 0x1D41A),
        "mathematical double-struck": lambda n, r: _offset(n, 0x1D538, 0x1D552).translate(_DOUBLE_STRUCK_HOLES),
        "mathematical monospace": lambda n, r: _offset(n, 0x1D670, 0x1D68A),
        "circled letters": lambda n, r: _offset(n, 0x24B6, 0x24D0),
        "negative circled letters": lambda n, r: _offset(n, 0x1F150),
        "squared letters": lambda n, r: _offset(n, 0x1F130),
        "negative squared letters": lambda n, r: _offset(n, 0x1F170),
        "parenthesized letters": lambda n, r: _offset(n, 0x1F110),
        "regional indicators": lambda n, r: _offset(n, 0x1F1E6),
        "small capitals": lambda n, r: n.lower().translate(str.maketrans("abcdefghijklmnopqrstuvwxyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ")),
        "superscript letters": lambda n, r: n.translate(str.maketrans("abdeghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW", "ᵃᵇᵈᵉᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ")),
        "Braille": lambda n, r: " ".join("".join(BRAILLE[ord(c) - 97] for c in _letters(w)) for w in n.split()),
        "upside down": lambda n, r: "".join(UPSIDE_DOWN[ord(c.lower()) - 97] if c.isascii() and c.isalpha() else c for c in n[::-1]),
        "tag characters": lambda n, r: _tags(n),
        "combining underline": lambda n, r: "".join(c + "\u0332" if c.isalpha() else c for c in n),
    },
    "spelling": {
        "plain": lambda n, r: n,
        "leetspeak digits": lambda n, r: n.translate(_LEET),
        "leetspeak symbols": lambda n, r: n.translate(_SYMBOLS),
        "leetspeak + homoglyphs": lambda n, r: _lookalike(n.translate(_LEET), r, False),
        "spaced letters": lambda n, r: "   ".join(" ".join(w) for w in n.split()),
        "hyphen-spelled": lambda n, r: " ".join("-".join(w) for w in n.split()),
        "dotted letters": lambda n, r: " ".join(".".join(w) for w in n.split()),
        "one letter per line": lambda n, r: "\n" + "\n".join(c for c in n if not c.isspace()) + "\n",
        "numbered letters": lambda n, r: "\n" + "\n".join(f"{i}. {c}" for i, c in enumerate((c for c in n if not c.isspace()), 1)) + "\n",
        "split in pieces": _pieces,
        "run together": lambda n, r: n.replace(" ", ""),
        "backwards": lambda n, r: n[::-1],
        "words backwards": lambda n, r: re.sub(r"[^\W\d_]+", lambda m: m.group()[::-1], n),
        "zero-width spaces": lambda n, r: " ".join("\u200b".join(w) for w in n.split()),
        "soft hyphens": lambda n, r: " ".join("\u00ad".join(w) for w in n.split()),
        "alternating case": lambda n, r: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(n)),
        "surname spaced": lambda n, r: " ".join(n.split()[-1]),
        "emoji between letters": lambda n, r: " ".join("✨".join(w) for w in n.split()),
    },
    "markup": {
        "HTML tags around words": _html_words,
        "HTML tags inside words": _html_inside,
        "HTML table cells": lambda n, r: "<tr>" + "".join(f"<td>{w}</td>" for w in n.split()) + "</tr>",
        "non-breaking space entity": lambda n, r: "&nbsp;".join(n.split()),
        "decimal character references": lambda n, r: "".join(f"&#{ord(c)};" for c in n),
        "hex character references": lambda n, r: "".join(f"&#x{ord(c):x};" for c in n),
        "percent-encoding": lambda n, r: "".join(f"%{b:02X}" for b in n.encode()),
        "percent-encoding (URL)": lambda n, r: "https://example.org/search?q=" + quote(n),
        "percent-encoding twice": lambda n, r: quote("".join(f"%{b:02X}" for b in n.encode())),
    },
    "codes": {
        "Python chr() sum": lambda n, r: "+".join(f"chr({ord(c)})" for c in n),
        "JavaScript fromCharCode": lambda n, r: "String.fromCharCode(" + ", ".join(str(ord(c)) for c in n) + ")",
        "\\u escapes": lambda n, r: "".join(f"\\u{ord(c):04x}" for c in n),
        "\\x escapes": lambda n, r: "".join(f"\\x{ord(c):02x}" for c in n),
        "ES6 \\u{} escapes": lambda n, r: "".join(f"\\u{{{ord(c):X}}}" for c in n),
        "C# (char) casts": lambda n, r: " + ".join(f"(char){ord(c)}" for c in n),
        "U+ code points": lambda n, r: " ".join(f"U+{ord(c):04X}" for c in n),
        "0x codes": lambda n, r: " ".join(f"0x{ord(c):02x}" for c in n),
        "decimal codes": lambda n, r: " ".join(str(ord(c)) for c in n),
        "decimal codes, comma list": lambda n, r: "[" + ", ".join(str(ord(c)) for c in n) + "]",
        "hex codes": lambda n, r: " ".join(f"{ord(c):02x}" for c in n),
        "hex string": lambda n, r: n.encode().hex(),
        "binary codes": lambda n, r: " ".join(f"{ord(c):08b}" for c in n),
        "octal codes": lambda n, r: " ".join(f"{ord(c):o}" for c in n),
        "base64": lambda n, r: base64.b64encode(n.encode()).decode(),
        "base32": lambda n, r: base64.b32encode(n.encode()).decode(),
        "letter numbers (A1Z26)": lambda n, r: _each_letter(n, lambda c: str(ord(c) - 96), " ", " / "),
        "letter numbers, dashed": lambda n, r: _each_letter(n, lambda c: str(ord(c) - 96), "-", " "),
        "Morse code": lambda n, r: _each_letter(n, lambda c: MORSE[ord(c) - 97], " ", " / "),
        "Morse code, dots and dashes": lambda n, r: _each_letter(n, lambda c: MORSE[ord(c) - 97].replace(".", "·").replace("-", "−"), " ", "   "),
        "Bacon's cipher": lambda n, r: _bacon(n),
    },
    "substitutions": {
        "ROT13": lambda n, r: caesar(n, 13),
        "Caesar shift 3": lambda n, r: caesar(n, 3),
        "Caesar shift (random)": lambda n, r: caesar(n, r.choice([s for s in range(1, 26) if s not in (3, 13)])),
        "Caesar shift back 1": lambda n, r: caesar(n, -1),
        "ROT47": lambda n, r: _rot47(n),
        "Atbash": lambda n, r: "".join(chr(219 - ord(c)) if "a" <= c <= "z" else chr(155 - ord(c)) if "A" <= c <= "Z" else c for c in n),
        "keyboard shifted right": lambda n, r: _keyboard_right(n),
    },
    "letter games": {
        "NATO alphabet": lambda n, r: _each_letter(n, lambda c: NATO_WORDS[ord(c) - 97], " ", "  "),
        "letters as words": lambda n, r: _each_letter(n, lambda c: LETTER_WORDS[ord(c) - 97], " ", ", "),
        "pig latin": lambda n, r: re.sub(r"[^\W\d_]+\.?", lambda m: _pig_latin(m.group()), n),
    },
}  # fmt: skip
"""Every way the suite hides a name, by group (see the module docstring)."""

_TITLES = ("Mr.", "Ms.", "Mrs.", "Miss", "Dr.", "Professor")
_ASIDES = ("the author", "yes, that one", "née nothing", "b. 1950", "of course")


def _parts(name: str) -> tuple[str, list[str], str]:
    words = name.split()
    return words[0], words[1:-1], words[-1]


def _middle_initial(name: str, rng: random.Random) -> str:
    first, middle, last = _parts(name)
    initials = [f"{w[0]}." for w in middle] or [f"{rng.choice('ABCDEFGHJKLMNPRSTW')}."]
    return " ".join([first, *initials, last])


NAME_FORMS: dict[str, Encoder] = {
    "reversed, comma": lambda n, r: f"{_parts(n)[2]}, {' '.join(n.split()[:-1])}",
    "title and surname": lambda n, r: f"{r.choice(_TITLES)} {_parts(n)[2]}",
    "middle initial": _middle_initial,
    "aside inside the name": lambda n, r: f"{' '.join(n.split()[:-1])} ({r.choice(_ASIDES)}) {_parts(n)[2]}",
    "structured fields": lambda n, r: json.dumps({"first": " ".join(n.split()[:-1]), "last": _parts(n)[2]}),
}
"""Partial forms of a name of two words or more that a reader still takes for the
name: reversed with a comma, a title with the surname, a middle initial, an aside
inside it, its parts as structured fields. Generated with their own seeded random
stream, after the other families, so that adding them changed no other case."""

ASCII_GROUPS = frozenset({"codes", "substitutions", "letter games"})
"""Groups whose encoders see the name with its accents dropped (``é`` → ``e``): a
letter code has no ``é``."""

FAMILIES: dict[str, Encoder] = {
    **{name: enc for group in FAMILY_GROUPS.values() for name, enc in group.items()},
    **NAME_FORMS,
}
