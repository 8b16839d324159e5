"""Letter games: pig latin, words backwards, letters as words, the NATO alphabet."""

import pytest
from readings_support import flagged, frame, touched

from alu.text import letter_name_runs, pig_latin_candidates


@pytest.mark.parametrize(
    ("hidden", "name"),
    [
        ("Anejay Austenway", "Jane Austen"),
        ("anejay austenyay", "Jane Austen"),
        ("Ephenstay Ingkay", "Stephen King"),
        ("Elonway Uskmay", "Elon Musk"),
        ("enaJ netsuA", "Jane Austen"),
        ("jay ay en ee ay you ess tee ee en", "Jane Austen"),
        ("ee el oh en em you es kay", "Elon Musk"),
        ("Juliett Alfa November Echo Alfa Uniform Sierra Tango Echo November", "Jane Austen"),
    ],
)
def test_letter_games_flag_the_name(hidden, name):
    assert flagged(frame(hidden), name)


@pytest.mark.parametrize(
    "text",
    [
        "Today we play all day, okay? The bay is gray in May.",
        "Why are you here? I see you are a bee keeper, oh my.",
        "Stressed spelled backwards is desserts; a man a plan a canal.",
    ],
)
def test_letter_game_controls_pass(text):
    assert not touched(text)


def test_pig_latin_candidates_and_letter_names():
    assert "jane" in pig_latin_candidates("anejay")
    assert "austen" in pig_latin_candidates("austenway")
    assert "stephen" in pig_latin_candidates("ephenstay")
    assert pig_latin_candidates("hello") == []
    assert letter_name_runs(["jay", "ay", "en", "ee"]) == [["j", "a", "n", "e"]]
    assert letter_name_runs(["double", "you", "ay", "ess"]) == [["w", "a", "s"]]
