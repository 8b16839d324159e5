"""Many processes, one PostgreSQL: nothing lost, nothing missed, and the cost at 100,000.

Three measurements, each printed (``--json``: one object), each against a throwaway
PostgreSQL on loopback (``tests/pg_server.py``; or ``--url`` for your own database):

- ``writers``: 8 processes at once, each adding its own targets (and removing a third
  of them again) and adding aliases to one shared target. Nothing lost: every target
  still meant to be there is there with every alias, every removed one is gone, and the
  shared target has all 8 × N aliases.
- ``readers``: 4 app processes answer (the ALU graph, a loopback OpenAI-compatible model
  with canned replies: ``tests/faulty_openai.py``) while a fifth adds and removes
  targets of two tenants. A run that starts after a write returned must honour it: a
  target present then is flagged, one removed then is not. Runs during which a write
  on the name they ask about was in flight (begun before the run ended, returned after
  it started) are counted apart: either answer is right. Cross-tenant leak: a run flags a target of another tenant.
- ``scale``: 100,000 synthetic targets in PostgreSQL and in SQLite: the time to store
  them, a cold process's first query (open the store, list, build the index, answer),
  and the steady p50/p95 of a query after that.

    python benchmarks/postgres_shared.py writers [--processes 8 --targets 60]
    python benchmarks/postgres_shared.py readers [--runs 1000]
    python benchmarks/postgres_shared.py scale [--targets 100000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SHARED_TARGET = "Jane Austen"


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=n)).capitalize()


# -- writers ------------------------------------------------------------------------


def own_name(process: int, j: int) -> str:
    letters = string.ascii_lowercase
    return f"Writer{letters[process % 26]}{letters[process // 26 % 26]} Person{letters[j % 26]}{letters[j // 26 % 26]}"


_PROCESSES = 8


def shared_per_process(n: int, processes: int = _PROCESSES) -> int:
    """Aliases each process adds to the shared target (all of them stay under MAX_ALIASES)."""
    from alu.domain import MAX_ALIASES

    return min(n, (MAX_ALIASES - 8) // processes)


def _writer(url: str, process: int, n: int, start_at: float) -> dict[str, Any]:
    from alu.registry import TargetRegistry
    from alu.registry.backends import open_store

    with open_store(url) as store:
        registry = TargetRegistry(store)
        time.sleep(max(0.0, start_at - time.time()))  # every process starts together
        started = time.perf_counter()
        for j in range(n):
            registry.add(own_name(process, j), aliases=[f"Alias{process}x{j} Writer"], keywords=[f"kw{process}-{j}"])
            if j < shared_per_process(n):
                registry.add(SHARED_TARGET, aliases=[f"Shared{string.ascii_lowercase[process]}{j} Austen"])
            if j % 3 == 0:
                registry.remove(own_name(process, j))
        return {
            "process": process,
            "writes": n + shared_per_process(n) + (n + 2) // 3,
            "s": time.perf_counter() - started,
        }


def bench_writers(url: str, processes: int = 8, targets: int = 60) -> dict[str, Any]:
    from alu.registry import TargetRegistry
    from alu.registry.backends import open_store

    ctx = mp.get_context("spawn")
    start_at = time.time() + 3.0
    with ctx.Pool(processes) as pool:
        results = pool.starmap(_writer, [(url, p, targets, start_at) for p in range(processes)])
    with open_store(url) as store:
        registry = TargetRegistry(store)
        present = {t.name: t for t in registry.list()}
    lost_targets = lost_aliases = resurrected = 0
    for p in range(processes):
        for j in range(targets):
            name = own_name(p, j)
            if j % 3 == 0:
                resurrected += name in present
            elif name not in present:
                lost_targets += 1
            elif f"Alias{p}x{j} Writer" not in present[name].aliases or f"kw{p}-{j}" not in present[name].keywords:
                lost_aliases += 1
    shared = present.get(SHARED_TARGET)
    expected_shared = {
        f"Shared{string.ascii_lowercase[p]}{j} Austen"
        for p in range(processes)
        for j in range(shared_per_process(targets))
    }
    kept_shared = len(expected_shared & set(shared.aliases if shared else ()))
    writes = sum(r["writes"] for r in results)
    wall = max(r["s"] for r in results)
    return {
        "processes": processes,
        "writes": writes,
        "wall_s": round(wall, 2),
        "writes_per_s": round(writes / wall, 1),
        "own_targets_expected": processes * (targets - (targets + 2) // 3),
        "own_targets_lost": lost_targets,
        "own_aliases_or_keywords_lost": lost_aliases,
        "removed_but_present": resurrected,
        "shared_aliases_expected": len(expected_shared),
        "shared_aliases_kept": kept_shared,
        "nothing_lost": lost_targets == lost_aliases == resurrected == 0 and kept_shared == len(expected_shared),
    }


# -- readers ------------------------------------------------------------------------

TENANTS = ("tenant-a", "tenant-b")


def pool_names(seed: int = 7, per_tenant: int = 12) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {tenant: [f"{_word(rng, 8)} {_word(rng, 9)}" for _ in range(per_tenant)] for tenant in TENANTS}


def _echo_vanilla(record: Any) -> str:
    """The vanilla model's reply: the question's name, in a sentence (so a registered
    target appears in the draft)."""
    messages = record.body.get("messages") or []
    question = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "") or ""
    subject = question.rsplit("about", 1)[-1].strip(" ?.")
    return f"{subject} is a person some people have written about."


def _app(url: str, env: dict[str, str], runs: int, seed: int, log_path: str) -> list[dict[str, Any]]:
    os.environ.update(env)
    from alu import Context, create_alu_graph
    from alu.registry.backends import open_store

    rng = random.Random(seed)
    names = pool_names()
    out: list[dict[str, Any]] = []
    with open_store(url) as store:
        graph = create_alu_graph(store=store)
        for _ in range(runs):
            tenant = rng.choice(TENANTS)
            # mostly this tenant's names; sometimes the other tenant's (a leak would flag it)
            source = tenant if rng.random() < 0.8 else next(t for t in TENANTS if t != tenant)
            name = rng.choice(names[source])
            started = time.time()
            result = graph.invoke(
                {"query": f"What do you know about {name}?"}, context=Context(tenant=tenant, k=1, j=1, threshold=1.0)
            )
            flagged = [f["id"] for f in result["audit"]["flagged"]]
            audit = result["audit"]
            out.append(
                {
                    "tenant": tenant,
                    "name": name,
                    "source": source,
                    "started": started,
                    "ended": time.time(),
                    "flagged": flagged,
                    "decision": audit["decision"],
                    "error": audit["error"],
                }
            )
    return out


def _churn(url: str, stop_at: float, log_path: str, seed: int) -> int:
    """Add and remove the pool's names at random until ``stop_at``; log each write's
    start and end (wall clock), after it returned."""
    from alu.registry import TargetRegistry
    from alu.registry.backends import open_store

    rng = random.Random(seed)
    names = pool_names()
    writes = 0
    with open_store(url) as store, open(log_path, "a", encoding="utf-8") as log:
        registries = {t: TargetRegistry(store, tenant=t) for t in TENANTS}
        while time.time() < stop_at:
            tenant = rng.choice(TENANTS)
            name = rng.choice(names[tenant])
            op = rng.choice(("add", "remove"))
            began = time.time()
            if op == "add":
                registries[tenant].add(name)
            else:
                registries[tenant].remove(name)
            log.write(
                json.dumps({"tenant": tenant, "name": name, "op": op, "began": began, "ended": time.time()}) + "\n"
            )
            log.flush()
            writes += 1
            time.sleep(rng.uniform(0.0, 0.05))
    return writes


def _state_at(writes: list[dict[str, Any]], t: float, until: float) -> str:
    """'present', 'absent' or 'in flight' for one name's writes during a run from ``t``
    to ``until``: the state the last write that returned before ``t`` left, unless a
    write on the name overlaps the run (then the run may see either)."""
    if any(w["began"] < until and w["ended"] > t for w in writes):
        return "in flight"
    done = [w for w in writes if w["ended"] <= t]
    return "present" if done and done[-1]["op"] == "add" else "absent"


def bench_readers(url: str, runs: int = 1000, apps: int = 4) -> dict[str, Any]:
    from faulty_openai import FaultyOpenAI

    from alu.domain import target_id_for
    from alu.registry import TargetRegistry
    from alu.registry.backends import open_store

    names = pool_names()
    with open_store(url) as store:  # start from a known state: half of each pool present
        for tenant in TENANTS:
            registry = TargetRegistry(store, tenant=tenant)
            for name in names[tenant]:
                registry.remove(name)
        initial_time = time.time()
        for tenant in TENANTS:
            TargetRegistry(store, tenant=tenant).add_many(names[tenant][::2])
        initial_end = time.time()
    ctx = mp.get_context("spawn")
    with FaultyOpenAI(replies={"vanilla": _echo_vanilla}) as model, tempfile.TemporaryDirectory() as tmp:
        log_path = str(Path(tmp) / "writes.jsonl")
        with open(log_path, "w", encoding="utf-8") as log:
            for tenant in TENANTS:
                for i, name in enumerate(names[tenant]):
                    op = "add" if i % 2 == 0 else "remove"
                    log.write(
                        json.dumps(
                            {"tenant": tenant, "name": name, "op": op, "began": initial_time, "ended": initial_end}
                        )
                        + "\n"
                    )
        env = {
            "ALU_MODEL": "openai:fast",
            "OPENAI_BASE_URL": model.base_url,
            "OPENAI_API_KEY": "x",
            "ALU_RAW_WRITE_CHECK_S": "1",
        }
        started = time.perf_counter()
        with ctx.Pool(apps + 1) as pool:
            per_app = (runs + apps - 1) // apps
            app_jobs = [pool.apply_async(_app, (url, env, per_app, 100 + i, log_path)) for i in range(apps)]
            pool.apply_async(_churn, (url, time.time() + 3600, log_path, 5))
            results = [r for job in app_jobs for r in job.get(timeout=3600)]
            pool.terminate()  # stops the churn (its log is flushed after every write)
        wall = time.perf_counter() - started
        writes_log = [json.loads(line) for line in Path(log_path).read_text(encoding="utf-8").splitlines()]
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for w in writes_log:
        by_name.setdefault((w["tenant"], w["name"]), []).append(w)
    for ws in by_name.values():
        ws.sort(key=lambda w: w["ended"])
    misses = over_blocked = in_flight = leaks = checked = 0
    first_misses: list[dict[str, Any]] = []
    for r in results:
        tenant_ids = {target_id_for(n) for n in names[r["tenant"]]}
        if set(r["flagged"]) - tenant_ids:
            leaks += 1
        if r["source"] != r["tenant"]:
            continue  # another tenant's name: only the leak check applies
        state = _state_at(by_name.get((r["tenant"], r["name"]), []), r["started"], r["ended"])
        flagged = target_id_for(r["name"]) in r["flagged"]
        if state == "in flight":
            in_flight += 1
            continue
        checked += 1
        history = [{k: w[k] for k in ("op", "began", "ended")} for w in by_name.get((r["tenant"], r["name"]), [])]
        if state == "present" and not flagged:
            misses += 1
            first_misses.append({**r, "writes": history[-3:]})
        elif state == "absent" and flagged:
            over_blocked += 1
            first_misses.append({**r, "writes": history[-3:]})
    return {
        "runs": len(results),
        "app_processes": apps,
        "writes_meanwhile": len(writes_log) - sum(len(v) for v in names.values()),
        "runs_checked": checked,
        "runs_overlapping_a_write_on_their_name": in_flight,
        "misses": misses,
        "removed_but_flagged": over_blocked,
        "cross_tenant_leaks": leaks,
        "wall_s": round(wall, 1),
        "runs_per_s": round(len(results) / wall, 1),
        "first_misses": first_misses[:3],
    }


# -- scale --------------------------------------------------------------------------


def _cold_query(spec: str, queries: list[str]) -> dict[str, Any]:
    """In a fresh process: open the store, the first query (list + build + answer), then
    steady latencies."""
    started = time.perf_counter()
    from alu.registry import shortlist
    from alu.registry.backends import open_store

    with open_store(spec) as store:
        first_started = time.perf_counter()
        shortlist(queries[0], store=store, tenant="scale")
        first = time.perf_counter() - first_started
        cold = time.perf_counter() - started
        latencies = []
        for _ in range(2):
            for q in queries:
                t0 = time.perf_counter()
                shortlist(q, store=store, tenant="scale")
                latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return {
        "first_query_s": round(first, 2),
        "cold_process_s": round(cold, 2),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
    }


def bench_scale(url: str, targets: int = 100_000, sqlite_path: str | None = None) -> dict[str, Any]:
    from alu.bench.queries import synthetic_queries
    from alu.bench.synthetic import synthetic_targets
    from alu.registry import TargetRegistry
    from alu.registry.backends import open_store

    pool = synthetic_targets(targets)
    queries = [q.text for q in synthetic_queries(pool[:100], 300, seed=2026)]
    rows: dict[str, Any] = {"targets": targets}
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        for label, spec in (("postgresql", url), ("sqlite", sqlite_path or str(Path(tmp) / "scale.sqlite"))):
            with open_store(spec) as store:
                started = time.perf_counter()
                TargetRegistry(store, tenant="scale").add_many(pool)
                store_s = time.perf_counter() - started
                from alu.registry import shortlist

                started = time.perf_counter()
                shortlist("", store=store, tenant="scale")
                build_s = time.perf_counter() - started
            with ctx.Pool(1) as p:
                cold = p.apply(_cold_query, (spec, queries))
            rows[label] = {"store_s": round(store_s, 1), "index_build_s": round(build_s, 1), **cold}
    return rows


def _with_server(url: str | None, fn: Any, **kwargs: Any) -> dict[str, Any]:
    if url:
        return fn(url, **kwargs)
    from pg_server import ThrowawayPostgres

    with ThrowawayPostgres() as pg:
        return fn(pg.url, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("writers", "readers", "scale"))
    parser.add_argument("--url", help="a PostgreSQL URL (default: a throwaway server on loopback)")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--targets", type=int, default=None)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.what == "writers":
        report = _with_server(args.url, bench_writers, processes=args.processes, targets=args.targets or 60)
        ok = report["nothing_lost"]
    elif args.what == "readers":
        report = _with_server(args.url, bench_readers, runs=args.runs)
        ok = report["misses"] == report["removed_but_flagged"] == report["cross_tenant_leaks"] == 0
    else:
        report = _with_server(args.url, bench_scale, targets=args.targets or 100_000)
        ok = True
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>36}: {value}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
