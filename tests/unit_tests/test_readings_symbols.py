"""Letter-like symbol blocks and upside-down text."""

import pytest
from readings_support import flagged, frame, touched

from alu.text import fold_symbols, upside_down_read

NAME = "Jane Austen"


def _regional(text: str) -> str:
    return "".join(chr(0x1F1E6 + ord(c) - ord("a")) if c.isalpha() else c for c in text.lower())


def _offset(text: str, upper: int, lower: int | None = None) -> str:
    out = []
    for c in text:
        if "A" <= c <= "Z":
            out.append(chr(upper + ord(c) - ord("A")))
        elif "a" <= c <= "z":
            out.append(
                chr(
                    (lower if lower is not None else upper)
                    + ord(c.upper() if lower is None else c)
                    - ord("A" if lower is None else "a")
                )
            )
        else:
            out.append(c)
    return "".join(out)


@pytest.mark.parametrize(
    "hidden",
    [
        _regional(NAME),
        _offset(NAME, 0x1F170),  # negative squared
        _offset(NAME, 0x1F150),  # negative circled
        _offset(NAME, 0x1F130),  # squared
        _offset(NAME, 0x24B6, 0x24D0),  # circled
        _offset(NAME, 0x1F110),  # parenthesized
        _offset(NAME, 0x1D4D0, 0x1D4EA),  # mathematical bold script
        _offset(NAME, 0xFF21, 0xFF41),  # fullwidth
        "ᴊᴀɴᴇ ᴀᴜꜱᴛᴇɴ",  # small capitals
        "ᴶᵃⁿᵉ ᴬᵘˢᵗᵉⁿ",  # superscripts
        "".join(chr(0xE0000 + ord(c)) for c in NAME),  # tag characters (invisible)
        "⠚⠁⠝⠑ ⠁⠥⠎⠞⠑⠝",  # Braille
        "uǝʇsn∀ ǝuɐſ",  # upside down
    ],
)
def test_symbol_readings_flag_the_name(hidden):
    assert flagged(frame(hidden))


@pytest.mark.parametrize(
    "text",
    [
        "Flags: 🇫🇷 🇩🇪 🇯🇵 and a ⓒ 2024 notice; ™ and ® marks.",
        "Braille cells ⠁⠃⠉ spell abc; ᵗʰᵉ superscript ordinals 1ˢᵗ 2ⁿᵈ.",
        "The IPA for 'cat' is /kæt/ and for 'the' is /ðə/.",
    ],
)
def test_symbol_controls_pass(text):
    assert not touched(text)


def test_fold_symbols_and_upside_down():
    assert fold_symbols(_regional("jane")) == "JANE"
    assert fold_symbols("plain") == "plain"
    assert upside_down_read("ǝuɐſ") == "Jane"
