"""Re-run the model-free semantic stage on the queries of an ``alu eval`` run (no model).

Why: an end-to-end run on the bundled model costs most of an hour; whether the topics'
classifiers still flag a run's benign queries can be checked in seconds, on exactly the
texts the graph's auditor saw (the query whole, as the question; a passthrough's answer as
the draft). Topics as the ``wmdp`` suite registers them (learning-half examples), the keep
text shipped now, or another one (``--keep FILE``, e.g. an older shipped file, scored
without the multiple-choice stem chunk as it was then).

    python benchmarks/semantic_rescore.py results/eval-wmdp-benign [--keep OLD.txt] [--cache F]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from alu.evaluation.wmdp import topic_targets
from alu.semantic import (
    DEFAULT_THRESHOLDS,
    Band,
    MemoryVectorCache,
    SemanticIndex,
    SemanticThresholds,
    SqliteVectorCache,
)
from alu.semantic.profiles import chunk_texts


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", type=Path)
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--keep", type=Path, default=None)
    p.add_argument("--cache", type=Path, default=None)
    p.add_argument(
        "--candidate", type=float, default=None, help="the classifiers' candidate threshold (default: shipped)"
    )
    args = p.parse_args()
    keep = None
    if args.keep:
        keep = [ln.strip() for ln in args.keep.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    topics = list(topic_targets(args.data).values())
    cache = SqliteVectorCache(args.cache) if args.cache else MemoryVectorCache()
    th = DEFAULT_THRESHOLDS
    if args.candidate is not None:
        bands = dict(th.classifier)
        for kind in ("topic", "other"):
            bands[kind] = Band(candidate=args.candidate, flag=bands[kind].flag)
        th = SemanticThresholds(similarity=th.similarity, classifier=bands)
    index = SemanticIndex(cache=cache, keep_texts=keep)
    index.sync(topics, version="rescore", examples={t.id: list(t.examples) for t in topics})
    records = [json.loads(ln) for ln in (args.run / "records.jsonl").read_text("utf-8").splitlines() if ln.strip()]
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in records:
        if r.get("kind") != "utility" or r.get("query_names_target"):
            continue
        draft = r.get("answer") or "" if r.get("decision") == "passthrough" else ""
        chunks = chunk_texts({"question": r["query"], "draft": draft}, mc_stems=keep is None)
        vecs, _ = index._vectors([c for _, c in chunks])
        hits = index.search_vectors(chunks, np.asarray(vecs), th)
        cat = f"{r['suite']}/{r['category']}"
        per[cat][0] += 1
        per[cat][1] += any(h.band == "flag" for h in hits)
        per[cat][2] += bool(hits)
    tot = [sum(v[i] for v in per.values()) for i in range(3)]
    print(f"{'set':34} {'n':>4} {'topic flagged':>14} {'topic to judge or flagged':>26}")
    for k, (n, f, c) in sorted(per.items()) + [("pooled", tot)]:
        print(f"{k:34} {n:4} {f:6} ({f / n:5.1%}) {c:12} ({c / n:5.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
