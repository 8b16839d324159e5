"""A name split by structure, as a reader puts it back together: an aside inside it
(``Jane (née Smith) Austen``, ``Jane [Q.] Austen``) taken out, and the values of
structured fields read in order (``{"first": "Jane", "last": "Austen"}``, ``first:
Jane`` / ``last: Austen`` on lines of their own, ``first=Jane&last=Austen``,
``first="Jane" last="Austen"``). Markup (``<td>Jane</td><td>Austen</td>``) is
:mod:`alu.text.markup`'s; a reversed order (``"last": "Austen", "first": "Jane"``) is
matched as a partial form by the detector (:mod:`alu.detection.forms`).

Every pattern has bounded repeats only (no nesting), so each read is linear in the text.
"""

from __future__ import annotations

import re

__all__ = ["asides_read", "field_values_read", "has_aside", "has_fields"]

_ASIDE = re.compile(r"\s*[(\[][^()\[\]\n]{0,60}[)\]]\s*")
_WORDS_AROUND = 6  # words kept on each side of an aside (a name is at most 8 words)

# "key": "value" (JSON, Python dicts), key: value on a line (YAML, headers), key=value
# (query strings, INI, attributes, quoted or not).
_QUOTED_PAIR = re.compile(r"""["']([^"'\n]{1,40})["']\s*[:=]\s*["']([^"'\n]{1,80})["']""")
_LINE_PAIR = re.compile(r"(?m)^[ \t\-]{0,8}[\w .-]{1,40}[ \t]*[:=][ \t]*([^\n:=]{1,80})$")
_BARE_PAIR = re.compile(r"""(?:^|[?&;\s,{])[\w.-]{1,40}=([^&;\s"',}]{1,80})""")
_ATTRIBUTE = re.compile(r"""\b[\w:-]{1,40}\s*=\s*["']([^"'\n]{1,80})["']""")
_PAIR_HINT = re.compile(r"""(?m)["']\s*[:=]|=|^[ \t\-]{0,8}[\w .-]{1,40}[ \t]*:""")


def has_aside(text: str) -> bool:
    """True when ``text`` holds a parenthesis or a bracket."""
    return "(" in text or "[" in text


def asides_read(text: str) -> list[str]:
    """The words around each aside, the aside taken out ("Jane (née Smith) Austen" →
    "Jane Austen"), one stretch per aside joined by line breaks; empty without one."""
    words_of: list[str] = []
    for match in _ASIDE.finditer(text):
        before = text[max(0, match.start() - 120) : match.start()].split()[-_WORDS_AROUND:]
        after = text[match.end() : match.end() + 120].split()[:_WORDS_AROUND]
        if before and after:
            words_of.append(" ".join([*before, *after]))
    return ["\n".join(words_of)] if words_of else []


def has_fields(text: str) -> bool:
    """True when ``text`` looks like it holds key/value pairs."""
    return _PAIR_HINT.search(text) is not None


def field_values_read(text: str) -> list[str]:
    """The values of ``text``'s key/value pairs, in order, joined by spaces (so values
    that make up a name stand together: "Jane Austen"); empty without two values."""
    found: list[tuple[int, str]] = []
    for match in _QUOTED_PAIR.finditer(text):
        found.append((match.start(2), match.group(2)))
    for pattern in (_LINE_PAIR, _BARE_PAIR, _ATTRIBUTE):
        for match in pattern.finditer(text):
            found.append((match.start(1), match.group(1)))
    if len(found) < 2:
        return []
    seen: set[int] = set()
    values: list[str] = []
    for start, value in sorted(found):
        if start not in seen:
            seen.add(start)
            values.append(value.strip().strip("\"'"))
    read = " ".join(v for v in values if v)
    return [read] if read else []
