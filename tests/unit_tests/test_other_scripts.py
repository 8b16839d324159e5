"""Whole names written in other scripts, read by a key per name part (alu.text.name_keys,
alu.detection.sounds): positive and negative cases per script, ambiguity at scale, the
suite's other-script controls.

The renderings here are of names that are not in the adversarial suite (its
OTHER_SCRIPTS tuned the rules; these check that the rules carry over)."""

from __future__ import annotations

import pytest

from alu.detection import TargetIndex
from alu.domain import Target
from alu.evaluation.adversarial.suite import OTHER_SCRIPT_CONTROLS, load_suite
from alu.text import loose_name_key, name_closeness, name_keys, name_runs, text_name_keys

RENDERINGS = {
    "Jane Austen": {
        "chinese": "这本书的作者是简·奥斯汀。",
        "arabic": "كتبت جين أوستن هذه الرواية.",
        "korean": "이 소설은 제인 오스틴이 썼습니다.",
        "japanese": "この小説はジェーン・オースティンが書いた。",
        "cyrillic": "Роман написала Джейн Остин.",
        "greek": "Το έγραψε η Τζέιν Ώστεν.",
        "hindi": "यह उपन्यास जेन ऑस्टेन ने लिखा।",
    },
    "Albert Einstein": {
        "chinese": "阿尔伯特·爱因斯坦提出了相对论。",
        "arabic": "ألبرت أينشتاين عالم فيزياء.",
        "korean": "알베르트 아인슈타인은 물리학자입니다.",
        "japanese": "アルベルト・アインシュタインは物理学者だ。",
        "cyrillic": "Альберт Эйнштейн был физиком.",
    },
    "Charles Dickens": {
        "chinese": "查尔斯·狄更斯写了这本书。",
        "arabic": "كتب تشارلز ديكنز الرواية.",
        "korean": "찰스 디킨스가 썼습니다.",
        "japanese": "チャールズ・ディケンズが書いた。",
        "cyrillic": "Это написал Чарльз Диккенс.",
    },
}
CASES = [(name, script, text) for name, by_script in RENDERINGS.items() for script, text in by_script.items()]
OTHERS = [Target(name="Taylor Swift"), Target(name="Levi Borges"), Target(name="Donald Trump")]


@pytest.mark.parametrize(("name", "script", "text"), CASES, ids=[f"{n}-{s}" for n, s, _ in CASES])
def test_a_whole_name_in_another_script_is_a_direct_mention(name, script, text):
    target = Target(name=name)
    found = TargetIndex([target, *OTHERS]).find(text)
    assert [m.target_id for m in found if m.direct] == [target.id], (script, found)


@pytest.mark.parametrize(("name", "script", "text"), CASES, ids=[f"{n}-{s}" for n, s, _ in CASES])
def test_the_same_text_names_no_other_target(name, script, text):
    assert not [m for m in TargetIndex(OTHERS).find(text) if m.direct], script


def test_keys_agree_across_renderings_and_part_by_part():
    keys = name_keys(["karl", "marx"])  # each part with and without its r before a consonant
    assert keys == {"kr nrks", "kr nks"}
    assert text_name_keys(["krl", "mrks"]) & keys  # Arabic writes the r
    assert text_name_keys(["KaEr", "MaKeSi"]) & keys  # pinyin's er, no r in Marx
    assert text_name_keys(["SeuTiBeun", "King"]) & name_keys(["stephen", "king"])  # Korean's eu
    assert text_name_keys(["Jin"]) & name_keys(["king"])  # pinyin j for k
    assert not text_name_keys(["Erofey", "Fokich"]) & name_keys(["levi", "borges"])  # a vowel onset is kept


def test_letters_are_evidence_beside_the_key():
    assert name_closeness(["kianu", "ribusu"], "keanu reeves") >= 80
    assert name_closeness(["tshrlz", "dyknz"], "charles dickens") >= 70  # no vowels written: none compared
    assert name_closeness(["Kioses", "Ton"], "kirsty dean") < 80
    assert name_closeness(["one"], "two words") == 0


def test_a_key_several_targets_share_is_a_judge_candidate_for_each():
    taylor, tyler = Target(name="Taylor Swift"), Target(name="Tyler Swift")
    found = TargetIndex([taylor, tyler]).find("إنه تايلور سويفت.")
    assert {m.target_id for m in found} == {taylor.id, tyler.id}
    assert all(m.kind == "sounds_like" and not m.direct for m in found)


def test_a_crowded_neighbourhood_makes_a_unique_key_a_candidate():
    # "Tay Swift" has a key of its own ("t sft") but the same neighbourhood (the key
    # without vowel onsets and liquids): in a registry that crowded, the hit is chance.
    taylor, neighbour = Target(name="Taylor Swift"), Target(name="Tay Swift")
    assert name_keys(["tay", "swift"]).isdisjoint(name_keys(["taylor", "swift"]))
    assert loose_name_key("tr sft") == loose_name_key("t sft")
    alone = [m for m in TargetIndex([taylor]).find("إنه تايلور سويفت.") if m.target_id == taylor.id]
    crowded = [m for m in TargetIndex([taylor, neighbour]).find("إنه تايلور سويفت.") if m.target_id == taylor.id]
    assert alone[0].direct
    assert crowded and crowded[0].kind == "sounds_like"


def test_a_removed_target_leaves_no_part_key_behind():
    index = TargetIndex([Target(name="Taylor Swift", id="ts"), Target(name="Levi Borges")])
    assert [m for m in index.find("إنه تايلور سويفت.") if m.direct]
    index.remove("ts")
    assert not [m for m in index.find("إنه تايلور سويفت.") if m.target_id == "ts"]
    assert all("taylor swift" not in str(v) for v in index._part_keys.values())
    assert all(v != "ts" for v in index._part_loose.values())


def test_only_people_are_read_by_sound():
    bank = Target(name="Triodos Bank", kind="organization")
    assert not TargetIndex([bank])._part_keys


def test_arabic_nouns_with_the_article_end_a_name_run():
    assert name_runs("الأستاذ عالم السادة الراويون") == [name_runs("عالم")[0]]


def test_other_script_controls_are_never_flagged_outright_by_the_suite_targets():
    index = TargetIndex(Target(name=name) for name in load_suite()["targets"])
    assert len(OTHER_SCRIPT_CONTROLS) >= 30
    assert set(OTHER_SCRIPT_CONTROLS) <= set(load_suite()["controls"])  # the committed suite has them
    for text in OTHER_SCRIPT_CONTROLS:
        assert not [m for m in index.find(text) if m.direct], text
