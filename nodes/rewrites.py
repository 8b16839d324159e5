"""The composer's k rewrite-and-critique pipelines, run so that it can decide as soon as
enough of them pass.

Why the composer owns them, and not a ``Send`` fan-out: LangGraph runs a step's tasks to
the end of the step (supersteps), and a deferred node (``add_node(..., defer=True)``)
waits for every one of them; nothing in the graph API stops sibling tasks once one has
what is needed. So the composer node runs the pipelines itself:

- each rewrite and each critique is a child run of its own, named ``eraser`` and
  ``critic`` (a ``RunnableLambda`` under the composer's run, metadata ``alu_agent``),
  its model call nested under it, as the node runs were;
- each call is retried by the graph's ``RetryPolicy`` inside its run; one that still
  fails refuses the run (fail closed: stage ``eraser`` or ``critic``) unless the composer
  had already decided;
- ``at_once`` pipelines start together; when one ends without passing, the next is sent,
  until k were sent — k adapts: no more are sent once the first ones pass;
- ``stop(ratings)`` (the composer's rule) is asked after every critique; once it holds,
  the pipelines still in flight are stopped. On the async path their requests are
  cancelled (the connection closed); on the sync path no further call is made and the
  run returns at once, the calls in flight ending in a worker thread, their results
  dropped. Either way they are not in the audit record (``cancelled`` counts them).
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.runnables.config import ensure_config, merge_configs
from langgraph.runtime import Runtime
from langgraph.types import RetryPolicy

from alu.domain import InvalidTargetError
from alu.graph.context import Context, InvalidContextError
from alu.graph.inputs import InvalidInputError
from alu.graph.models import Models
from alu.graph.semantic import SemanticStage
from alu.graph.state import CallRecord, CritiqueTask, EraseTask, Rating, StageError
from alu.nodes.audit import stage_error
from alu.nodes.critic import arate, critique_task, rate
from alu.nodes.eraser import aerase, erase

__all__ = ["CallFailed", "Outcome", "aretrying", "arun_pipelines", "retrying", "run_pipelines"]

T = TypeVar("T")
CALLER_ERRORS = (InvalidInputError, InvalidContextError, InvalidTargetError)

# Pipelines of the sync path (each waits on its model calls, which run in the models'
# own executor: no pipeline ever waits on a thread of this pool).
_POOL = ThreadPoolExecutor(max_workers=64, thread_name_prefix="alu-rewrite")


@dataclass
class Outcome:
    """What the pipelines gave the composer."""

    ratings: list[Rating]
    calls: list[CallRecord]
    error: StageError | None = None
    sent: int = 0
    """Pipelines sent (at most k)."""
    cancelled: int = 0
    """Model calls in flight when the composer decided (stopped; tokens unknown)."""


class CallFailed(Exception):
    """A call that failed after its retries: the stage and the error."""

    def __init__(self, stage: str, error: BaseException):
        super().__init__(stage)
        self.stage, self.error = stage, error


@dataclass
class _Book:
    """The calls of one run's pipelines: those done (recorded until the composer decides)
    and those in flight; and the critiques reading the store right now, which the
    composer waits for when it decides: a pipeline left in flight must never read the
    store after the run returned — its caller may have closed it (a SQLite connection
    closed under a running query crashes the process)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[CallRecord] = field(default_factory=list)
    in_flight: int = 0
    stopped: threading.Event = field(default_factory=threading.Event)
    reading_store: int = 0
    done_reading: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.done_reading = threading.Condition(self.lock)

    @contextmanager
    def store_read(self) -> Iterator[bool]:
        """Yields True while the run is undecided (the composer's ``stop`` then waits for
        the read to end), False once it has decided (read nothing: the result is dropped)."""
        with self.lock:
            allowed = not self.stopped.is_set()
            self.reading_store += allowed
        try:
            yield allowed
        finally:
            if allowed:
                with self.lock:
                    self.reading_store -= 1
                    self.done_reading.notify_all()

    def start(self) -> None:
        with self.lock:
            self.in_flight += 1

    def end(self, record: CallRecord | None) -> None:
        with self.lock:
            self.in_flight -= 1
            if record is not None and not self.stopped.is_set():
                self.calls.append(record)

    def decide(self) -> tuple[list[CallRecord], int]:
        """The composer has decided: record no more calls and let no pipeline start reading
        the store; the calls recorded and those still in flight."""
        with self.lock:
            self.stopped.set()
            return list(self.calls), self.in_flight

    def wait_readers(self) -> None:
        """Wait for the checks reading the store (deterministic: milliseconds) to end."""
        with self.lock:
            while self.reading_store:
                self.done_reading.wait()

    async def await_readers(self) -> None:
        """:meth:`wait_readers` without blocking the event loop, which a LangGraph server's
        store needs to answer a worker thread's sync read; shielded, so a second
        cancellation of the run does not drop the wait."""
        with self.lock:
            if not self.reading_store:
                return
        await asyncio.shield(asyncio.to_thread(self.wait_readers))

    def stop(self) -> tuple[list[CallRecord], int]:
        """:meth:`decide`, then :meth:`wait_readers` (the sync path)."""
        decided = self.decide()
        self.wait_readers()
        return decided


