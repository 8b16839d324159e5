"""Character codes in code and number runs, letter numbers (A1Z26), Morse, Bacon."""

import pytest
from readings_support import flagged, frame, touched

from alu.text import a1z26_read, bacon_read, code_runs_read, escapes_read, morse_read

NAME = "Jane Austen"
MORSE = {"a": ".-", "e": ".", "j": ".---", "n": "-.", "s": "...", "t": "-", "u": "..-"}


def _morse(word: str) -> str:
    return " ".join(MORSE[c] for c in word)


@pytest.mark.parametrize(
    "hidden",
    [
        "+".join(f"chr({ord(c)})" for c in NAME),
        "".join(f"\\u{ord(c):04x}" for c in NAME),
        "".join(f"\\x{ord(c):02x}" for c in NAME),
        "".join(f"\\u{{{ord(c):x}}}" for c in NAME),
        "String.fromCharCode(" + ", ".join(str(ord(c)) for c in NAME) + ")",
        " ".join(f"U+{ord(c):04X}" for c in NAME),
        " ".join(f"0x{ord(c):x}" for c in NAME),
        " ".join(str(ord(c)) for c in NAME),
        ",".join(str(ord(c)) for c in NAME),
        " ".join(f"{ord(c):x}" for c in NAME),
        NAME.encode().hex(),
        " ".join(f"{ord(c):08b}" for c in NAME),
        " ".join(f"{ord(c):o}" for c in NAME),
        " ".join(str(ord(c) - 96) for c in "janeausten"),
        "10-1-14-5 1-21-19-20-5-14",
        _morse("jane") + " / " + _morse("austen"),
        (_morse("jane") + "   " + _morse("austen")).replace(".", "·").replace("-", "−"),
        " ".join(format(ord(c) - 97, "05b").replace("0", "A").replace("1", "B") for c in "janeausten"),
    ],
)
def test_code_readings_flag_the_name(hidden):
    assert flagged(frame(hidden))


@pytest.mark.parametrize(
    "text",
    [
        "The checksum is 5d41402abc4b2a76b9719d911017c592 and the commit is 3f2a9c1.",
        "def f(x):\n    return chr(65) + x  # 0x41 is A",
        '{"id": 17, "scores": [12, 5, 20, 19], "ok": true}',
        "Call 555-1234 on 12 5 2020 at 10:30, room 4 1 2.",
        "The MAC is 00:1a:2b:3c:4d:5e and the IPv6 is fe80::1.",
        "Ellipsis... and dashes -- and a list: - one - two - three.",
        "The ratio is 1:2:3; the array is [1, 2, 3, 4, 5, 6].",
    ],
)
def test_code_controls_pass(text):
    assert not touched(text)


def test_readers():
    assert escapes_read("chr(74)+chr(97)") == "Ja"
    assert escapes_read("plain text") is None
    assert "Jane" in code_runs_read("74 97 110 101")
    assert code_runs_read("5d41402abc4b2a76b9719d911017c592") == []
    assert a1z26_read("10 1 14 5") == ["j a n e"]
    assert morse_read(".--- .- -. .") == ["j a n e"]
    assert morse_read("- one - two") == []
    assert bacon_read("ABAAB AAAAA ABBAB AABAA")[0] == "j a n e"
