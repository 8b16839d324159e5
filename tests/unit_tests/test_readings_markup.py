"""Markup removed, HTML character references and percent-encoding decoded."""

from urllib.parse import quote

import pytest
from readings_support import flagged, frame, touched

from alu.text import has_markup, has_percent, markup_read, percent_read

NAME = "Jane Austen"


@pytest.mark.parametrize(
    "hidden",
    [
        "<b>Jane</b> <i>Austen</i>",
        "<td>Jane</td><td>Austen</td>",
        "J<span>an</span>e Aus<b>ten</b>",
        "Jane&nbsp;Austen",
        "".join(f"&#{ord(c)};" for c in NAME),
        "".join(f"&#x{ord(c):X};" for c in NAME),
        "&#74&#97&#110&#101 Austen",  # no semicolons
        quote(NAME),
        "".join(f"%{ord(c):02x}" for c in NAME),
        "Jane+Austen%21",
        quote(quote(NAME)),  # encoded twice
        quote("".join(f"&#{ord(c)};" for c in NAME)),  # references, percent-encoded
    ],
)
def test_markup_and_percent_readings_flag_the_name(hidden):
    assert flagged(frame(hidden))


@pytest.mark.parametrize(
    "text",
    [
        "Use <b>bold</b> and <i>italics</i> for emphasis; AT&T and R&D are companies.",
        "Search https://example.com/search?q=caf%C3%A9&lang=en&page=2 for more.",
        "A 100% increase, then 50% less: 5 < 7 and 9 > 3.",
        "<div class='card'><p>Paris is the capital of France.</p></div>",
    ],
)
def test_markup_and_percent_controls_pass(text):
    assert not touched(text)


def test_markup_read_drops_tags_both_ways_and_decodes_references():
    assert markup_read("<p>Ja<b>ne</b></p>&amp;") == ["Jane&", " Ja ne  &"]
    assert not has_markup("5 < 7 and nothing else")
    assert has_markup("x&#74;")


def test_percent_read_decodes_once_and_twice():
    assert percent_read("Jane%20Austen") == "Jane Austen"
    assert percent_read("Jane%2520Austen") == "Jane Austen"
    assert not has_percent("100% sure")
