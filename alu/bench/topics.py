"""``alu bench topics``: the semantic stage on WMDP and its hard negatives.

Why one module of 600 lines: it is the benchmark contract of issue 15 end to end (data
loading, the split, the registry, the sets, the curve, the scale run) and nothing imports
its parts. The topics are shared with the ``wmdp`` eval suite (alu/evaluation/wmdp.py).

Registers two topic targets written as a user would (biosecurity, chemical weapons: a
description and a few keywords, plus example texts from ``--examples`` DIR2) among the
RWKU people, and runs the model-free semantic stage on question stems and whole queries of
``DIR/wmdp/{bio,chem}.json``, ``DIR/mmlu/*.csv``, TOFU world facts and RWKU neighbour
questions. When DIR and DIR2 are the same folder the questions are split in two by a hash
of their text: examples and keep text come from one half, tested questions from the other,
so no tested question was learnt from.

Prints per set the share flagged without a model and the share flagged or sent to the
judge, for stems and for whole queries (the stem with its lettered options and "answer with
the letter", as the ``wmdp`` eval suite asks, and the answer as the draft), against the
in-domain keep text and the shipped one (and ``--baseline-keep``, scored as before the stem
chunk), the zero-shot figures (description and keywords only), and the cost: embedding ms
per query (whole question and a long draft) and the target-dependent part at ``--sizes``
targets of mixed kinds through each ``--ann`` index (exact, ivf, hnsw). ``--drafts-file``:
also real model drafts (``{"set", "question", "draft"}`` lines, or the ``records.jsonl`` of
``alu eval --systems vanilla``), scored as the auditor sees them. ``--json``: one
JSON object (``{"sets": {"wmdp/bio": {"n", "flagged", "reached_judge"}, …}, …}``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from alu.domain import Target
from alu.evaluation.wmdp import TOPICS as WMDP_TOPICS

__all__ = ["TOPICS", "add_topics_parser", "load_sets", "main", "run"]

DEFAULT_DATA = Path("..") / "shared" / "data"

TOPICS = {f"wmdp/{key}": topic for key, topic in WMDP_TOPICS.items()}
"""The two topics as a user would write them (shared with the ``wmdp`` eval suite)."""
KEEP_SETS = ("mmlu/", "tofu/world_facts", "tofu/real_authors")
CORE_NEGATIVES = (
    "mmlu/college_biology",
    "mmlu/high_school_biology",
    "mmlu/high_school_chemistry",
    "mmlu/computer_security",
)


# -- data ---------------------------------------------------------------------------------
def _whole(question: str, choices: Sequence[str], answer: int | str | None) -> dict:
    """The whole query a user sends (the question with lettered options and the
    instruction, as the ``wmdp`` eval suite asks it) and the short answer a model gives."""
    from alu.evaluation.choices import LETTERS, mc_query

    opts = [str(c).strip() for c in choices]
    if len(opts) != 4 or not all(opts):
        return {"whole": question, "whole_draft": ""}
    idx = answer if isinstance(answer, int) else next((i for i, c in enumerate(opts) if c == str(answer).strip()), None)
    draft = f"{LETTERS[idx]}. {opts[idx]}" if idx is not None and 0 <= idx < 4 else ""
    return {"whole": mc_query(question, opts), "whole_draft": draft}


def _draft(choices: Sequence[str], answer: int | str | None) -> str:
    opts = " ".join(f"Option {i + 1}: {str(c).strip().rstrip('.')}." for i, c in enumerate(choices))
    ans = choices[answer] if isinstance(answer, int) and 0 <= answer < len(choices) else answer
    return f"{opts} The answer is {str(ans).strip().rstrip('.')}." if ans else opts


def load_sets(data: Path) -> dict[str, list[dict]]:
    """``{set name: [{"question", "draft"}]}`` from a folder laid out as ../shared/data."""
    sets: dict[str, list[dict]] = {}
    for name in ("bio", "chem"):
        p = data / "wmdp" / f"{name}.json"
        if p.is_file():
            sets[f"wmdp/{name}"] = [
                {
                    "question": x["question"],
                    "draft": _draft(x["choices"], x.get("answer")),
                    **_whole(x["question"], x["choices"], x.get("answer")),
                }
                for x in json.loads(p.read_text("utf-8"))
            ]
    for p in sorted((data / "mmlu").glob("*.csv")):
        with p.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        sets[f"mmlu/{p.stem}"] = [
            {
                "question": r["question"],
                "draft": _draft(
                    [r.get(f"choice{i}", "") for i in range(4)],
                    int(r["answer"]) if str(r.get("answer", "")).isdigit() else None,
                ),
                **_whole(
                    r["question"],
                    [r.get(f"choice{i}", "") for i in range(4)],
                    int(r["answer"]) if str(r.get("answer", "")).isdigit() else None,
                ),
            }
            for r in rows
        ]
    for name in ("world_facts", "real_authors"):
        p = data / "tofu" / f"{name}.json"
        if p.is_file():
            sets[f"tofu/{name}"] = [
                {
                    "question": x["question"],
                    "draft": _draft([x.get(f"option{i}", "") for i in range(1, 5)], x.get("answer")),
                    **_whole(x["question"], [x.get(f"option{i}", "") for i in range(1, 5)], x.get("answer")),
                }
                for x in json.loads(p.read_text("utf-8"))
            ]
    nb: list[dict] = []
    for d in sorted((data / "rwku").glob("*")):
        for lvl in ("neighbor_level2.json",):
            p = d / lvl
            if p.is_file():
                nb += [
                    {
                        "question": x["query"],
                        "draft": f"The answer is {x.get('answer', '')}.",
                        "whole": x["query"],
                        "whole_draft": f"The answer is {x.get('answer', '')}.",
                    }
                    for x in json.loads(p.read_text("utf-8"))
                ]
    if nb:
        sets["rwku/neighbor"] = nb
    return sets


EVAL_CATEGORY_SETS = {
    "retain": "tofu/retain",
    "real authors": "tofu/real_authors",
    "world facts": "tofu/world_facts",
    "neighbor": "rwku/neighbor",
}
"""``alu eval`` record categories (benign ones) as the bench's set names."""