def _retryable(policy: RetryPolicy, error: BaseException) -> bool:
    if isinstance(error, CALLER_ERRORS) or not isinstance(error, Exception):
        return False
    retry_on = policy.retry_on
    if isinstance(retry_on, (type, Sequence)):
        types = tuple(retry_on) if isinstance(retry_on, Sequence) else (retry_on,)
        return isinstance(error, types)
    return bool(retry_on(error))


def _pause(policy: RetryPolicy, failures: int) -> float:
    """LangGraph's own backoff (``run_with_retry``): initial × factor^(n-1), capped, jittered."""
    interval = min(policy.max_interval, policy.initial_interval * policy.backoff_factor ** (failures - 1))
    return interval + random.uniform(0, 1) if policy.jitter else interval


def retrying(stage: str, call: Callable[[], tuple[T, CallRecord]], policy: RetryPolicy, book: _Book | None = None) -> T:
    """One model call retried as the graph retries a node; a call that still fails
    raises :class:`CallFailed` (caller errors are raised as they are)."""
    book = book or _Book()
    failures = 0
    while True:
        book.start()
        try:
            result, record = call()
        except BaseException as exc:
            book.end(None)
            if not _retryable(policy, exc):
                if isinstance(exc, Exception) and not isinstance(exc, CALLER_ERRORS):
                    raise CallFailed(stage, exc) from exc
                raise
            failures += 1
            if failures >= policy.max_attempts or book.stopped.is_set():
                raise CallFailed(stage, exc) from exc
            if book.stopped.wait(_pause(policy, failures)):  # decided meanwhile: dropped anyway
                raise CallFailed(stage, exc) from exc
            continue
        book.end(record)
        return result


async def aretrying(
    stage: str, call: Callable[[], Awaitable[tuple[T, CallRecord]]], policy: RetryPolicy, book: _Book | None = None
) -> T:
    """:func:`retrying` on the async path (a cancelled call is not retried)."""
    book = book or _Book()
    failures = 0
    while True:
        book.start()
        try:
            result, record = await call()
        except BaseException as exc:
            book.end(None)
            if not _retryable(policy, exc):
                if isinstance(exc, Exception) and not isinstance(exc, CALLER_ERRORS):
                    raise CallFailed(stage, exc) from exc
                raise
            failures += 1
            if failures >= policy.max_attempts or book.stopped.is_set():
                raise CallFailed(stage, exc) from exc
            await asyncio.sleep(_pause(policy, failures))
            continue
        book.end(record)
        return result


def _child(stage: str, parent: RunnableConfig) -> RunnableConfig:
    return merge_configs(parent, {"run_name": stage, "metadata": {"alu_agent": stage}})


