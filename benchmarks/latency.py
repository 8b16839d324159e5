"""Latency of a run against one plain model call, at equal per-call latency.

The model is a loopback OpenAI-compatible API that serves calls in parallel
(tests/faulty_openai.py, no faults) where a text reply takes ``--text-s`` (1 s) and a
structured verdict ``--verdict-s`` (0.25 s); the graph reaches it through
``langchain-openai`` as it would any provider. Cases (Jane Austen registered, no keywords):

- nothing near: "What is the capital of France?" — the draft names no one;
- judge asked: the draft names a surname alone (a candidate: one judge call);
- the draft names a target: "Who wrote Pride and Prejudice?" (vanilla, then the
  composer's rewrites and critiques, the first clean passing rewrite answered);
- the question names it: "Tell me about Jane Austen." (no draft: the erasers answer the
  question directly);
- the draft names it, with the paper's merge on (``merge=True``: j passing rewrites, then
  one more text call);
- the draft names it, latencies spread: each rewrite takes 0.6, 0.8, 1.0, 1.2 or 1.4 ×
  ``--text-s`` in turn (mean 1×) — what early exit gains when calls do not all take the
  same time; and the same with ``early_exit=False`` (every rewrite rated).

Each ratio is the run's wall time over one plain text call's, median of ``--repeat`` runs;
beside it the time to first token: the graph streamed with ``stream_mode="messages"``
(chat input: the audited answer is the first message a caller sees) over a plain call
streamed from the same API. Calls and tokens are the audit record's (calls that finished);
``requests`` counts what the API received, calls stopped by early exit included.
The async path (``ainvoke``, as LangGraph server runs it: stopped calls are cancelled)
is measured for the two flagged cases. ``--bundled``: the same cases on the bundled local model (one request at a time: its
ratios count every call; ``ALU_REWRITES_AT_ONCE=1`` as the bundled server sets it). Its
calls are not of equal length, so each case's ratio is over a plain call of that case's
own question (median of ``--repeat``).

    .venv/bin/python benchmarks/latency.py [--k 5] [--repeat 3] [--json] [--bundled]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from faulty_openai import FaultyOpenAI
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.store.memory import InMemoryStore

from alu import Context, TargetRegistry, create_alu_graph
from alu.graph.models import Models, call_text
from alu.prompts import load

REWRITE = "It is an English novel published in 1813."
CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "nothing near": ("What is the capital of France?", "The capital of France is Paris.", {}),
    "judge asked": ("Is Austen a common surname?", "Austen is an English surname.", {}),
    "draft names a target": ("Who wrote Pride and Prejudice?", "Jane Austen wrote it in 1813.", {}),
    "question names it": ("Tell me about Jane Austen.", "Jane Austen was an English novelist.", {}),
    "draft names it, merge on": ("Who wrote Pride and Prejudice?", "Jane Austen wrote it in 1813.", {"merge": True}),
}
SPREAD = (0.6, 0.8, 1.0, 1.2, 1.4)
SPREAD_CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "draft names it, spread": CASES["draft names a target"],
    "  same, early_exit off": (*CASES["draft names a target"][:2], {"early_exit": False}),
}


def _plain_call(context: Context, question: str = "Hello?") -> float:
    model, name = Models().get("vanilla", context, 0.0)
    started = time.perf_counter()
    call_text("vanilla", model, name, [SystemMessage(load("vanilla_system")), HumanMessage(question)], context)
    return time.perf_counter() - started


def _plain_first_token(context: Context) -> float:
    """One plain call streamed (a model client with streaming on): seconds to its first chunk."""
    from langchain.chat_models import init_chat_model

    model = init_chat_model(context.model, temperature=0, max_tokens=context.max_tokens)
    started = time.perf_counter()
    for _ in model.stream([SystemMessage(load("vanilla_system")), HumanMessage("Hello?")]):
        return time.perf_counter() - started
    return time.perf_counter() - started


def _first_token(graph, question: str, context: Context) -> float:
    """Seconds until a streaming caller sees the first message (the audited answer)."""
    started = time.perf_counter()
    for _chunk in graph.stream({"messages": [HumanMessage(question)]}, context=context, stream_mode="messages"):
        return time.perf_counter() - started
    return time.perf_counter() - started


def measure(
    context: Context,
    repeat: int,
    cases: dict[str, tuple[str, str, dict[str, Any]]],
    requests=None,
    cold: bool = False,
    use_async: bool = False,
    per_question: bool = False,
) -> dict:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen")
    graph = create_alu_graph(store=store)
    rows: dict[str, Any] = {}
    if cold:  # the first run of a process: the index built, the clients made
        started = time.perf_counter()
        graph.invoke({"query": CASES["draft names a target"][0]}, context=context)
        rows["(cold first run)"] = {"seconds": round(time.perf_counter() - started, 3)}
    graph.invoke({"query": "warm-up"}, context=context)
    loop = asyncio.new_event_loop() if use_async else None
    if loop is not None:  # the async clients made on this loop
        loop.run_until_complete(graph.ainvoke({"query": CASES["draft names a target"][0]}, context=context))
    plain = statistics.median(_plain_call(context) for _ in range(repeat))
    plain_ttft = statistics.median(_plain_first_token(context) for _ in range(repeat))
    latencies: dict[str, list[float]] = {}
    for case, (question, _, extra) in cases.items():
        run_context = Context(**{**context.__dict__, **extra})
        times, out, sent = [], {}, []
        for _ in range(repeat):
            before = requests() if requests else 0
            started = time.perf_counter()
            if loop is not None:  # LangGraph server's path (one long-lived loop): stopped calls cancelled
                out = loop.run_until_complete(graph.ainvoke({"query": question}, context=run_context))
            else:
                out = graph.invoke({"query": question}, context=run_context)
            times.append(time.perf_counter() - started)
            if requests:
                time.sleep(0.3 * context.k)  # let stopped calls reach the server's count
                sent.append(requests() - before)
        ttft = statistics.median(_first_token(graph, question, run_context) for _ in range(repeat))
        # A real model's calls do not take equal time (a short "Hello?" reply is not a
        # 96-token answer): the plain call of the case's own question is the reference.
        same = statistics.median(_plain_call(run_context, question) for _ in range(repeat)) if per_question else None
        audit = out["audit"]
        for call in audit["call_log"]:
            latencies.setdefault(call["agent"], []).append(call["latency_s"])
        rows[case] = {
            "ratio": round(statistics.median(times) / plain, 2),
            "seconds": round(statistics.median(times), 3),
            "ttft_ratio": round(ttft / plain_ttft, 2),
            "ttft_s": round(ttft, 3),
            "plain_same_question_s": None if same is None else round(same, 3),
            "ratio_same_question": None if same is None else round(statistics.median(times) / same, 2),
            "decision": audit["decision"],
            "calls": audit["calls"],
            "requests": max(sent) if sent else None,
            "tokens": audit["prompt_tokens"] + audit["completion_tokens"],
            "austen_in_answer": "austen" in out["answer"].lower(),
        }
    per_call = {agent: round(statistics.median(values), 3) for agent, values in latencies.items()}
    return {
        "plain_call_s": round(plain, 3),
        "plain_ttft_s": round(plain_ttft, 3),
        "per_call_s": per_call,
        "cases": rows,
    }


def _print(where: str, report: dict) -> None:
    print(
        f"\n{where}: one plain call {report['plain_call_s']} s (first token {report['plain_ttft_s']} s);"
        f" measured per call (median s): {json.dumps(report['per_call_s'])}"
    )
    print(f"  {'case':26} {'whole':>6} {'':>8}  {'1st tok':>7} {'':>8}  decision    calls reqs tokens  Austen")
    for case, row in report["cases"].items():
        if "ratio" not in row:
            print(f"  {case:26} {row['seconds']:7.3f} s")
            continue
        reqs = "-" if row["requests"] is None else row["requests"]
        if row.get("ratio_same_question") is not None:
            print(
                f"  {case:26} {row['ratio_same_question']:5.2f}x over its own plain call"
                f" ({row['seconds']:.3f} s / {row['plain_same_question_s']:.3f} s)"
                f"  {row['decision']:11} {row['calls']:5} {row['tokens']:6}  {row['austen_in_answer']}"
            )
            continue
        print(
            f"  {case:26} {row['ratio']:5.2f}x {row['seconds']:7.3f}s  {row['ttft_ratio']:6.2f}x {row['ttft_s']:7.3f}s"
            f"  {row['decision']:11} {row['calls']:5} {reqs:>4} {row['tokens']:6}  {row['austen_in_answer']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text-s", type=float, default=1.0)
    parser.add_argument("--verdict-s", type=float, default=0.25)
    parser.add_argument("--bundled", action="store_true", help="also the bundled local model")
    parser.add_argument("--bundled-only", action="store_true", help="only the bundled local model")
    parser.add_argument("--bundled-max-tokens", type=int, default=96, help="reply cap on the bundled model")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def vanilla(record) -> str:
        question = str(record.body["messages"][-1]["content"])
        return next((draft for q, draft, _ in CASES.values() if q == question), "Hello.")

    latency: dict[str, Any] = {"vanilla": args.text_s, "eraser": args.text_s, "composer": args.text_s}
    latency |= {"auditor": args.verdict_s, "critic": args.verdict_s}
    replies = {"vanilla": vanilla, "eraser": REWRITE}
    setup = {
        "k": args.k,
        "j": min(3, args.k),
        "threshold": Context().threshold,
        "per_call_s": {"text reply": args.text_s, "structured verdict": args.verdict_s},
        "spread_cases_rewrite_s": [round(f * args.text_s, 2) for f in SPREAD],
        "text_chars": {
            "questions": sorted({len(q) for q, _, _ in CASES.values()}),
            "drafts": sorted({len(d) for _, d, _ in CASES.values()}),
            "rewrite": len(REWRITE),
        },
        "index": "warm (one run before timing); the cold first run printed apart",
        "targets": 1,
        "repeat": args.repeat,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    report: dict = {"setup": setup}
    if not args.bundled_only:
        with FaultyOpenAI(replies=replies, latency=latency) as server:
            os.environ.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="x")

            def requests() -> int:
                return len(server.requests())

            context = Context(model="openai:fast", k=args.k)
            report["simulated"] = measure(context, args.repeat, CASES, requests, cold=True)
            spread = itertools.cycle(SPREAD)
            server.latency["eraser"] = lambda _record: next(spread) * args.text_s
            report["simulated, rewrites spread"] = measure(context, args.repeat, SPREAD_CASES, requests)
            server.latency["eraser"] = args.text_s
            report["simulated, async path (ainvoke)"] = measure(
                context, args.repeat, {c: CASES[c] for c in list(CASES)[2:4]}, requests, use_async=True
            )
    if args.bundled or args.bundled_only:
        from alu.local_model import LocalModelServer

        local = LocalModelServer()
        local.start()
        try:
            os.environ.update(local.environment())
            context = Context(model=os.environ["ALU_MODEL"], k=args.k, max_tokens=args.bundled_max_tokens)
            report["bundled"] = measure(context, args.repeat, CASES, cold=True, per_question=True)
            setup["bundled"] = {"rewrites_at_once": context.rewrites_at_once, "max_tokens": context.max_tokens}
        finally:
            local.stop()
    if args.json:
        print(json.dumps(report))
        return 0
    print("setup:", json.dumps(setup))
    for where, value in report.items():
        if where != "setup":
            _print(where, value)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
