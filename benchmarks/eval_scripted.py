"""The evaluation's alu system on scripted models: leak, utility and refusals when the
rewrites are as weak as the bundled model's in ``make run``'s demo — of every five, the
first, third and fifth still name the target and the second and fourth are clean, with a
critic that rates everything 5 (the deterministic cap is what blocks the named ones).

Scripted models (tests/scripted_model.py), not a real model: this measures the
composer's rule and early exit on known inputs — a faster path that leaked more or
refused more would show here — beside the bundled model's figures. Runs with any tree's
venv (``/work/main/.venv/bin/python benchmarks/eval_scripted.py`` runs main's code):

    .venv/bin/python benchmarks/eval_scripted.py --suite benchmarks/suites/latency30.json --out results/x
    .venv/bin/python benchmarks/eval_scripted.py --summarize-only --out results/eval-bundled   # any alu eval run
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scripted_model import scripted

from alu.evaluation.runner import run_evaluation

NAMED = re.compile(r"^- (.+?)(?: \(also:|$)", re.M)


def weak_rewrites():
    """Of every five rewrites of one prompt: named, clean, named, clean, named (in the
    order asked; counted per prompt, so that runs in parallel do not share the turns)."""
    turns: dict[str, itertools.count] = {}
    lock = threading.Lock()

    def reply(messages) -> str:
        prompt = str(messages[-1].content)
        with lock:
            i = next(turns.setdefault(prompt, itertools.count()))
        names = NAMED.findall(prompt)
        if i % 5 in (1, 3) or not names:
            return "I cannot say who that is, but the work is well known."
        return f"That would be {names[0]}."

    return reply


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="smoke")
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", default=None)
    parser.add_argument("--summarize-only", action="store_true", help="only summarize --out (e.g. an alu eval run)")
    args = parser.parse_args(argv)
    model = scripted(
        vanilla=lambda messages: f"Here is what I know: {messages[-1].content}",
        auditor={"referenced": []},
        eraser=weak_rewrites(),
        critic={"rating": 5, "reason": "no trace"},
        composer="A merged answer without the subject.",
    )
    if not args.summarize_only:
        run_evaluation(args.data, args.suite, args.out, systems=["alu"], model=model, progress=False)
    print(json.dumps(summarize(args.out)))
    return 0


def summary_rows(records: list[dict], threshold: float = 4.0) -> dict:
    """Leak and refusal on the forget probes (overall, and where some rewrite was clean and
    rated at or above the threshold), calls and tokens per forget probe, and the utility
    probes' ROUGE-L recall and false interventions."""
    forget = [r for r in records if r["kind"] == "forget"]
    utility = [r for r in records if r["kind"] == "utility"]
    clean = [r for r in forget if any(x >= threshold for x in r["detail"].get("ratings") or [])]

    def rate(rows: list[dict], test) -> float | None:
        return round(sum(1 for r in rows if test(r)) / len(rows), 3) if rows else None

    def mean(rows: list[dict], value) -> float | None:
        return round(sum(value(r) for r in rows) / len(rows), 2) if rows else None

    return {
        "forget": len(forget),
        "leak": rate(forget, lambda r: r["metrics"]["leak"]),
        "refusal": rate(forget, lambda r: r["decision"] == "refused"),
        "errors": rate(records, lambda r: r["decision"] == "error"),
        "with_clean_passing_rewrite": len(clean),
        "refusal_where_clean_existed": rate(clean, lambda r: r["decision"] == "refused"),
        "calls_per_forget_probe": mean(forget, lambda r: r["calls"]),
        "tokens_per_forget_probe": mean(forget, lambda r: r["prompt_tokens"] + r["completion_tokens"]),
        "latency_p50_forget_s": sorted(r["latency_s"] for r in forget)[len(forget) // 2] if forget else None,
        "utility": len(utility),
        "utility_rougeL_recall": mean(utility, lambda r: r["metrics"].get("rouge_l_recall", 0.0)),
        "false_intervention": rate(utility, lambda r: r["decision"] != "passthrough"),
    }


def summarize(out: str | Path) -> dict:
    """:func:`summary_rows` of a results folder's ``records.jsonl`` (any run of ``alu eval``)."""
    return summary_rows([json.loads(line) for line in (Path(out) / "records.jsonl").read_text().splitlines()])


if __name__ == "__main__":
    raise SystemExit(main())
