"""A run that decides early leaves rewrite pipelines in flight (nodes/rewrites.py); none of
them may read the store once the run has returned, because the caller may close it then
(a SQLite connection closed under a running query crashes the process: seen once in CI).

Scripted chat models (tests/scripted_model.py): these test the pipelines' bookkeeping, not
model quality. The store-reading step of a pipeline is the critic's deterministic check
(``alu.nodes.critic.final_check``), wrapped here to see when it runs.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from langgraph.store.memory import InMemoryStore
from scripted_model import scripted

from alu import Context, TargetRegistry, create_alu_graph
from alu.nodes import critic

DRAFT = "Pride and Prejudice was written by Jane Austen and published in 1813."
CLEAN = "Pride and Prejudice was published in 1813."
LATE_S = 0.3  # how long the slow calls take: the run has long returned by then


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"])
    return store


class CheckWatch:
    """Wraps ``final_check``: how many are running, how many started after the run returned."""

    def __init__(self, monkeypatch, *, slow_after_first: bool = False):
        self.lock = threading.Lock()
        self.calls = self.active = self.after_return = 0
        self.returned = False
        real = critic.final_check

        def watched(*args, **kwargs):
            with self.lock:
                self.calls += 1
                first = self.calls == 1
                self.active += 1
                self.after_return += self.returned
            try:
                if slow_after_first and not first:
                    time.sleep(LATE_S)
                return real(*args, **kwargs)
            finally:
                with self.lock:
                    self.active -= 1

        monkeypatch.setattr(critic, "final_check", watched)


def _script(critic_reply):
    return scripted(
        vanilla=DRAFT, auditor={"referenced": []}, eraser=CLEAN, critic=critic_reply, composer="A merged rewrite."
    )


def test_sync_pipelines_still_in_flight_never_check_against_the_store_after_the_run_returns(store, monkeypatch):
    """The first critique passes at once; the other two are still waiting on their critic
    call when the run returns, and when those calls end nothing reads the store."""
    watch = CheckWatch(monkeypatch)
    seen = iter(range(100))

    def critic_reply(_messages):
        if next(seen) > 0:
            time.sleep(LATE_S)
        return {"rating": 5, "reason": "no trace"}

    graph = create_alu_graph(_script(critic_reply), store=store)
    out = graph.invoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(rewrites_at_once=3))
    watch.returned = True
    assert out["answer"] == CLEAN and out["audit"]["decision"] == "rewritten"
    time.sleep(3 * LATE_S)  # the late critic calls end meanwhile
    assert watch.after_return == 0 and watch.calls == 1


def test_async_run_returns_only_after_the_checks_reading_the_store_have_ended(store, monkeypatch):
    """On the async path each critique's check starts beside its critic call (in a worker
    thread that cancelling the call does not stop): the run waits for the ones running."""
    watch = CheckWatch(monkeypatch, slow_after_first=True)
    graph = create_alu_graph(_script({"rating": 5, "reason": "no trace"}), store=store)

    async def run():
        out = await graph.ainvoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(rewrites_at_once=3))
        with watch.lock:
            watch.returned = True
            running = watch.active
        return out, running

    out, running = asyncio.run(run())
    assert out["answer"] == CLEAN and out["audit"]["decision"] == "rewritten"
    assert running == 0 and watch.calls >= 2  # the slow checks had started, and had ended
    time.sleep(2 * LATE_S)
    assert watch.after_return == 0


class LoopServedStore(InMemoryStore):
    """A store whose sync calls from a worker thread are answered on the event loop, as a
    LangGraph server's store answers them: a decision that blocked the loop while a check
    read the store would wait for a read that waits for the loop."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stalled = 0

    def batch(self, ops):
        loop = self.loop
        if loop is None or _on_loop(loop):
            return super().batch(ops)
        future = asyncio.run_coroutine_threadsafe(self._on_the_loop(ops), loop)
        try:
            return future.result(timeout=2 * LATE_S + 1)
        except TimeoutError:
            self.stalled += 1
            raise

    async def _on_the_loop(self, ops):
        return super().batch(ops)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def test_async_decision_waits_for_store_reads_without_blocking_the_loop_that_serves_them(monkeypatch):
    store = LoopServedStore()
    TargetRegistry(store).add("Jane Austen", aliases=["J. Austen"])
    watch = CheckWatch(monkeypatch, slow_after_first=True)
    graph = create_alu_graph(_script({"rating": 5, "reason": "no trace"}), store=store)

    async def run():
        store.loop = asyncio.get_running_loop()
        out = await graph.ainvoke({"query": "Who wrote Pride and Prejudice?"}, context=Context(rewrites_at_once=3))
        with watch.lock:
            watch.returned = True
            return out, watch.active

    out, running = asyncio.run(run())
    assert out["audit"]["decision"] == "rewritten" and running == 0
    assert store.stalled == 0 and watch.calls >= 2
