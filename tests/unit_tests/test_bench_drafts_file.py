"""``alu bench topics --drafts-file``: reading real drafts (no model, no embedding)."""

from __future__ import annotations

import json

import pytest

from alu.bench.topics import load_drafts_file


def test_drafts_file_reads_set_lines_and_vanilla_eval_records(tmp_path):
    path = tmp_path / "drafts.jsonl"
    rows = [
        {"set": "mmlu/virology", "question": "Q1?\nA. x\nB. y", "draft": "A. x"},
        {"system": "vanilla", "category": "mmlu college_biology", "query": "Q2?", "answer": "B. y"},
        {"system": "vanilla", "category": "real authors", "query": "Who wrote it?", "answer": "Someone did."},
        {"system": "alu", "category": "world facts", "query": "Q3?", "answer": "final, not a draft"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", "utf-8")
    sets = load_drafts_file(path)
    assert sets == {
        "mmlu/college_biology": [{"question": "Q2?", "draft": "B. y"}],
        "mmlu/virology": [{"question": "Q1?\nA. x\nB. y", "draft": "A. x"}],
        "tofu/real_authors": [{"question": "Who wrote it?", "draft": "Someone did."}],
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json\n", "not JSON"),
        ('{"set": "x", "question": "q"}\n', 'needs "set", "question" and "draft"'),
        ('{"system": "alu", "category": "x", "query": "q", "answer": "a"}\n', "no drafts in it"),
    ],
)
def test_drafts_file_errors_say_what_is_wrong(tmp_path, text, says):
    path = tmp_path / "bad.jsonl"
    path.write_text(text, "utf-8")
    with pytest.raises(SystemExit, match=says):
        load_drafts_file(path)