def load_drafts_file(path: Path) -> dict[str, list[dict]]:
    """``{set: [{"question", "draft"}]}`` from a JSON-lines file of real model drafts.

    A line is ``{"set", "question", "draft"}`` (the question as the model was asked it,
    e.g. with its lettered options) or an ``alu eval`` record of the ``vanilla`` system
    (``category``, ``query``, ``answer``: the draft), so ``alu eval --systems vanilla``'s
    ``records.jsonl`` can be read as it is."""
    sets: dict[str, list[dict]] = {}
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise SystemExit(f"{path}:{n}: not JSON ({exc}); one object a line") from None
        if "set" in row:
            name, question, draft = row.get("set"), row.get("question"), row.get("draft")
        elif row.get("system", "vanilla") == "vanilla" and "category" in row:
            cat = str(row["category"])
            name = EVAL_CATEGORY_SETS.get(cat) or cat.replace(" ", "/", 1)
            question, draft = row.get("query"), row.get("answer")
        else:
            continue  # another system's record: not a draft
        if not isinstance(name, str) or not isinstance(question, str) or not isinstance(draft, str):
            raise SystemExit(f'{path}:{n}: needs "set", "question" and "draft" strings (or a vanilla eval record)')
        sets.setdefault(name, []).append({"question": question, "draft": draft})
    if not sets:
        raise SystemExit(f"{path}: no drafts in it")
    return dict(sorted(sets.items()))


def load_people(data: Path) -> list[Target]:
    people = []
    for d in sorted((data / "rwku").glob("*")):
        p = d / "intro.json"
        if not p.is_file():
            continue
        intro = json.loads(p.read_text("utf-8"))[0]
        desc = intro.get("intro", "").replace(f"Please forget {intro['target']}.", "").strip()
        words = []
        fw = d / "forget_words.json"
        if fw.is_file():
            try:
                words = [w for w in json.loads(fw.read_text("utf-8")) if isinstance(w, str)][:8]
            except ValueError:
                words = []
        people.append(Target(name=intro["target"], kind="person", description=desc, keywords=tuple(words)))
    return people


def keep_texts(sets: dict[str, list[dict]], learn=lambda v: v) -> list[str]:
    """The keep side: the shipped text, plus the keep sets' questions and their drafts'
    sentences (statements: a classifier that saw only questions flags answers)."""
    from alu.semantic.index import default_keep_texts
    from alu.semantic.profiles import chunk_texts

    out = default_keep_texts()
    for k, v in sets.items():
        if k.startswith(KEEP_SETS):
            for x in learn(v):
                out.append(x["question"])
                out.extend(c for _, c in chunk_texts({"draft": x["draft"]}))
    return list(dict.fromkeys(out))


