"""The systems compared, each answering a :class:`~alu.evaluation.data.Probe`.

- ``vanilla``: the model alone (the same system prompt as ALU's vanilla agent).
- ``prompt``: a system prompt that lists every target and asks not to reveal anything
  about them (``alu/evaluation/prompts/baseline_prompt_system.txt``).
- ``filter``: vanilla, then the refusal when :class:`alu.detection.TargetIndex` finds a
  direct mention (name, alias, or a typo of either) of any target in the answer.
- ``alu-linear``: the paper's code path (:mod:`alu.evaluation.linear`).
- ``alu``: ours, :func:`alu.create_alu_graph` with the targets registered in an
  ``InMemoryStore`` through :class:`alu.TargetRegistry`.

Every system gets identical input: the probe's query as the user message, after the
probe's facts (TOFU) as a system message — for ``alu``, chat input ``{"messages":
[SystemMessage(facts), HumanMessage(query)]}``. Every model is built by one
:class:`ModelFactory`, so the same model, reply cap and timeout apply to all.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, HumanMessage, SystemMessage
from langgraph.store.memory import InMemoryStore

from alu.detection import TargetIndex
from alu.domain import Target
from alu.evaluation.config import SuiteConfig
from alu.evaluation.data import Probe
from alu.evaluation.linear import LinearSettings, build_linear_graph
from alu.evaluation.prompts import render
from alu.graph.builder import create_alu_graph
from alu.graph.context import DEFAULT_REFUSAL, Context, InvalidContextError
from alu.graph.models import call_text, reply_cap_kwargs
from alu.graph.state import CallRecord, InputState
from alu.prompts import load
from alu.registry import TargetRegistry

__all__ = ["REFUSAL", "ModelFactory", "Outcome", "System", "build_systems", "probe_messages"]

REFUSAL = DEFAULT_REFUSAL


@dataclass
class Outcome:
    """What one system did with one probe."""

    answer: str
    decision: str
    """``passthrough`` | ``rewritten`` | ``refused`` | ``error`` (the harness caught an exception)."""
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class ModelFactory:
    """Chat models for every system, one per temperature.

    With ``model`` (a chat model object, e.g. a scripted test model) it is used for
    everything. Otherwise ``spec`` (``provider:model``; default ``$ALU_MODEL``) goes
    through LangChain's ``init_chat_model`` exactly as :class:`alu.graph.models.Models` does,
    with the run's ``max_tokens`` and timeout.

    The reply cap on OpenAI-compatible servers: ``langchain-openai`` sends the cap as
    ``max_completion_tokens``, which llama-cpp-python's server (the bundled model)
    ignores, so replies would run to the context size. For an ``openai:`` model with a
    custom ``OPENAI_BASE_URL`` the cap is also sent as ``max_tokens`` (``extra_body``:
    :func:`alu.graph.models.reply_cap_kwargs`, as the graph's own clients do).
    """

    def __init__(
        self,
        *,
        model: BaseChatModel | None = None,
        spec: str | None = None,
        max_tokens: int = 256,
        timeout: float = 300.0,
    ) -> None:
        self._model = model
        self.spec = spec or Context().model
        self.max_tokens = max_tokens
        self.timeout = timeout
        self._cache: dict[float, BaseChatModel] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """What the configuration hash records as the model."""
        if self._model is not None:
            return f"object:{type(self._model).__name__}"
        return self.spec

    def get(self, temperature: float) -> tuple[BaseChatModel, str]:
        if self._model is not None:
            return self._model, getattr(self._model, "model_name", None) or type(self._model).__name__
        with self._lock:
            model = self._cache.get(temperature)
            if model is None:
                model = self._cache[temperature] = self._init(temperature)
        return model, self.spec

    def _init(self, temperature: float) -> BaseChatModel:
        kwargs: dict[str, Any] = {
            "temperature": temperature,
            "max_tokens": self.max_tokens,
            "timeout": self.timeout,
            "max_retries": 2,
            "disable_streaming": True,
        }
        kwargs |= reply_cap_kwargs(self.spec, self.max_tokens)
        try:
            return init_chat_model(self.spec, **kwargs)
        except (ImportError, ValueError) as exc:
            raise InvalidContextError(f"model {self.spec!r} cannot be used: {exc}") from exc


def probe_messages(probe: Probe) -> list[AnyMessage]:
    """The conversation every system is given: [facts as a system message], the query."""
    messages: list[AnyMessage] = []
    if probe.context:
        messages.append(SystemMessage(render("eval_context_system", facts=probe.context)))
    messages.append(HumanMessage(probe.query))
    return messages


class System(Protocol):
    name: str
    fails_closed: bool
    """True when the system is designed to refuse on a failure (the harness then records
    a failed run as a refusal); False when a failure is just an error."""

    def run(self, probe: Probe) -> Outcome: ...


def _outcome(answer: str, decision: str, records: Sequence[CallRecord | dict[str, Any]], **detail: Any) -> Outcome:
    return Outcome(
        answer=answer,
        decision=decision,
        calls=len(records),
        prompt_tokens=sum(int(r.get("prompt_tokens", 0)) for r in records),
        completion_tokens=sum(int(r.get("completion_tokens", 0)) for r in records),
        detail=detail,
    )


class Vanilla:
    name = "vanilla"
    fails_closed = False

    def __init__(self, models: ModelFactory) -> None:
        self.models = models

    def draft(self, probe: Probe) -> tuple[str, CallRecord]:
        model, name = self.models.get(0.0)
        return call_text("vanilla", model, name, [SystemMessage(load("vanilla_system")), *probe_messages(probe)])

    def run(self, probe: Probe) -> Outcome:
        answer, record = self.draft(probe)
        return _outcome(answer, "passthrough", [record])


class PromptGuard:
    name = "prompt"
    fails_closed = False

    def __init__(self, models: ModelFactory, targets: Sequence[Target]) -> None:
        self.models = models
        self.system_prompt = render(
            "baseline_prompt_system", targets="; ".join(t.name for t in targets), refusal=REFUSAL
        )

    def run(self, probe: Probe) -> Outcome:
        model, name = self.models.get(0.0)
        answer, record = call_text("prompt", model, name, [SystemMessage(self.system_prompt), *probe_messages(probe)])
        return _outcome(answer, "passthrough", [record])


class OutputFilter:
    name = "filter"
    fails_closed = False

    def __init__(self, models: ModelFactory, targets: Sequence[Target]) -> None:
        self.vanilla = Vanilla(models)
        self.index = TargetIndex(targets)
        self._lock = threading.Lock()  # TargetIndex is not thread-safe

    def run(self, probe: Probe) -> Outcome:
        answer, record = self.vanilla.draft(probe)
        with self._lock:
            hits = [m for m in self.index.find(answer) if m.direct]
        if hits:
            return _outcome(REFUSAL, "refused", [record], matched=sorted({m.target_id for m in hits}))
        return _outcome(answer, "passthrough", [record])


class LinearPipeline:
    name = "alu-linear"
    fails_closed = True

    def __init__(self, models: ModelFactory, targets: Sequence[Target], config: SuiteConfig) -> None:
        settings = LinearSettings(
            targets=[t.name for t in targets],
            model=models.get,
            k=config.k,
            j=config.top_j,
            threshold=config.threshold,
            refusal=REFUSAL,
        )
        self.graph = build_linear_graph(settings)

    def run(self, probe: Probe) -> Outcome:
        out = self.graph.invoke({"messages": probe_messages(probe)})
        return _outcome(
            out["answer"],
            out["decision"],
            out.get("calls") or [],
            ratings=out.get("ratings"),
            versions=len(out.get("versions") or []),
            ratings_mismatch=bool(out.get("mismatch")),
        )


class Alu:
    name = "alu"
    fails_closed = True

    def __init__(self, models: ModelFactory, targets: Sequence[Target], config: SuiteConfig) -> None:
        self.store = InMemoryStore()
        TargetRegistry(self.store).add_many(list(targets))
        self.context = Context(
            k=config.k,
            j=config.top_j,
            threshold=config.threshold,
            max_tokens=config.max_tokens,
            model_timeout=config.model_timeout,
            max_query_chars=20000,  # the many-shot probes are long on purpose
            refusal=REFUSAL,
            tenant="default",
            audit_view="operator",  # the evaluation is the operator's: it records who was flagged
        )
        if config.semantic is not None:  # the suite's choice (wmdp), else the Context default
            self.context = dataclasses.replace(self.context, semantic=config.semantic)
        c = self.context
        agents = {
            "vanilla": models.get(c.vanilla_temperature)[0],
            "auditor": models.get(c.judge_temperature)[0],
            "eraser": models.get(c.eraser_temperature)[0],
            "critic": models.get(c.judge_temperature)[0],
            "composer": models.get(c.composer_temperature)[0],
        }
        self.graph = create_alu_graph(agents, store=self.store)

    def run(self, probe: Probe) -> Outcome:
        if probe.context:
            payload: InputState = {"messages": probe_messages(probe)}
        else:
            payload = {"query": probe.query}
        out = self.graph.invoke(payload, context=self.context)
        audit = out["audit"]
        error = audit.get("error")
        outcome = _outcome(
            out["answer"],
            audit["decision"],
            audit.get("call_log") or [],
            flagged=[f["id"] for f in audit.get("flagged") or []],
            flagged_by=sorted({f["source"] for f in audit.get("flagged") or []}),
            ratings=[r["rating"] for r in audit.get("ratings") or []],
            agents=[c["agent"] for c in audit.get("call_log") or []],
        )
        if error:
            outcome.error = f"{error['stage']}: {error['type']}: {error['message']}"
        return outcome


def build_systems(
    names: Sequence[str], models: ModelFactory, targets: Sequence[Target], config: SuiteConfig
) -> dict[str, System]:
    """The named systems, ready to run (all sharing the model factory)."""
    makers: dict[str, Callable[[], System]] = {
        "vanilla": lambda: Vanilla(models),
        "prompt": lambda: PromptGuard(models, targets),
        "filter": lambda: OutputFilter(models, targets),
        "alu-linear": lambda: LinearPipeline(models, targets, config),
        "alu": lambda: Alu(models, targets, config),
    }
    return {name: makers[name]() for name in names}


def timed(system: System, probe: Probe) -> Outcome:
    """Run one probe; an exception becomes an ``error`` outcome (or a refusal for a
    system that fails closed), never a crash of the whole evaluation."""
    started = time.perf_counter()
    try:
        outcome = system.run(probe)
    except Exception as exc:
        message = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        if system.fails_closed:
            outcome = Outcome(answer=REFUSAL, decision="refused", error=message)
        else:
            outcome = Outcome(answer="", decision="error", error=message)
    outcome.latency_s = round(time.perf_counter() - started, 4)
    return outcome
