"""The text as a browser or a URL bar shows it: markup removed and HTML character
references decoded (``<b>Jane</b> <i>Austen</i>``, ``Jane&nbsp;Austen``,
``&#74;&#97;&#110;&#101;``), and percent-encoding decoded (``Jane%20Austen``)."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote_plus

__all__ = ["has_markup", "has_percent", "markup_read", "percent_read"]

# A tag: "<" then a letter, "/" or "!" and anything but angle brackets up to ">". Each
# scan stops at the next angle bracket, so the whole pass is linear in the text.
_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]*>|<!--|-->")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def has_markup(text: str) -> bool:
    """True when ``text`` holds a tag or a character reference."""
    return ("<" in text and _TAG.search(text) is not None) or ("&" in text and _REFERENCE.search(text) is not None)


def markup_read(text: str) -> list[str]:
    """``text`` as rendered: character references decoded, tags dropped (once as nothing,
    for a name split inside a word — ``J<b>an</b>e`` — and once as a space, for one split
    over cells — ``<td>Jane</td><td>Austen</td>``)."""
    out: list[str] = []
    for filler in ("", " "):
        read = html.unescape(_TAG.sub(filler, text))
        # References that decode to markup or to more references: read once more.
        if "&" in read:
            read = html.unescape(read)
        if read != text and read not in out:
            out.append(read)
    return out


def has_percent(text: str) -> bool:
    """True when ``text`` holds a percent-encoded byte (``%4A``)."""
    return "%" in text and _PERCENT.search(text) is not None


def percent_read(text: str) -> str:
    """``text`` with percent-encoding (and ``+`` for a space) decoded, twice over for
    double encoding (``%254A``)."""
    read = unquote_plus(text, errors="replace")
    if _PERCENT.search(read):
        read = unquote_plus(read, errors="replace")
    return read