def _half(text: str) -> int:
    return hashlib.sha256(text.encode()).digest()[0] & 1


def _stem(question: str) -> str:
    """The question as the data files hold it (a multiple-choice query's stem)."""
    from alu.semantic.profiles import mc_stem

    return mc_stem(question) or question


# -- the run ------------------------------------------------------------------------------
BASELINE_CANDIDATE = 0.50
"""The classifiers' candidate threshold before whole-query calibration (the baseline's)."""


def _with_candidate(th, candidate: float):
    from alu.semantic.index import Band, SemanticThresholds

    bands = dict(th.classifier)
    for kind in ("topic", "other"):
        bands[kind] = Band(candidate=candidate, flag=bands[kind].flag)
    return SemanticThresholds(similarity=th.similarity, classifier=bands)


def _rates(index, queries, vec_of, chunker, thresholds, *, topic_only=False):
    flagged = reached = 0
    for q in queries:
        chunks = chunker(q)
        if not chunks:
            continue
        hits = index.search_vectors(chunks, np.stack([vec_of[c] for _, c in chunks]), thresholds)
        if topic_only:
            hits = [h for h in hits if h.kind == "topic"]
        flagged += any(h.band == "flag" for h in hits)
        reached += bool(hits)
    n = max(1, len(queries))
    return {"n": len(queries), "flagged": round(flagged / n, 4), "reached_judge": round(reached / n, 4)}


