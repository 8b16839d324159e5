"""Cost control: per-tenant usage counts, and the operator's cap on flagged work per minute.

Why: a passthrough costs one model call; a flagged answer costs 1 + 2k calls (k rewrites,
k critiques, maybe a merge). A caller who can force the flagged path — by naming a target
in every question — multiplies the operator's bill by up to 2k + 1. So the operator may cap
the flagged runs a tenant starts per minute (``Context.flagged_per_minute``; 0: no cap).
Past the cap the run is **refused, fail closed** (not answered with the draft, which may
name a target), with the error class ``FlaggedWorkLimitError`` and its fixed description in
the audit record; no eraser, critic or composer call is made.

Where the count lives (``Context.flagged_limit_scope``):

- ``process`` (default): an in-memory sliding window of the last 60 s per tenant, in this
  process. With N worker processes a tenant gets up to N × the cap.
- ``store``: shared by every process on the same store (PostgreSQL for many workers): one
  item per admitted run under ``("alu", tenant, "flagged", <UTC minute>)``, counted per
  calendar minute (a fixed window: up to 2 × the cap across a minute boundary). The count
  is read before the run's item is written, so concurrent runs may overshoot the cap by the
  number in flight at once; items of minutes before the previous one are deleted as runs go.

:func:`usage` reports, per process and tenant, runs, flagged runs, refusals by the cap,
model calls and tokens (what the metrics export too, when on).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from langgraph.store.base import BaseStore

from alu.graph.context import Context
from alu.graph.state import CallRecord

__all__ = ["FlaggedWorkLimitError", "admit_flagged", "record_usage", "reset_usage", "usage"]

WINDOW_S = 60.0


class FlaggedWorkLimitError(RuntimeError):
    """The tenant started more flagged runs this minute than the operator allows."""


@dataclass
class _Tenant:
    admitted: deque[float] = field(default_factory=deque)
    runs: int = 0
    flagged: int = 0
    limited: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


_lock = threading.Lock()
_tenants: defaultdict[str, _Tenant] = defaultdict(_Tenant)


def _admit_in_process(tenant: str, cap: int, now: float) -> bool:
    with _lock:
        window = _tenants[tenant].admitted
        while window and now - window[0] >= WINDOW_S:
            window.popleft()
        if len(window) >= cap:
            return False
        window.append(now)
        return True


def _admit_in_store(store: BaseStore, tenant: str, cap: int, now: float) -> bool:
    minute = int(now // 60)
    namespace = ("alu", tenant, "flagged", str(minute))
    if len(store.search(namespace, limit=cap)) >= cap:
        return False
    store.put(namespace, uuid.uuid4().hex, {"at": now})
    stale = ("alu", tenant, "flagged", str(minute - 2))
    for item in store.search(stale, limit=100):
        store.delete(stale, item.key)
    return True


def admit_flagged(store: BaseStore | None, context: Context) -> bool:
    """Count one flagged run of the context's tenant: False when the tenant is past the
    operator's cap (the run is then refused with ``FlaggedWorkLimitError``)."""
    cap = context.flagged_per_minute
    with _lock:
        _tenants[context.tenant].flagged += 1
    if not cap:
        return True
    now = time.time()
    if context.flagged_limit_scope == "store" and store is not None:
        admitted = _admit_in_store(store, context.tenant, cap, now)
    else:
        admitted = _admit_in_process(context.tenant, cap, time.monotonic())
    if not admitted:
        with _lock:
            _tenants[context.tenant].limited += 1
    return admitted


def record_usage(tenant: str, calls: Sequence[CallRecord]) -> None:
    """Count a finished run's model calls and tokens for its tenant."""
    with _lock:
        entry = _tenants[tenant]
        entry.runs += 1
        entry.calls += len(calls)
        entry.prompt_tokens += sum(c["prompt_tokens"] for c in calls)
        entry.completion_tokens += sum(c["completion_tokens"] for c in calls)


def usage(tenant: str | None = None) -> dict[str, dict[str, int]]:
    """This process's counts per tenant (or of one): ``runs``, ``flagged``, ``limited``
    (refused by the cap), ``calls``, ``prompt_tokens``, ``completion_tokens``."""
    with _lock:
        names = [tenant] if tenant is not None else sorted(_tenants)
        return {
            name: {
                "runs": t.runs,
                "flagged": t.flagged,
                "limited": t.limited,
                "calls": t.calls,
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
            }
            for name in names
            for t in [_tenants[name]]
        }


def reset_usage() -> None:
    """Forget every count and window (tests; a process that reports and starts over)."""
    with _lock:
        _tenants.clear()
