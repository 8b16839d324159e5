"""The operator's allow-list measured on the benign sets (``python -m alu.evaluation.allowlist``).

What it measures: how much of the model-free stage's work on benign text an allow-list
removes, and what it costs on the forget side. The stage decides whether a run is flagged
outright or goes to the judge; with a small judge those are where false interventions come
from, so fewer of them on benign text is the allow-list's effect (the judge's own verdicts
are not re-run here: no chat model is called; the semantic stage runs, on the offline
embedding model, as the graph runs it with ``Context.semantic``).

How, without learning from what it tests: the benign probes of a suite (default ``benign``)
are split in two halves by a hash of the question. An operator's allow-list is *learnt* from
one half — every phrase the stage matched (the span of each direct flag and judge candidate)
on a benign question + its gold answer (the draft's stand-in) — and the other half is tested
with and without it. The cost: the same measure on the forget probes of the same targets
(RWKU levels 1–3, TOFU forget), by default the ``full`` suite's: how many lose their flag or
their judge candidacy under the allow-list. Names and aliases are never removed (the rule of
:mod:`alu.graph.allow`), so what a forget probe can lose is a weak cue only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from langgraph.store.memory import InMemoryStore

from alu.evaluation.benchmark import build_benchmark
from alu.evaluation.config import load_suite
from alu.evaluation.data import Probe, default_data_dir
from alu.graph.allow import mask_allowed, read_exchange_allowed
from alu.graph.semantic import SemanticStage
from alu.registry import TargetRegistry

__all__ = ["main", "measure"]


def _half(text: str) -> int:
    return hashlib.sha256(text.encode()).digest()[0] & 1


def _text(probe: Probe) -> str:
    return f"{probe.query}\n{probe.gold}"


def _stage(store, probe: Probe, allow: Sequence[str], semantic: SemanticStage | None = None):
    """(flagged, sent to the judge, the matched spans) of the model-free stage, by name and
    (with ``semantic``) by meaning, as the auditor runs it under the allow-list."""
    found, _, _ = read_exchange_allowed(_text(probe), "", store=store, tenant="default", allow=allow)
    spans = [m.span for m in (*found.direct, *found.candidates) if m.span]
    direct, candidates = bool(found.direct), bool(found.candidates)
    if semantic is not None:
        texts = {"question": mask_allowed(probe.query, allow), "draft": mask_allowed(probe.gold, allow)}
        hits, targets = semantic.search(texts, store=store, tenant="default")
        for hit in hits:
            if hit.band == "flag" and targets[hit.target_id].kind != "person":
                direct = True
            else:
                candidates = True
    return direct, candidates, spans


def _rates(store, probes: Sequence[Probe], allow: Sequence[str], semantic: SemanticStage | None = None) -> dict:
    flagged = judged = 0
    for p in probes:
        direct, candidates, _ = _stage(store, p, allow, semantic)
        flagged += direct
        judged += candidates and not direct
    n = max(1, len(probes))
    return {"n": len(probes), "flagged": round(flagged / n, 4), "to_judge": round(judged / n, 4),
            "either": round((flagged + judged) / n, 4)}  # fmt: skip


def measure(
    data_dir: str | Path | None = None, benign: str = "benign", forget: str = "full", *, semantic: bool = True
) -> dict:
    """The figures (see the module's docstring) as one JSON-ready dict."""
    data = Path(data_dir) if data_dir else default_data_dir()
    bench = build_benchmark(data, load_suite(benign))
    store = InMemoryStore()
    TargetRegistry(store).add_many(list(bench.targets))
    benign_probes = [p for p in bench.probes if p.kind == "utility"]
    learn = [p for p in benign_probes if _half(p.query) == 0]
    test = [p for p in benign_probes if _half(p.query) == 1]
    phrases: dict[str, None] = {}
    for p in learn:
        for span in _stage(store, p, ())[2]:
            if len(span.strip()) >= 3:
                phrases[span.strip()] = None
    allow = list(phrases)
    forget_bench = build_benchmark(data, load_suite(forget))
    ids = {t.id for t in bench.targets}
    forget_probes = [p for p in forget_bench.probes if p.kind == "forget" and set(p.targets) <= ids
                     and p.suite in ("rwku", "tofu")]  # fmt: skip
    stage = SemanticStage() if semantic else None
    by_set: dict[str, dict] = {}
    for name in sorted({f"{p.suite}/{p.category}" for p in test}):
        tested = [p for p in test if f"{p.suite}/{p.category}" == name]
        by_set[name] = {"without": _rates(store, tested, (), stage), "with": _rates(store, tested, allow, stage)}
    return {
        "benign_suite": benign,
        "targets": len(bench.targets),
        "allow_phrases": len(allow),
        "allow_sample": allow[:12],
        "semantic": semantic,
        "benign_tested": {"without": _rates(store, test, (), stage), "with": _rates(store, test, allow, stage)},
        "benign_by_set": by_set,
        "forget": {
            "suite": forget,
            "without": _rates(store, forget_probes, (), stage),
            "with": _rates(store, forget_probes, allow, stage),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alu.evaluation.allowlist", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="benchmark data folder (default: $ALU_DATA or ../shared/data)")
    parser.add_argument("--benign", default="benign", help="suite whose utility probes are the benign sets")
    parser.add_argument("--forget", default="full", help="suite whose RWKU/TOFU forget probes measure the cost")
    parser.add_argument("--no-semantic", action="store_true", help="the name stage only (no embeddings)")
    args = parser.parse_args(argv)
    result = measure(args.data, args.benign, args.forget, semantic=not args.no_semantic)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