@dataclass
class _Pipelines:
    """One run's pipelines: what each needs, bound once."""

    runtime: Runtime[Context]
    models: Models
    semantic: SemanticStage
    policy: RetryPolicy
    parent: RunnableConfig
    book: _Book

    def run(self, task: EraseTask) -> Rating | None:
        """Rewrite, then critique (unless the composer decided meanwhile)."""
        runtime, models = self.runtime, self.models

        def write(t: EraseTask) -> str:
            return retrying("eraser", lambda: erase(t, runtime, models=models), self.policy, self.book)

        def judge(t: CritiqueTask) -> Rating:
            return retrying(
                "critic",
                lambda: rate(t, runtime, models=models, semantic=self.semantic, store_read=self.book.store_read),
                self.policy,
                self.book,
            )

        rewrite: str = RunnableLambda(write, name="eraser").invoke(task, _child("eraser", self.parent))
        if self.book.stopped.is_set():
            return None
        rating: Rating = RunnableLambda(judge, name="critic").invoke(
            critique_task(task, rewrite), _child("critic", self.parent)
        )
        return rating

    async def arun(self, task: EraseTask) -> Rating | None:
        """:meth:`run` on the async path."""
        runtime, models = self.runtime, self.models

        async def write(t: EraseTask) -> str:
            return await aretrying("eraser", lambda: aerase(t, runtime, models=models), self.policy, self.book)

        async def judge(t: CritiqueTask) -> Rating:
            return await aretrying(
                "critic",
                lambda: arate(t, runtime, models=models, semantic=self.semantic, store_read=self.book.store_read),
                self.policy,
                self.book,
            )

        rewrite = await RunnableLambda(_no_sync, afunc=write, name="eraser").ainvoke(
            task, _child("eraser", self.parent)
        )
        if self.book.stopped.is_set():
            return None
        return await RunnableLambda(_no_sync, afunc=judge, name="critic").ainvoke(
            critique_task(task, rewrite), _child("critic", self.parent)
        )


def _no_sync(_: Any) -> Any:  # pragma: no cover - the async path never calls it
    raise RuntimeError("async only")


def _error(failed: CallFailed) -> StageError:
    return stage_error(failed.stage, failed.error)


def run_pipelines(
    tasks: list[EraseTask],
    runtime: Runtime[Context],
    *,
    models: Models,
    semantic: SemanticStage,
    policy: RetryPolicy,
    at_once: int,
    stop: Callable[[list[Rating]], bool],
) -> Outcome:
    """Run the pipelines (sync path) until ``stop(ratings)`` holds, one fails, or all k end."""
    pipelines = _Pipelines(runtime, models, semantic, policy, ensure_config(), _Book())
    queue, running = list(tasks), {}
    ratings: list[Rating] = []
    error: StageError | None = None
    raised: BaseException | None = None
    sent = 0

    def send() -> None:
        nonlocal sent
        task = queue.pop(0)
        running[_POOL.submit(contextvars.copy_context().run, pipelines.run, task)] = task
        sent += 1

    try:
        while queue and len(running) < at_once:
            send()
        while running:
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                running.pop(future)
                error, raised = _collect(future, ratings, error, raised)
            if error is not None or raised is not None or stop(ratings):
                break
            while queue and len(running) < at_once:
                send()
    finally:  # also on an interrupt: no pipeline reads the store once this returns
        calls, cancelled = pipelines.book.stop()
        for future in running:
            future.cancel()
    if raised is not None:
        raise raised
    return Outcome(ratings, calls, error, sent, cancelled)


def _collect(
    future: Future | asyncio.Task, ratings: list[Rating], error: StageError | None, raised: BaseException | None
) -> tuple[StageError | None, BaseException | None]:
    try:
        rating = future.result()
    except CallFailed as failed:
        return error or _error(failed), raised
    except Exception as exc:  # a caller error (bad context or target): raised to the caller
        return error, raised or exc
    if rating is not None:
        ratings.append(rating)
    return error, raised


async def arun_pipelines(
    tasks: list[EraseTask],
    runtime: Runtime[Context],
    *,
    models: Models,
    semantic: SemanticStage,
    policy: RetryPolicy,
    at_once: int,
    stop: Callable[[list[Rating]], bool],
) -> Outcome:
    """:func:`run_pipelines` on the async path: the stopped ones are cancelled."""
    pipelines = _Pipelines(runtime, models, semantic, policy, ensure_config(), _Book())
    queue, running = list(tasks), set()
    ratings: list[Rating] = []
    error: StageError | None = None
    raised: BaseException | None = None
    sent = 0

    def send() -> None:
        nonlocal sent
        running.add(asyncio.ensure_future(pipelines.arun(queue.pop(0))))
        sent += 1

    try:
        while queue and len(running) < at_once:
            send()
        while running:
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                running.discard(task)
                error, raised = _collect(task, ratings, error, raised)
            if error is not None or raised is not None or stop(ratings):
                break
            while queue and len(running) < at_once:
                send()
    finally:
        calls, cancelled = pipelines.book.decide()  # no check starts reading the store now
        for task in running:
            task.cancel()
        try:
            await pipelines.book.await_readers()  # and those reading it have ended
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)
    if raised is not None:
        raise raised
    return Outcome(ratings, calls, error, sent, cancelled)