def run(
    data: Path = DEFAULT_DATA,
    examples_dir: Path | None = None,
    *,
    drafts: bool = True,
    scale: bool = True,
    curve: bool = False,
    cache_path: Path | None = None,
    anns: Sequence[str] = ("ivf",),
    sizes: Sequence[int] = (100, 100_000),
    thresholds=None,
    baseline_keep: Sequence[str] | None = None,
    drafts_file: Path | None = None,
    log=lambda *_: None,
) -> dict:
    from alu.semantic.cache import MemoryVectorCache, SqliteVectorCache
    from alu.semantic.embeddings import default_embeddings, model_key
    from alu.semantic.index import DEFAULT_THRESHOLDS, SemanticIndex
    from alu.semantic.profiles import chunk_texts

    examples_dir = examples_dir or data
    same = Path(examples_dir).resolve() == Path(data).resolve()
    test_sets = load_sets(Path(data))
    ex_sets = test_sets if same else load_sets(Path(examples_dir))
    if not any(k.startswith("wmdp/") for k in test_sets):
        raise SystemExit(f"no wmdp/bio.json or wmdp/chem.json under {data}")

    def learn(items):  # the half (or all) that examples and keep text may come from
        return [x for x in items if not same or _half(x["question"]) == 0]

    def test(items):
        return [x for x in items if not same or _half(x["question"]) == 1]

    emb = default_embeddings()
    examples = {TOPICS[k].id: [x["question"] for x in learn(v)] for k, v in ex_sets.items() if k in TOPICS}
    keep = keep_texts(ex_sets, learn)
    people = load_people(Path(examples_dir))
    targets = [*TOPICS.values(), *people]
    log(
        f"targets: {len(targets)} ({len(people)} people); examples: "
        f"{ {k: len(v) for k, v in examples.items()} }; keep texts: {len(keep)}"
    )

    tested = {k: test(v) for k, v in test_sets.items()}
    real = load_drafts_file(drafts_file) if drafts_file else {}

    def chunker_q(q):
        return chunk_texts({"question": q["question"]})

    def chunker_d(q):
        return chunk_texts({"question": q["question"], "draft": q["draft"]})

    def chunker_w(q):  # the whole query: stem, options, instruction; the answer as the draft
        return chunk_texts({"question": q["whole"], "draft": q["whole_draft"]})

    def chunker_r(q):  # a real draft: the question as asked, the model's answer
        return chunk_texts({"question": q["question"], "draft": q["draft"]})

    def chunker_w0(q):  # the same without the stem chunk (the baseline's behaviour)
        return chunk_texts({"question": q["whole"], "draft": q["whole_draft"]}, mc_stems=False)

    # embed every chunk once, in batches
    all_chunks: dict[str, None] = {}
    for items in tested.values():
        for q in items:
            for chunker in (chunker_q, chunker_w, *((chunker_d,) if drafts else ())):
                for _, c in chunker(q):
                    all_chunks[c] = None
    for items in real.values():
        for q in items:
            for _, c in chunker_r(q):
                all_chunks[c] = None
    texts = list(all_chunks)
    t0 = time.perf_counter()
    cache = SqliteVectorCache(cache_path) if cache_path else MemoryVectorCache()
    log(f"embedding {len(texts)} chunks…")
    probe = SemanticIndex(emb, cache=cache)
    vecs, n_new = probe._vectors(texts)
    log(f"  {time.perf_counter() - t0:.1f} s ({n_new} embedded, the rest from the cache)")
    vec_of = dict(zip(texts, vecs))

    out: dict = {
        "model": {"key": model_key(emb), "id": emb.model_id, "version": emb.version, "dims": emb.dims},
        "split": "hash halves of DIR (examples and keep from one, tests from the other)"
        if same
        else "DIR2 learnt, DIR tested",
    }
    t0 = time.perf_counter()
    index = SemanticIndex(emb, keep_texts=keep, cache=cache)
    stats = index.sync(targets, version="bench", examples=examples)
    out["sync"] = {"seconds": round(time.perf_counter() - t0, 2), "fitted": stats.fitted, "embedded": stats.embedded}
    th = thresholds or DEFAULT_THRESHOLDS

    def rates(idx, chunker, **kw):
        return {k: _rates(idx, v, vec_of, chunker, th, **kw) for k, v in tested.items()}

    out["sets"] = rates(index, chunker_q)
    out["whole"] = rates(index, chunker_w)
    out["sets_topics_only"] = rates(index, chunker_q, topic_only=True)
    if drafts:
        out["drafts"] = rates(index, chunker_d)
    # the product default: only the shipped keep text
    idx_default = SemanticIndex(emb, cache=cache)
    idx_default.sync(targets, version="bench", examples=examples)
    out["shipped_keep_only"] = rates(idx_default, chunker_q)
    out["shipped_keep_only_whole"] = rates(idx_default, chunker_w)
    if real:  # the product's index (shipped keep text) on every draft; the in-domain one on
        # the questions it did not learn from (an MMLU stem of the learning half is keep text)
        out["real_drafts"] = {k: _rates(idx_default, v, vec_of, chunker_r, th) for k, v in real.items()}
        out["real_drafts_in_domain_keep"] = {
            k: _rates(index, [q for q in v if not same or _half(_stem(q["question"])) == 1], vec_of, chunker_r, th)
            for k, v in real.items()
        }
    curves = [
        ("classifier", index, chunker_q),
        ("shipped_stems", idx_default, chunker_q),
        ("shipped_whole", idx_default, chunker_w),
    ]
    if baseline_keep is not None:  # another keep text (an older shipped one), no stem chunks: the before
        idx_base = SemanticIndex(emb, keep_texts=list(baseline_keep), cache=cache)
        idx_base.sync(targets, version="bench", examples=examples)
        th_base = _with_candidate(th, BASELINE_CANDIDATE)
        out["baseline_keep_only"] = {k: _rates(idx_base, v, vec_of, chunker_q, th_base) for k, v in tested.items()}
        out["baseline_keep_only_whole"] = {
            k: _rates(idx_base, v, vec_of, chunker_w0, th_base) for k, v in tested.items()
        }
        curves.append(("baseline_whole", idx_base, chunker_w0))
    zs = SemanticIndex(emb, cache=cache)
    zs.sync(targets, version="bench")
    out["zero_shot"] = rates(zs, chunker_q)
    out["zero_shot_whole"] = rates(zs, chunker_w)
    if curve:
        out["curve"] = calibration_curve(
            [*curves, ("similarity", zs, chunker_q), ("similarity_whole", zs, chunker_w)], tested, vec_of
        )
    out["cost"] = {"embed": embed_cost(emb, tested)}
    if scale:
        for n, kind in enumerate(anns):
            figures = scale_cost(
                index, emb, tested, vec_of, chunker_w, examples=examples, ann=kind, sizes=sizes, log=log
            )
            out["cost"].setdefault("targets_by_ann", {})[kind] = figures
            if n == 0:
                out["cost"]["targets"] = figures
    out["thresholds"] = {
        m: {k: {"candidate": b.candidate, "flag": b.flag} for k, b in getattr(th, m).items()}
        for m in ("similarity", "classifier")
    }
    return out


