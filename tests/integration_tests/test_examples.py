"""The worked examples under ``examples/`` run as a user would run them, on the real
bundled model."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alu.matching import normalize

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_subgraph_app_forgets_the_target_inside_a_parent_chat_graph(local_env, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALU_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    env.update(local_env, ALU_K="2")  # the model the environment configures: the bundled one
    done = run_example("subgraph_app.py", env, tmp_path)
    report = f"exit {done.returncode}\n--- stdout:\n{done.stdout}\n--- stderr:\n{done.stderr[-3000:]}"
    assert done.returncode == 0, report

    lines: dict[str, list[tuple[str, str]]] = {}
    for line in done.stdout.splitlines():
        found = re.match(r"^\[(\w+)\] (user|assistant|decision): (.*)$", line)
        if found:
            lines.setdefault(found[1], []).append((found[2], found[3]))
    reader, traveller = lines.get("reader", []), lines.get("traveller", [])
    assert [kind for kind, _ in reader] == ["user", "assistant", "decision"], report
    assert [kind for kind, _ in traveller] == ["user", "assistant", "decision"] * 2, report

    # the flagged turn: rewritten or refused, her name never in the answer
    assert re.match(r"(rewritten|refused) \(targets flagged: 1;", reader[2][1]), report
    assert "austen" not in normalize(reader[1][1]), report
    # small talk never reaches the ALU graph; the unrelated question passes through it
    assert traveller[1][1] == "Hello! Ask me anything." and traveller[2][1].startswith("none"), report
    assert re.match(r"passthrough \(targets flagged: 0; model calls: 1\)", traveller[5][1]), report
    assert traveller[4][1].strip(), report
    # the model was the one configured: no local server of its own was started
    assert "starting the bundled local model" not in done.stderr, report
