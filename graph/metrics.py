"""Metrics (OpenTelemetry): what an operator graphs and alerts on. Off by default.

Why OpenTelemetry: one API, and the operator picks the exporter — Prometheus
(``opentelemetry-exporter-prometheus``: a ``/metrics`` page), OTLP to a collector, or an
in-memory reader in tests. The graph only calls the API; with metrics off (the default)
nothing is recorded and ``opentelemetry`` is not even imported.

Turn on with ``ALU_METRICS=1`` (the process's global ``MeterProvider``, which the operator
configures) or :func:`enable` (a provider of one's own). Instruments (``alu.`` names;
Prometheus shows ``alu_decisions_total`` …):

- ``alu.decisions`` (counter): every finished run, by ``tenant``, ``decision``
  (passthrough | rewritten | refused) and ``cause`` (``none``, ``match``, ``semantic``,
  ``judge``: the strongest source of the run's flags; ``error``: refused because a stage
  failed or the tenant hit its cap).
- ``alu.refusals.errors`` (counter): refusals caused by an error, by ``tenant``, ``stage``
  and ``error_type`` (the error's class name). A fail-closed outage (the model provider
  down) shows here, not as a sudden wave of ordinary refusals.
- ``alu.judge.calls`` (counter, by ``tenant``): the judge-call rate is this over
  ``alu.decisions``.
- ``alu.model.calls`` and ``alu.model.tokens`` (counters, by ``tenant``, ``agent``; tokens
  also by ``kind``: prompt | completion): the per-tenant cost.
- ``alu.run.model_calls`` and ``alu.run.tokens`` (histograms, by ``decision``): model calls
  and tokens per decision.
- ``alu.stage.duration`` (histogram, seconds, by ``stage``): each model call by agent
  (``vanilla``, ``auditor``, ``eraser``, ``critic``, ``composer``) and the model-free
  checks (``screen``: the question before any draft; ``detect``: the auditor's first step).
- ``alu.registry.index_rebuilds`` (counter, by ``tenant``): full rebuilds of the tenant's
  cached index (a burst: many raw deletions, or more than 1,000 changed targets at once).
- ``alu.registry.version_lag`` (histogram, seconds, by ``tenant``): how long ago the index
  a run used last looked for writes made behind the registry's back (raw store writes are
  honoured within ``ALU_RAW_WRITE_CHECK_S``; registry writes have no lag: every run reads
  the version first).

**No target in any label.** Every attribute is one of the fixed names above with a value
from a closed set (decisions, causes, stages, agents, kinds, error class names) or the
tenant, which is the operator's own name for a namespace. A target's name, alias or id is
never an attribute value (tested by scanning every emitted point).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from langgraph.store.base import BaseStore

from alu.graph.flags import open_flags
from alu.graph.state import CallRecord, Flag, StageError

__all__ = ["disable", "enable", "enabled", "record_registry", "record_run", "record_stage"]

_CAUSE_ORDER = ("match", "semantic", "judge")  # strongest first
# bucket bounds: model-free checks take milliseconds, model calls seconds
_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
_CALLS = [1, 2, 3, 5, 8, 13, 21, 34]
_TOKENS = [100, 250, 500, 1000, 2500, 5000, 10000, 25000]
_LAG = [0.1, 0.25, 0.5, 1, 2, 5, 10, 60]
_lock = threading.Lock()
_instruments: dict[str, Any] | None = None
_env_checked = False
_rebuilds_seen: weakref.WeakKeyDictionary[BaseStore, dict[str, int]] = weakref.WeakKeyDictionary()


def _build(provider: Any = None) -> dict[str, Any]:
    from opentelemetry import metrics

    meter = (provider or metrics.get_meter_provider()).get_meter("alu", "1")
    return {
        "decisions": meter.create_counter("alu.decisions", description="finished runs by decision and cause"),
        "errors": meter.create_counter("alu.refusals.errors", description="refusals caused by an error"),
        "judge": meter.create_counter("alu.judge.calls", description="calls of the auditor's judge"),
        "calls": meter.create_counter("alu.model.calls", description="model calls"),
        "tokens": meter.create_counter("alu.model.tokens", description="model tokens"),
        "run_calls": meter.create_histogram(
            "alu.run.model_calls", description="model calls per run", explicit_bucket_boundaries_advisory=_CALLS
        ),
        "run_tokens": meter.create_histogram(
            "alu.run.tokens", description="model tokens per run", explicit_bucket_boundaries_advisory=_TOKENS
        ),
        "stage": meter.create_histogram(
            "alu.stage.duration", unit="s", description="time per stage", explicit_bucket_boundaries_advisory=_SECONDS
        ),
        "rebuilds": meter.create_counter("alu.registry.index_rebuilds", description="full index rebuilds"),
        "lag": meter.create_histogram(
            "alu.registry.version_lag",
            unit="s",
            description="age of the index's last look for raw writes",
            explicit_bucket_boundaries_advisory=_LAG,
        ),
    }


def enable(meter_provider: Any = None) -> None:
    """Record metrics from now on, on ``meter_provider`` (default: OpenTelemetry's global
    provider). Needs ``opentelemetry-api`` (the ``metrics`` extra)."""
    global _instruments, _env_checked
    with _lock:
        _instruments = _build(meter_provider)
        _env_checked = True


def disable() -> None:
    """Stop recording (the default state)."""
    global _instruments, _env_checked
    with _lock:
        _instruments, _env_checked = None, True


def enabled() -> bool:
    return _get() is not None


def _get() -> dict[str, Any] | None:
    global _instruments, _env_checked
    if _env_checked:
        return _instruments
    with _lock:
        if not _env_checked:
            if os.environ.get("ALU_METRICS", "").strip().lower() in ("1", "true", "yes", "on"):
                _instruments = _build()
            _env_checked = True
    return _instruments


def _cause(decision: str, flags: Sequence[Flag], error: StageError | None) -> str:
    if error is not None:
        return "error"
    if decision == "passthrough":
        return "none"
    sources = {f["source"] for f in open_flags(list(flags))}
    return next((s for s in _CAUSE_ORDER if s in sources), "none")


def record_run(
    tenant: str, decision: str, flags: Sequence[Flag], calls: Sequence[CallRecord], error: StageError | None
) -> None:
    """Count one finished run (called by the audit record's assembly)."""
    inst = _get()
    if inst is None:
        return
    inst["decisions"].add(1, {"tenant": tenant, "decision": decision, "cause": _cause(decision, flags, error)})
    if error is not None:
        inst["errors"].add(1, {"tenant": tenant, "stage": error["stage"], "error_type": error["type"]})
    tokens = 0
    for call in calls:
        agent = call["agent"]
        inst["calls"].add(1, {"tenant": tenant, "agent": agent})
        inst["tokens"].add(call["prompt_tokens"], {"tenant": tenant, "agent": agent, "kind": "prompt"})
        inst["tokens"].add(call["completion_tokens"], {"tenant": tenant, "agent": agent, "kind": "completion"})
        inst["stage"].record(float(call["latency_s"]), {"stage": agent})
        tokens += call["prompt_tokens"] + call["completion_tokens"]
        if agent == "auditor":
            inst["judge"].add(1, {"tenant": tenant})
    inst["run_calls"].record(len(calls), {"decision": decision})
    inst["run_tokens"].record(tokens, {"decision": decision})


def record_stage(stage: str, seconds: float) -> None:
    """Time of a model-free stage (``screen``, ``detect``)."""
    inst = _get()
    if inst is not None:
        inst["stage"].record(seconds, {"stage": stage})


def record_registry(store: BaseStore | None, tenant: str, stats: dict[str, int], lag_s: float | None = None) -> None:
    """The tenant index's rebuilds since the last look (``stats``: from
    :func:`alu.registry.cache_stats`) and its raw-write lag (:func:`alu.registry.raw_check_age`)."""
    inst = _get()
    if inst is None or store is None:
        return
    with _lock:
        seen = _rebuilds_seen.setdefault(store, {})
        delta = stats.get("rebuilds", 0) - seen.get(tenant, 0)
        seen[tenant] = stats.get("rebuilds", 0)
    if delta > 0:
        inst["rebuilds"].add(delta, {"tenant": tenant})
    if lag_s is not None:
        inst["lag"].record(lag_s, {"tenant": tenant})
