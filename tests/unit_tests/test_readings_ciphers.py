"""Letter substitutions: every Caesar shift, Atbash, a keyboard one key off; base64."""

import base64

import pytest
from readings_support import flagged, frame, touched

from alu.text import KEYBOARD, SUBSTITUTIONS

NAME = "Jane Austen"


def _shift(text: str, k: int) -> str:
    out = []
    for c in text:
        if c.isalpha():
            base = ord("A") if c.isupper() else ord("a")
            out.append(chr((ord(c) - base + k) % 26 + base))
        else:
            out.append(c)
    return "".join(out)


@pytest.mark.parametrize("shift", range(1, 26))
def test_every_caesar_shift_is_read(shift):
    assert flagged(frame(_shift(NAME, shift)))
    assert flagged(frame(_shift("Elon Musk", shift)), "Elon Musk")


@pytest.mark.parametrize(
    ("hidden", "name"),
    [
        ("Qzmv Zfhgvm", NAME),  # Atbash
        ("Ksmr Sidyrm", NAME),  # one key to the right
        ("Wkib Nyaj", "Elon Musk"),  # one key to the left
        ("Ysu;pt Deogy,", "Taylor Swift"),  # one key to the right, off the row's end
        ("%2J=@C $H:7E", "Taylor Swift"),  # ROT47
        ("IVWG63RAJV2XG2Y=", "Elon Musk"),  # base32
        (base64.b64encode(NAME.encode()).decode(), NAME),
    ],
)
def test_other_substitutions_flag_the_name(hidden, name):
    assert flagged(frame(hidden), name)


@pytest.mark.parametrize(
    "text",
    [
        "The cheer was jolly and the river ran fast; we sat by the shore.",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.",
        "Qwerty keyboards and Dvorak layouts differ in the home row.",
        "The API token is c2VjcmV0LXRva2Vu and the data is eyJhIjogMX0=.",
    ],
)
def test_substitution_controls_pass(text):
    assert not touched(text)


def test_substitution_tables():
    assert "jane".translate(SUBSTITUTIONS["caesar 13"]) == "wnar"
    assert "qzmv".translate(SUBSTITUTIONS["atbash"]) == "jane"
    assert "ksmr".translate(KEYBOARD["keyboard right"]) == "jane"
    assert "Yti,[".translate(KEYBOARD["keyboard right"]) == "Trump"
    assert len([n for n in SUBSTITUTIONS if n.startswith("caesar")]) == 25
