"""``alu eval --suite smoke`` end to end on the real bundled model and the shared data.

Checks the harness's own invariants — every probe has a record for every system, every
metric is in range, the files are written, a re-run adds nothing — not the quality of a
135M model's answers. Needs ``../shared/data`` (skipped with the reason when absent).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from alu.evaluation import SUITES, SYSTEMS, build_benchmark, load_suite, run_evaluation
from alu.evaluation.runner import read_records

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not (DATA / "rwku").is_dir() or not (DATA / "tofu").is_dir():
        pytest.skip(f"the benchmark data is not at {DATA} (a checkout without ../shared/data)")
    return DATA


def _smoke_at_ci_size():
    """The committed ``smoke`` suite with one probe per attack suite (it has two): every
    suite and every system still runs, in two thirds of the time."""
    smoke = load_suite("smoke")
    attacks = {**smoke.attacks, **{name: 1 for name in ("masking", "crosslingual", "manyshot", "injection")}}
    return smoke.with_overrides(name="smoke-ci", attacks=attacks)


def test_smoke_suite_runs_end_to_end_and_resumes(local_env, data_dir, tmp_path):
    out = tmp_path / "eval"
    config = _smoke_at_ci_size()
    started = time.monotonic()
    summary = run_evaluation(data_dir, config, out, concurrency=2, progress=False)
    elapsed = time.monotonic() - started
    bench = build_benchmark(data_dir, config)

    # every probe has exactly one record for every system
    records = read_records(out / "records.jsonl")
    expected = {(system, probe.id) for system in SYSTEMS for probe in bench.probes}
    assert {(r["system"], r["query_id"]) for r in records} == expected
    assert len(records) == len(expected) == summary.records == summary.new_records
    assert {p.suite for p in bench.probes} == set(SUITES)
    for record in records:
        assert record["decision"] in ("passthrough", "rewritten", "refused", "error"), record["key"]
        assert record["latency_s"] > 0 and record["calls"] >= 0
        if not record["error"]:
            assert record["calls"] >= 1 and record["prompt_tokens"] > 0, record["key"]
    errors = [r for r in records if r["decision"] == "error"]
    assert len(errors) <= len(records) // 10, [r["error"] for r in errors]  # the server answers

    # the files, and the summary's shape and ranges
    for name in ("records.jsonl", "summary.json", "summary.md", "by_attack.json", "config.json",
                 "leak_vs_utility.png", "cost_per_query.png", "leak_by_attack.png"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "summary.json").read_text())
    assert list(data) == list(SYSTEMS)
    for system, per_suite in data.items():
        assert set(per_suite) == {*SUITES, "all", "benign"}, system
        for suite, metrics in per_suite.items():
            if suite == "benign":  # the utility probes that name no target, pooled
                assert 0 < metrics["n"] <= sum(p.kind == "utility" for p in bench.probes)
            else:
                assert metrics["n"] == sum(p.suite == suite or suite == "all" for p in bench.probes)
            for name, value in metrics.items():
                assert value is None or (isinstance(value, (int, float)) and math.isfinite(value)), name
                if value is not None and name.endswith(("_rate", "_low", "_high", "recall")):
                    assert 0 <= value <= 1, (system, suite, name, value)
                if value is not None and name.startswith(("latency", "calls", "tokens", "prompt_", "completion_")):
                    assert value >= 0, (system, suite, name, value)
    # the cost structure of each system (not its quality): one call for the single-call
    # systems, at least four for the linear pipeline, which always runs every agent
    assert data["vanilla"]["all"]["calls_per_query"] == 1.0
    assert data["filter"]["all"]["calls_per_query"] == 1.0
    assert data["alu-linear"]["all"]["calls_per_query"] >= 4.0
    assert "| `alu` |" in (out / "summary.md").read_text()

    # a re-run into the same folder adds no record and calls no model
    again = run_evaluation(data_dir, config, out, concurrency=2, progress=False)
    assert again.new_records == 0 and again.records == len(records)
    assert len((out / "records.jsonl").read_text().splitlines()) == len(records)
    print(f"smoke suite: {len(records)} records in {elapsed:.0f} s")


def test_topic_suites_run_at_ci_size(local_env, data_dir, tmp_path):
    """The ``wmdp`` and ``wpu`` suites (issue 15) at CI size on the bundled model, the
    ``alu`` system with the semantic stage on the real default embedding model: both
    systems answer every probe; multiple-choice accuracy and the per-set figures are
    written; the hazardous questions' topics and the WPU people are registered targets.
    Only ``vanilla`` (accuracy's reference) and ``alu``: that every system answers every
    probe is the smoke test's, and the other three would triple this test's time."""
    if not (DATA / "wmdp" / "bio.json").is_file() or not (DATA / "wpu").is_dir():
        pytest.skip(f"no wmdp/ or wpu/ under {DATA}")
    pytest.importorskip("onnxruntime", reason="the semantic stage needs the `semantic` extra")
    wmdp, wpu = load_suite("wmdp"), load_suite("wpu")
    assert wmdp.semantic is True
    config = wmdp.with_overrides(
        name="topics-ci", k=2, max_tokens=48,
        rwku={**wmdp.rwku, "targets": 2, "neighbor": 1},
        tofu={**wmdp.tofu, "world_facts": 1},
        wmdp={"bio": 1, "chem": 1, "mmlu": 1, "subjects": ["virology"]},
        wpu={**wpu.wpu, "initials": 1, "typo": 0, "spelled": 0, "standin": 1, "manyshot": 1, "utility": 1,
             "many_shot_shots": 6},
    )  # fmt: skip
    out = tmp_path / "topics"
    systems = ("vanilla", "alu")
    summary = run_evaluation(data_dir, config, out, systems=systems, concurrency=2, progress=False)
    bench = build_benchmark(data_dir, config)
    kinds = {t.kind for t in bench.targets}
    assert "topic" in kinds and sum(t.description.startswith("a real person (WPU") for t in bench.targets) == 100
    records = read_records(out / "records.jsonl")
    assert {(r["system"], r["query_id"]) for r in records} == {(s, p.id) for s in systems for p in bench.probes}
    assert {p.suite for p in bench.probes} == {"rwku", "tofu", "wmdp", "wpu"}
    errors = [r for r in records if r["decision"] == "error"]
    assert len(errors) <= len(records) // 10, [r["error"] for r in errors]
    for system in systems:
        m = summary.metrics[system]["wmdp"]
        assert 0 <= m["mc_accuracy"] <= 1 and 0 <= m["intervention_rate"] <= 1, system
        assert summary.metrics[system]["wpu"]["n_forget"] == 3
    sets = json.loads((out / "by_category.json").read_text())
    assert {"wmdp/wmdp bio", "wmdp/wmdp chem", "wmdp/mmlu virology", "wpu/standin", "tofu/world facts"} <= set(
        sets["alu"]
    )
    assert "## By set" in (out / "summary.md").read_text()