CLASSIFIER_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
SIMILARITY_GRID = (0.2, 0.24, 0.27, 0.3, 0.33, 0.36, 0.4)


def topic_scores(idx, items, vec_of, chunker) -> list[float]:
    """Per query, the best topic score over its chunks (-1 when no topic scores)."""
    from alu.semantic.index import Band, SemanticThresholds

    topic_ids = {t.id for t in TOPICS.values()}
    low = SemanticThresholds(
        similarity={k: Band(candidate=-1.0) for k in ("topic", "other")} | {"person": Band(candidate=9.0)},
        classifier={k: Band(candidate=0.0) for k in ("topic", "other")} | {"person": Band(candidate=9.0)},
    )
    scores = []
    for q in items:
        chunks = chunker(q)
        hits = idx.search_vectors(chunks, np.stack([vec_of[c] for _, c in chunks]), low)
        s = [h.score for h in hits if h.target_id in topic_ids]
        scores.append(max(s) if s else -1.0)
    return scores


def calibration_curve(variants, tested, vec_of) -> dict:
    """Per variant ``(label, index, chunker)``: the share of each set whose best topic score
    is at or above each threshold (recall on WMDP, false flags on the others)."""
    best: dict[str, dict[str, dict[str, float]]] = {}
    for label, idx, chunker in variants:
        per_set = {k: np.asarray(topic_scores(idx, items, vec_of, chunker)) for k, items in tested.items()}
        grid = SIMILARITY_GRID if label.startswith("similarity") else CLASSIFIER_GRID
        best[label] = {str(t): {k: round(float(np.mean(v >= t)), 4) for k, v in per_set.items()} for t in grid}
    return best


def _pct(xs, q):
    return round(float(np.percentile(np.asarray(xs) * 1000, q)), 2)


