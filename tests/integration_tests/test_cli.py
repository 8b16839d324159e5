"""The ``alu`` CLI end to end, on the real bundled model (no fakes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alu.matching import normalize

pytestmark = pytest.mark.slow


def alu(*args: str, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the installed console script ``alu`` (beside this interpreter)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "alu"), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_ask_forgets_the_target_with_the_bundled_model_started_on_demand(local_model, clean_env):
    # no model configured: the CLI starts (and stops) its own local model server
    done = alu("ask", "Who wrote Pride and Prejudice?", "--forget", "Jane Austen", "--json", env=clean_env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["flagged"] == ["Jane Austen"], "the draft named the target, so it must be flagged"
    assert result["decision"] in ("rewritten", "refused")
    assert "austen" not in normalize(result["answer"])
    assert result["calls"] >= 11 and result["latency_s"] > 0
    assert "starting the bundled local model" in done.stderr
    assert done.stdout.count("\n") == 1, "stdout holds the JSON object alone"


def test_unrelated_query_passes_through(local_env, clean_env):
    env = {**clean_env, **local_env}
    done = alu("ask", "What is the capital of France?", "--forget", "Jane Austen", "--json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["decision"] == "passthrough" and result["calls"] == 1
    assert "paris" in normalize(result["answer"])


def test_targets_persist_across_processes_and_are_honoured(local_env, clean_env):
    env = {**clean_env, **local_env}
    added = alu("targets", "add", "Jane Austen", "--alias", "J. Austen", "--description", "English novelist", env=env)
    assert added.returncode == 0, added.stderr
    listed = alu("targets", "list", "--json", env=env)
    assert [t["name"] for t in json.loads(listed.stdout)] == ["Jane Austen"]
    asked = alu("ask", "Who wrote Pride and Prejudice?", "--json", "-k", "2", env=env)
    result = json.loads(asked.stdout)
    assert result["flagged"] == ["Jane Austen"] and "austen" not in normalize(result["answer"])
    removed = alu("targets", "remove", "j. austen", env=env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(alu("targets", "list", "--json", env=env).stdout) == []
    missing = alu("targets", "remove", "Jane Austen", env=env)
    assert missing.returncode == 2 and "no target" in missing.stderr


def test_malformed_import_fails_clearly_and_changes_nothing(clean_env, tmp_path):
    env = clean_env
    assert alu("targets", "add", "Mark Twain", env=env).returncode == 0
    good = tmp_path / "names.txt"
    good.write_text("Leo Tolstoy\n# a comment\n\nVirginia Woolf\n")
    assert alu("targets", "import", str(good), env=env).returncode == 0
    before = alu("targets", "list", "--json", env=env).stdout
    cases = {
        "broken.json": '[{"name": "Ada Lovelace"}, {"name": "Charles Babbage"',
        "not_list.json": '{"name": "Ada Lovelace"}',
        "bad_entry.json": '[{"name": "Ada Lovelace"}, {"aliases": ["x"]}]',
        "bad_kind.json": '[{"name": "Ada Lovelace", "kind": "spaceship"}]',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        done = alu("targets", "import", str(path), env=env)
        assert done.returncode == 2, (name, done.stderr)
        assert str(path) in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert alu("targets", "import", str(tmp_path / "absent.json"), env=env).returncode == 2
    assert alu("targets", "list", "--json", env=env).stdout == before
    names = sorted(t["name"] for t in json.loads(before))
    assert names == ["Leo Tolstoy", "Mark Twain", "Virginia Woolf"]


def test_json_names_the_failed_stage_and_exits_3_when_the_model_is_unreachable(clean_env):
    env = {
        **clean_env,
        "ALU_MODEL": "openai:none",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_API_KEY": "x",
        "ALU_MODEL_TIMEOUT": "3",
    }
    done = alu("ask", "Who wrote Pride and Prejudice?", "--json", env=env)
    assert done.returncode == 3, done.stderr
    result = json.loads(done.stdout)
    assert result["decision"] == "refused" and result["error"]["stage"] == "vanilla"
