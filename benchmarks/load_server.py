"""Load benchmark: concurrent runs against a real `langgraph dev` on loopback.

The model is a fast loopback OpenAI-compatible server (tests/faulty_openai.py with no
faults: canned, instant replies), so what is measured is the graph and the server, not a
model. Every draft names both tenants' targets; runs alternate between the two tenants,
each of which registered one of them, so every run must be flagged for its own tenant's
target only: a run flagged for the other tenant's target is a cross-tenant leak.

    .venv/bin/python benchmarks/load_server.py [--runs 50] [--concurrency 50] [--json]

Prints throughput (runs/s), latency p50/p95 and the error and cross-tenant-leak counts.
A benchmark, not a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from dev_server import start_dev_server
from faulty_openai import FaultyOpenAI

TENANTS = {"tenant-a": ("jane-austen", "Jane Austen"), "tenant-b": ("mark-twain", "Mark Twain")}
DRAFT = "Pride and Prejudice was written by Jane Austen; Tom Sawyer by Mark Twain."


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--jobs-per-worker", type=int, default=10, help="N_JOBS_PER_WORKER of the server")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from langgraph_sdk import get_sync_client

    with FaultyOpenAI(replies={"vanilla": DRAFT}) as model, tempfile.TemporaryDirectory() as workdir:
        env = {"ALU_MODEL": "openai:fast", "OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "x"}
        # the operator lets callers pick a tenant (two tenants share this server), sets k=2
        # and, for this measurement of its own, the operator's audit view (ids of the flags)
        policy = {"ALU_ALLOW_CALLER_TENANT": "1", "ALU_K": "2", "ALU_AUDIT_VIEW": "operator"}
        with start_dev_server(env, Path(workdir), {"N_JOBS_PER_WORKER": str(args.jobs_per_worker), **policy}) as server:
            client = get_sync_client(url=server.url, api_key=None, timeout=300)
            for tenant, (key, name) in TENANTS.items():
                client.store.put_item(["alu", tenant, "targets"], key=key, value={"name": name, "aliases": []})

            def one(i: int) -> dict:
                tenant = list(TENANTS)[i % 2]
                query = "Who wrote these books?" if i % 4 < 2 else "Name two novelists."
                started = time.perf_counter()
                try:
                    out = client.runs.wait(
                        None, "alu", input={"query": query}, context={"tenant": tenant, "k": 2}, raise_error=False
                    )
                except Exception as exc:  # counted, not raised: the benchmark reports errors
                    return {"ok": False, "error": repr(exc), "latency": time.perf_counter() - started}
                latency = time.perf_counter() - started
                if not isinstance(out, dict) or "audit" not in out:
                    return {"ok": False, "error": str(out)[:300], "latency": latency}
                flagged = {f["id"] for f in out["audit"]["flagged"]}
                own = TENANTS[tenant][0]
                return {"ok": True, "latency": latency, "leak": bool(flagged - {own}), "flagged": bool(flagged)}

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                results = list(pool.map(one, range(args.runs)))
            wall = time.perf_counter() - started
    latencies = [r["latency"] for r in results if r["ok"]]
    report = {
        "runs": args.runs,
        "concurrency": args.concurrency,
        "errors": sum(not r["ok"] for r in results),
        "cross_tenant_leaks": sum(r.get("leak", False) for r in results),
        "flagged_runs": sum(r.get("flagged", False) for r in results),
        "wall_s": round(wall, 2),
        "throughput_runs_per_s": round(args.runs / wall, 2),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "first_errors": [r["error"] for r in results if not r["ok"]][:3],
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>24}: {value}")
    return 0 if report["errors"] == 0 and report["cross_tenant_leaks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