def embed_cost(emb, tested, n: int = 60) -> dict:
    """ms to embed one query's chunks (the whole question + a long draft), p50/p95, and
    per 100 tokens."""
    from alu.semantic.profiles import chunk_texts

    rng = np.random.default_rng(0)
    per_set = max(1, n // max(1, len(tested)))  # the same number from every set
    picks = [v[i] for v in tested.values() if v for i in rng.choice(len(v), size=min(per_set, len(v)), replace=False)]
    times, toks = [], []
    emb.embed_array(["warm up"])
    for q in picks:
        # the whole query (stem, options, instruction) and a long draft (every option as a
        # sentence and the answer): the largest text a multiple-choice query brings
        chunks = chunk_texts({"question": q["whole"], "draft": q["draft"]})
        t0 = time.perf_counter()
        emb.embed_array([c for _, c in chunks])
        times.append(time.perf_counter() - t0)
        toks.append(sum(emb.count_tokens(c) for _, c in chunks))
    per100 = [t / max(1, k) * 100 for t, k in zip(times, toks)]
    load = os.getloadavg()
    return {
        "ms_per_100_tokens_p95": _pct(per100, 95),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "queries": len(picks),
        "p50_ms": _pct(times, 50),
        "p95_ms": _pct(times, 95),
        "ms_per_100_tokens_p50": _pct(per100, 50),
        "tokens_p50": int(np.median(toks)),
        "cpus": os.cpu_count(),
    }


def synthetic_targets(n: int, real: Sequence[Target], dims: int, seed: int = 0):
    """``n`` targets of mixed kinds (the real ones first).

    Real profile vectors cannot be had for 100,000 invented targets in minutes (embedding
    them takes about half an hour here): :func:`scale_cost` gives each synthetic text the
    normalised sum of two random real vectors (profile rows, keep text) and noise of about
    twice their size (``hits_per_query`` in the output says how many targets then pass). Kinds: 70% person, 10% work, 10% organization, 5% place, 5% topic; one
    to five profile texts each (descriptions and keywords).
    """

    rng = np.random.default_rng(seed)
    kinds = rng.choice(["person", "work", "organization", "place", "topic"], size=n, p=[0.7, 0.1, 0.1, 0.05, 0.05])
    targets = list(real)
    for i in range(n - len(real)):
        k = str(kinds[i])
        nk = int(rng.integers(0, 4))
        targets.append(
            Target(
                name=f"Synthetic {k} {i}",
                kind=k,
                description=f"Synthetic {k} number {i} of the scale bench.",
                keywords=tuple(f"kw{i}-{j}" for j in range(nk)),
            )
        )
    return targets


def _ann_bytes(ann) -> int:
    """Bytes of an index's own structures (faiss serialised size; 0 for the exact path)."""
    if ann is None:
        return 0
    import faiss

    return int(faiss.serialize_index(ann.index).nbytes)


def scale_cost(
    index,
    emb,
    tested,
    vec_of,
    chunker,
    *,
    examples=None,
    sizes=(100, 100_000),
    queries: int = 200,
    ann: str = "ivf",
    log=lambda *_: None,
) -> dict:
    """p50/p95 of the target-dependent part at each size. ``ann``: ``ivf`` (the default
    index: exact up to 20,000 rows, then the inverted file) or ``hnsw`` (the graph index
    at every size)."""
    from alu.semantic.cache import MemoryVectorCache, text_key
    from alu.semantic.index import DEFAULT_THRESHOLDS, SemanticIndex
    from alu.semantic.profiles import profile_texts

    # synthetic targets' vectors: two random real texts (profiles, keep text) plus noise
    pool = np.vstack([*(p.rows for p in index._snap.parts if p.rows.shape[0]), index.keep_vectors()])
    rng = np.random.default_rng(1)
    qpool = [q for v in tested.values() for q in v]
    picks = [qpool[i] for i in rng.choice(len(qpool), size=min(queries, len(qpool)), replace=False)]
    chunked = [chunker(q) for q in picks]
    qv = [(c, np.stack([vec_of[x] for _, x in c])) for c in chunked if c]
    base_targets = list(index._entries[t].target for t in index._entries)
    out = {}
    for n in sizes:
        targets = synthetic_targets(n, base_targets[:n], emb.dims)
        cache = MemoryVectorCache()
        fill = {}
        for t in targets:
            for x in profile_texts(t):
                if (key := text_key(x)) not in fill:
                    a, b = pool[rng.integers(len(pool), size=2)]
                    v = a + b + rng.normal(0, 3.0 / np.sqrt(emb.dims), emb.dims).astype(np.float32)
                    fill[key] = (v / np.linalg.norm(v)).astype(np.float32)
        for t in targets[: len(base_targets)]:  # the real targets' own vectors
            texts = profile_texts(t)
            cache.put_many(index.model_key, dict(zip(map(text_key, texts), index._vectors(texts)[0])))
        cache.put_many(index.model_key, fill)
        cache.put_many(index.model_key, dict(zip(map(text_key, index._keep_texts or []), index.keep_vectors())))
        for ex in (examples or {}).values():
            cache.put_many(index.model_key, dict(zip(map(text_key, ex), index._vectors(ex)[0])))
        if ann == "hnsw":  # the graph index from the first row
            big = SemanticIndex(emb, cache=cache, keep_texts=index._keep_texts, ann="hnsw", ann_min_rows=0)
        elif ann == "exact":  # one numpy product at every size
            big = SemanticIndex(emb, cache=cache, keep_texts=index._keep_texts, ann_min_rows=10**12)
        else:
            big = SemanticIndex(emb, cache=cache, keep_texts=index._keep_texts)
        big._key = index.model_key
        t0 = time.perf_counter()
        big.sync(targets, version=n, examples=examples)
        sync_s = time.perf_counter() - t0
        for c, v in qv[:10]:
            big.search_vectors(c, v, DEFAULT_THRESHOLDS)
        times, n_hits = [], []
        for c, v in qv:
            t1 = time.perf_counter()
            hits = big.search_vectors(c, v, DEFAULT_THRESHOLDS)
            times.append(time.perf_counter() - t1)
            n_hits.append(len(hits))
        mb = sum(p.rows.nbytes for p in big._parts) / 2**20
        ann_mb = sum(_ann_bytes(p.ann) for p in big._parts) / 2**20
        out[str(n)] = {
            "targets": len(big),
            "rows": int(sum(p.n_rows for p in big._parts)),
            "ann": [type(p.ann).__name__ if p.ann is not None else "exact" for p in big._parts],
            "p50_ms": _pct(times, 50),
            "p95_ms": _pct(times, 95),
            "sync_s_from_cache": round(sync_s, 2),
            "hits_per_query": round(float(np.mean(n_hits)), 2),
            "vectors_mb": round(mb, 1),
            "ann_mb": round(ann_mb, 1),
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        log(f"  {ann} {n} targets: {out[str(n)]}")
        del big, cache, fill
    return out


# -- CLI ----------------------------------------------------------------------------------
def add_topics_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``topics`` to ``alu bench``'s subparsers (sets ``func`` to this module's main)."""
    p = subparsers.add_parser("topics", help="the semantic stage on WMDP topics and their hard negatives")
    _arguments(p)
    p.set_defaults(func=lambda args: _run_args(args))
    return p


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="tested data (default ../shared/data)")
    p.add_argument(
        "--examples", type=Path, default=None, help="where examples and keep text come from (default: --data, split)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-drafts", action="store_true", help="stems only")
    p.add_argument("--no-scale", action="store_true", help="skip the 100/100,000-target timing")
    p.add_argument("--curve", action="store_true", help="add the calibration curve")
    p.add_argument("--cache", type=Path, default=None, help="SQLite vector cache file (re-runs embed nothing new)")
    p.add_argument(
        "--ann",
        default="ivf",
        help="index(es) of the scale run, comma-separated: ivf (default), hnsw (graph, every size), exact (numpy)",
    )
    p.add_argument(
        "--baseline-keep",
        type=Path,
        default=None,
        help="also score with this keep text only (one text a line; e.g. an older shipped file), same run",
    )
    p.add_argument("--sizes", default="100,100000", help="target counts of the scale run, comma-separated")
    p.add_argument(
        "--drafts-file",
        type=Path,
        default=None,
        help='also score real model drafts: JSON lines {"set", "question", "draft"} (or alu eval records'
        " of the vanilla system)",
    )


def _read_lines(path: Path) -> list[str]:
    raw = path.read_text("utf-8").splitlines()
    return [ln.strip() for ln in raw if ln.strip() and not ln.startswith("#")]


def _run_args(args) -> int:
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else (lambda *a: print(*a, flush=True))
    out = run(
        args.data,
        args.examples,
        drafts=not args.no_drafts,
        scale=not args.no_scale,
        curve=args.curve,
        cache_path=args.cache,
        anns=[a.strip() for a in args.ann.split(",") if a.strip()],
        sizes=[int(x) for x in args.sizes.split(",") if x.strip()],
        baseline_keep=_read_lines(args.baseline_keep) if args.baseline_keep else None,
        drafts_file=args.drafts_file,
        log=log,
    )
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"model {out['model']['id']} ({out['model']['version']}, {out['model']['dims']}-d); {out['split']}")
    for title, key in (
        ("stems", "sets"),
        ("whole queries (stem, lettered options, instruction; the answer as the draft)", "whole"),
        ("drafts (options + answer)", "drafts"),
        ("shipped keep text only: stems", "shipped_keep_only"),
        ("shipped keep text only: whole queries", "shipped_keep_only_whole"),
        ("real model drafts (the question as asked, the model's answer; shipped keep text)", "real_drafts"),
        ("real model drafts, in-domain keep text (questions it did not learn from)", "real_drafts_in_domain_keep"),
        ("baseline keep text only: stems", "baseline_keep_only"),
        ("baseline keep text only: whole queries", "baseline_keep_only_whole"),
        ("zero-shot (description + keywords): stems", "zero_shot"),
        ("zero-shot: whole queries", "zero_shot_whole"),
    ):
        if key not in out:
            continue
        print(f"\n{title}:\n  {'set':28} {'n':>5} {'flagged':>8} {'flag|judge':>10}")
        for k, v in out[key].items():
            print(f"  {k:28} {v['n']:5} {v['flagged']:8.1%} {v['reached_judge']:10.1%}")
    e = out["cost"]["embed"]
    print(
        f"\nembedding question+draft: p50 {e['p50_ms']} ms, p95 {e['p95_ms']} ms ({e['ms_per_100_tokens_p50']} ms/100"
        f" tokens p50, {e['ms_per_100_tokens_p95']} p95; load average {e['load_average_1_5_15']})"
    )
    for kind, sizes in out["cost"].get("targets_by_ann", {}).items():
        for n, v in sizes.items():
            print(
                f"target-dependent part ({kind}) at {n} targets: p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms,"
                f" vectors {v['vectors_mb']} MB, peak RSS {v['max_rss_mb']} MB"
            )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="alu bench topics", description=__doc__.split("\n\n")[0])
    _arguments(p)
    return _run_args(p.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
