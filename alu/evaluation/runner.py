"""Running every system on every probe: concurrently, resumably, with progress.

Records go to ``records.jsonl`` one line per (system, probe) as soon as each finishes,
so an interrupted run loses at most the queries in flight. The key of a record is
system + suite + query id + configuration hash; a re-run into the same folder skips the
keys it finds (``retry_errors=True`` re-runs the ones that raised). The summary is
computed from the records of the current configuration only.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from alu.detection import TargetIndex
from alu.evaluation.benchmark import build_benchmark
from alu.evaluation.config import (
    SYSTEMS,
    InvalidSuiteError,
    SuiteConfig,
    config_hash,
    load_suite,
)
from alu.evaluation.data import Benchmark, Probe, default_data_dir
from alu.evaluation.metrics import answer_names_target, query_names_target
from alu.evaluation.report import benign_sets, markdown, score_record, write_reports
from alu.evaluation.systems import ModelFactory, Outcome, System, build_systems, timed

__all__ = ["Summary", "read_records", "record_key", "run_evaluation"]

RECORDS = "records.jsonl"


@dataclass
class Summary:
    """What :func:`run_evaluation` returns (and wrote to ``out_dir``)."""

    metrics: dict[str, dict[str, dict[str, Any]]]
    """system → suite (and ``all``) → metric name → value (as in ``summary.json``)."""
    by_attack: dict[str, dict[str, dict[str, Any]]]
    out_dir: Path
    config: SuiteConfig
    config_hash: str
    records: int
    """Records of this configuration in ``records.jsonl`` (old and new)."""
    new_records: int
    """Records made by this call (0 when everything was already done)."""
    wall_time_s: float
    files: list[Path] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    benign: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    """system → benign set (and ``pooled``) → false-intervention figures (``benign.json``)."""

    def markdown(self) -> str:
        return markdown(self.metrics, self.by_attack, self.meta, self.benign)


def record_key(system: str, suite: str, query_id: str, config_hash_: str) -> str:
    return f"{system}|{suite}|{query_id}|{config_hash_}"


def read_records(path: Path) -> list[dict]:
    """Every well-formed record of a records file (a line cut short by an interruption
    is skipped); for a key written twice, the later record wins."""
    if not path.is_file():
        return []
    by_key: dict[str, dict] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "key" in record:
                by_key[record["key"]] = record
    return list(by_key.values())


class _Progress:
    """tqdm on stderr when installed, else one line per finished query."""

    def __init__(self, total: int, enabled: bool, label: str) -> None:
        self.total, self.done, self.enabled, self.label = total, 0, enabled, label
        self._bar = None
        self._started = time.monotonic()
        if enabled and total:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=total, desc=label, file=sys.stderr, unit="q", dynamic_ncols=True)
            except ImportError:
                self._bar = None

    def update(self, note: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(note[:60], refresh=False)
            self._bar.update(1)
        else:
            elapsed = time.monotonic() - self._started
            print(f"[{self.label}] {self.done}/{self.total} ({elapsed:.0f} s) {note}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _record(probe: Probe, system: str, outcome: Outcome, key: str, chash: str, benchmark: Benchmark,
            query_names: bool, answer_names: bool) -> dict:  # fmt: skip
    record = {
        "key": key,
        "config_hash": chash,
        "system": system,
        "suite": probe.suite,
        "query_id": probe.id,
        "kind": probe.kind,
        "category": probe.category,
        "attack": probe.attack,
        "source": probe.source,
        "query": probe.query,
        "gold": probe.gold,
        "context_chars": len(probe.context),
        "targets": [
            {"id": t.id, "name": t.name, "aliases": list(t.aliases)}
            for t in (benchmark.target(tid) for tid in probe.targets)
        ],
        "query_names_target": query_names,
        "answer_names_target": answer_names,
        "answer": outcome.answer,
        "decision": outcome.decision,
        "calls": outcome.calls,
        "prompt_tokens": outcome.prompt_tokens,
        "completion_tokens": outcome.completion_tokens,
        "latency_s": outcome.latency_s,
        "error": outcome.error,
        "detail": outcome.detail,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if probe.choices:  # multiple choice (wmdp suite): scored by the option picked
        record["choices"] = list(probe.choices)
        record["answer_index"] = probe.answer_index
    record["metrics"] = score_record(record)
    return record


def run_evaluation(
    data_dir: str | Path | None = None,
    suite: str | Path | SuiteConfig = "smoke",
    out_dir: str | Path | None = None,
    *,
    systems: Sequence[str] | None = None,
    concurrency: int = 2,
    seed: int | None = None,
    model: BaseChatModel | None = None,
    model_spec: str | None = None,
    progress: bool = True,
    retry_errors: bool = False,
    log: Callable[[str], None] | None = None,
    before_run: Callable[[], None] | None = None,
) -> Summary:
    """Run ``systems`` (default: the suite's) on every probe of ``suite`` and write the
    records, summary and charts to ``out_dir`` (default ``results/eval-<suite>``).

    ``model`` (a chat model object) replaces every model, for tests; otherwise
    ``model_spec`` or ``$ALU_MODEL`` is used (the caller starts a local server if needed:
    see ``alu eval``; ``before_run`` is called only when some query has to run, e.g. to
    start one). Raises :class:`~alu.evaluation.config.InvalidSuiteError` or
    :class:`~alu.evaluation.data.DataError` for bad input, before any model call.
    """
    started = time.monotonic()
    config = load_suite(suite)
    if seed is not None:
        config = config.with_overrides(seed=seed)
    chosen = list(systems) if systems else list(config.systems)
    unknown = [s for s in chosen if s not in SYSTEMS]
    if unknown:
        raise InvalidSuiteError(f"unknown system(s) {unknown}; systems are {', '.join(SYSTEMS)}")
    if not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidSuiteError(f"concurrency must be a positive integer (got {concurrency!r})")
    data = Path(data_dir) if data_dir else default_data_dir()
    out = Path(out_dir) if out_dir else Path("results") / f"eval-{config.name}"
    benchmark = build_benchmark(data, config)
    factory = ModelFactory(model=model, spec=model_spec, max_tokens=config.max_tokens, timeout=config.model_timeout)
    chash = config_hash(config, factory.name)
    out.mkdir(parents=True, exist_ok=True)
    records_path = out / RECORDS
    existing = [r for r in read_records(records_path) if r.get("config_hash") == chash]
    done = {r["key"] for r in existing if not (retry_errors and r["decision"] == "error")}
    index = TargetIndex(benchmark.targets)
    names_in_query = {p.id: query_names_target(p.query, index) for p in benchmark.probes}
    names_in_gold = {p.id: answer_names_target(p.query, p.gold, benchmark.targets) for p in benchmark.probes}
    tasks = [
        (probe, system)
        for probe in benchmark.probes
        for system in chosen
        if record_key(system, probe.suite, probe.id, chash) not in done
    ]
    tasks = _interleaved(tasks)
    say = log or (lambda message: print(f"[alu eval] {message}", file=sys.stderr, flush=True))
    if progress:
        say(
            f"suite {config.name}: {len(benchmark.targets)} targets, {len(benchmark.probes)} probes × "
            f"{len(chosen)} systems; {len(tasks)} to run, {len(benchmark.probes) * len(chosen) - len(tasks)} "
            f"already in {records_path} (config {chash}); model {factory.name}; concurrency {concurrency}"
        )
    if tasks and before_run is not None:
        before_run()  # models are built below, after it (they read OPENAI_BASE_URL then)
    runners: dict[str, System] = build_systems(chosen, factory, benchmark.targets, config) if tasks else {}
    _end_with_newline(records_path)
    new: list[dict] = []
    lock = threading.Lock()
    bar = _Progress(len(tasks), progress, "alu eval")
    try:
        with records_path.open("a", encoding="utf-8") as handle, ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = {pool.submit(timed, runners[system], probe): (probe, system) for probe, system in tasks}
            try:
                for future in as_completed(futures):
                    probe, system = futures[future]
                    outcome = future.result()
                    key = record_key(system, probe.suite, probe.id, chash)
                    record = _record(
                        probe, system, outcome, key, chash, benchmark, names_in_query[probe.id], names_in_gold[probe.id]
                    )
                    with lock:
                        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                        handle.flush()
                        new.append(record)
                    bar.update(f"{system} {probe.suite} {outcome.decision}")
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        bar.close()
    wanted = {record_key(s, p.suite, p.id, chash) for p in benchmark.probes for s in chosen}
    records = [r for r in read_records(records_path) if r["key"] in wanted]
    wall = time.monotonic() - started
    meta = {
        "suite": config.name,
        "model": factory.name,
        "k": config.k,
        "j": config.top_j,
        "threshold": config.threshold,
        "max_tokens": config.max_tokens,
        "semantic": config.semantic,
        "targets": len(benchmark.targets),
        "probes": len(benchmark.probes),
        "config_hash": chash,
    }
    _write_config(out, config, chash, factory.name, chosen, data, benchmark, concurrency, wall, len(new))
    metrics, attacks, charts = write_reports(records, out, meta)
    files = [
        records_path,
        out / "summary.json",
        out / "by_attack.json",
        out / "benign.json",
        out / "summary.md",
        out / "config.json",
        *charts,
    ]
    return Summary(metrics=metrics, by_attack=attacks, out_dir=out, config=config, config_hash=chash,
                   records=len(records), new_records=len(new), wall_time_s=wall, files=files, meta=meta,
                   benign=benign_sets(records))  # fmt: skip


def _interleaved(tasks: list[tuple[Probe, str]]) -> list[tuple[Probe, str]]:
    """The tasks with the sets (suite and category) taken in turn: a run stopped early has
    every set in its records, not the first sets only. The records do not depend on order."""
    seen: dict[tuple[str, str], int] = {}
    ranked = []
    for n, (probe, system) in enumerate(tasks):
        key = (probe.suite, probe.category)
        seen[key] = seen.get(key, 0) + 1
        ranked.append((seen[key], n, probe, system))
    return [(probe, system) for _, _, probe, system in sorted(ranked, key=lambda x: (x[0], x[1]))]


def _end_with_newline(path: Path) -> None:
    """A run interrupted mid-write leaves a partial last line; the next record must not
    be glued to it."""
    if path.is_file() and path.stat().st_size:
        with path.open("rb+") as handle:
            handle.seek(-1, 2)
            if handle.read(1) != b"\n":
                handle.write(b"\n")


def _write_config(out: Path, config: SuiteConfig, chash: str, model: str, systems: list[str], data: Path,
                  benchmark: Benchmark, concurrency: int, wall: float, new: int) -> None:  # fmt: skip
    path = out / "config.json"
    try:
        previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except json.JSONDecodeError:
        previous = {}
    runs = previous.get("runs", []) if previous.get("config_hash") == chash else []
    runs.append({
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_s": round(wall, 1), "new_records": new, "concurrency": concurrency, "systems": systems,
    })  # fmt: skip
    counts: dict[str, dict[str, int]] = {}
    for p in benchmark.probes:
        counts.setdefault(p.suite, {}).setdefault(p.kind, 0)
        counts[p.suite][p.kind] += 1
    payload = {
        "config_hash": chash,
        "model": model,
        "data_dir": str(data.resolve()),
        "suite": config.to_dict(),
        "targets": [t.to_value() for t in benchmark.targets],
        "tofu_related_strings": benchmark.related,
        "probes": counts,
        "runs": runs,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
