"""Latency of a run against one plain model call, at equal per-call latency.

The model is a loopback OpenAI-compatible API that serves calls in parallel
(tests/faulty_openai.py, no faults) where a text reply takes ``--text-s`` (1 s) and a
structured verdict ``--verdict-s`` (0.25 s); the graph reaches it through
``langchain-openai`` as it would any provider. Cases (Jane Austen registered, no keywords):

- nothing near: "What is the capital of France?" — the draft names no one;
- judge asked: the draft names a surname alone (a candidate: one judge call);
- the draft names a target: "Who wrote Pride and Prejudice?" (vanilla, then k rewrites
  and k critiques in parallel, the best clean rewrite answered);
- the question names it: "Tell me about Jane Austen." (no draft: the erasers answer the
  question directly);
- the draft names it, with the paper's merge on (``merge=True``: one more text call).

Each ratio is the run's wall time over one plain text call's, median of ``--repeat`` runs;
calls and tokens per run beside it. ``--bundled``: the same cases on the bundled local
model (one request at a time: its ratios count every call).

    .venv/bin/python benchmarks/latency.py [--k 5] [--repeat 3] [--json] [--bundled]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faulty_openai import FaultyOpenAI
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.store.memory import InMemoryStore

from alu import Context, TargetRegistry, create_alu_graph
from alu.graph.models import Models, call_text
from alu.prompts import load

CASES = {
    "nothing near": ("What is the capital of France?", "The capital of France is Paris.", {}),
    "judge asked": ("Is Austen a common surname?", "Austen is an English surname.", {}),
    "draft names a target": ("Who wrote Pride and Prejudice?", "Jane Austen wrote it in 1813.", {}),
    "question names it": ("Tell me about Jane Austen.", "Jane Austen was an English novelist.", {}),
    "draft names it, merge on": ("Who wrote Pride and Prejudice?", "Jane Austen wrote it in 1813.", {"merge": True}),
}


def _plain_call(context: Context) -> float:
    model, name = Models().get("vanilla", context, 0.0)
    started = time.perf_counter()
    call_text("vanilla", model, name, [SystemMessage(load("vanilla_system")), HumanMessage("Hello?")], context)
    return time.perf_counter() - started


def measure(context: Context, repeat: int, drafts: dict[str, str] | None = None) -> dict:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    graph = create_alu_graph(store=store)
    graph.invoke({"query": "warm-up"}, context=context)  # the index built, the clients made
    plain = statistics.median(_plain_call(context) for _ in range(repeat))
    rows = {}
    for case, (question, _, extra) in CASES.items():
        times, out = [], {}
        for _ in range(repeat):
            started = time.perf_counter()
            out = graph.invoke({"query": question}, context=Context(**{**context.__dict__, **extra}))
            times.append(time.perf_counter() - started)
        audit = out["audit"]
        rows[case] = {
            "ratio": round(statistics.median(times) / plain, 2),
            "seconds": round(statistics.median(times), 3),
            "decision": audit["decision"],
            "calls": audit["calls"],
            "tokens": audit["prompt_tokens"] + audit["completion_tokens"],
            "austen_in_answer": "austen" in out["answer"].lower(),
        }
    return {"plain_call_s": round(plain, 3), "cases": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text-s", type=float, default=1.0)
    parser.add_argument("--verdict-s", type=float, default=0.25)
    parser.add_argument("--bundled", action="store_true", help="also the bundled local model")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def vanilla(record) -> str:
        question = str(record.body["messages"][-1]["content"])
        return next((draft for q, draft, _ in CASES.values() if q == question), "Hello.")

    latency = {"vanilla": args.text_s, "eraser": args.text_s, "composer": args.text_s}
    latency |= {"auditor": args.verdict_s, "critic": args.verdict_s}
    replies = {"vanilla": vanilla, "eraser": "It is an English novel published in 1813."}
    setup = {"k": args.k, "j": min(3, args.k), "text_s": args.text_s, "verdict_s": args.verdict_s,
             "index": "warm (one run before timing)", "repeat": args.repeat}  # fmt: skip
    report: dict = {"setup": setup}
    with FaultyOpenAI(replies=replies, latency=latency) as server:
        import os

        os.environ.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="x")
        report["simulated"] = measure(Context(model="openai:fast", k=args.k), args.repeat)
    if args.bundled:
        from alu.local_model import LocalModelServer

        local = LocalModelServer()
        local.start()
        try:
            os.environ.update(local.environment())
            report["bundled"] = measure(Context(model=os.environ["ALU_MODEL"], k=args.k), 1)
        finally:
            local.stop()
    if args.json:
        print(json.dumps(report))
        return 0
    print("setup:", json.dumps(setup))
    for where in ("simulated", "bundled"):
        if where not in report:
            continue
        print(f"\n{where}: one plain call {report[where]['plain_call_s']} s")
        for case, row in report[where]["cases"].items():
            print(f"  {case:26} {row['ratio']:5.2f}x  {row['seconds']:7.3f} s  {row['decision']:11}"
                  f" calls {row['calls']:2}  tokens {row['tokens']:5}  Austen in answer: {row['austen_in_answer']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
