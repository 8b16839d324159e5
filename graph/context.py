"""Run-time configuration of the ALU graph (LangGraph ``context_schema``).

Every field has a documented default; a default is read from the environment variable
named beside it when set (``ALU_MODEL``, ``ALU_K``…), else the value in code. Pass a
``Context`` (or a dict of the same fields, as LangGraph server does) as ``context=`` on
``invoke``/``stream``; fields left out keep their defaults.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = ["AGENTS", "MAX_WINDOW_CHARS", "MAX_WINDOW_TURNS", "Context", "InvalidContextError", "ensure_context"]

AGENTS: tuple[str, ...] = ("vanilla", "auditor", "eraser", "critic", "composer")
DEFAULT_MODEL = "openai:gpt-4o-mini"
DEFAULT_REFUSAL = "I'm sorry, but I can't help with that."
STRUCTURED_METHODS = ("function_calling", "json_schema", "json_mode")
AUDIT_MODES = ("judge", "match")
AUDIT_VIEWS = ("caller", "operator")
LIMIT_SCOPES = ("process", "store")
TRACE_TEXTS = ("full", "redacted")
SEMANTIC_MODES = ("classifier", "similarity")
MAX_WINDOW_TURNS = 40
"""Hard limit on ``window_turns`` (for every caller and the operator)."""
MAX_WINDOW_CHARS = 32_000
"""Hard limit on ``window_chars``: the auditor reads the window three ways per run."""


class InvalidContextError(ValueError):
    """A context value out of range or of the wrong type; the message says which and why."""


def _env(name: str, default: Any) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(default, bool):
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise InvalidContextError(f"environment variable {name}={raw!r} is not a boolean (use 1/0, true/false)")
    try:
        return type(default)(raw) if not isinstance(default, str) else raw
    except ValueError:
        raise InvalidContextError(
            f"environment variable {name}={raw!r} is not a valid {type(default).__name__}"
        ) from None


OPERATOR = "operator"
"""A field only the operator sets (environment, ``create_alu_graph``/in-process context,
the auth handler); a caller on a server may only repeat the operator's value."""
RAISE = "raise"
"""A caller may raise the value (up to the field's cap), never lower it."""
LOWER = "lower"
"""A caller may lower the value, never raise it."""
FREE = "free"
"""A caller may set any valid value (it does not change what is forgotten)."""
STRICTER = "stricter"
"""An ordered choice: a caller may move it towards the stricter end only."""


MAX_ALLOW_PHRASES = 1000
"""Most phrases on an operator's allow-list (each is matched against every text)."""


def _phrases_from_env(name: str) -> tuple[str, ...]:
    """An allow-list from the environment: a JSON list of strings, or phrases separated by ``|``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ()
    if raw.startswith("["):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidContextError(f"environment variable {name} is not a valid JSON list ({exc})") from None
        if not isinstance(value, list):
            raise InvalidContextError(f"environment variable {name} must be a JSON list of strings")
        return tuple(value)
    return tuple(p.strip() for p in raw.split("|") if p.strip())


def _bands_from_env(name: str) -> dict[str, Any]:
    """Semantic bands from the environment: a JSON object (see ``semantic_thresholds``)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidContextError(f"environment variable {name} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidContextError(
            f'environment variable {name} must be a JSON object, e.g. {{"classifier": {{"topic": {{"flag": 0.9}}}}}}'
        )
    return value


def band_problems(value: object) -> list[str]:
    """What is wrong with a ``semantic_thresholds`` value (empty: nothing)."""
    from alu.domain import TARGET_KINDS

    if not isinstance(value, Mapping):
        return [f"semantic_thresholds must be a mapping of profile mode to kinds (got {type(value).__name__})"]
    problems: list[str] = []
    for mode, kinds in value.items():
        if mode == "keep_margin":
            if kinds is not None and (
                isinstance(kinds, bool) or not isinstance(kinds, (int, float)) or not 0 <= kinds <= 1
            ):
                problems.append(
                    f"semantic_thresholds.keep_margin must be a number from 0 to 1, or null (got {kinds!r})"
                )
            continue
        if mode == "lone_draft_flag":
            if not isinstance(kinds, bool):
                problems.append(f"semantic_thresholds.lone_draft_flag must be true or false (got {kinds!r})")
            continue
        if mode not in SEMANTIC_MODES:
            problems.append(
                f"semantic_thresholds: unknown mode {mode!r} (use {' or '.join(SEMANTIC_MODES)}, lone_draft_flag or keep_margin)"
            )
            continue
        if not isinstance(kinds, Mapping):
            problems.append(f"semantic_thresholds.{mode} must map target kinds to bands")
            continue
        for kind, band in kinds.items():
            where = f"semantic_thresholds.{mode}.{kind}"
            if kind not in (*TARGET_KINDS, "other"):
                problems.append(f"{where}: unknown target kind (kinds: {', '.join(TARGET_KINDS)})")
                continue
            if not isinstance(band, Mapping) or not band or set(band) - {"candidate", "flag"}:
                problems.append(f'{where} must be {{"candidate": x, "flag": y}} (either may be left out)')
                continue
            for key, number in band.items():
                if key == "flag" and number is None:
                    continue  # never flagged by meaning alone
                if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 1:
                    problems.append(f"{where}.{key} must be a number from 0 to 1 (got {number!r})")
            cand, flag = band.get("candidate"), band.get("flag")
            if isinstance(cand, (int, float)) and isinstance(flag, (int, float)) and flag < cand:
                problems.append(f"{where}: flag ({flag}) must not be below candidate ({cand})")
    return problems


def _semantic_from_env(name: str) -> bool | None:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in ("", "auto"):
        return None
    return _env(name, False)  # a boolean, or a clear error


def _from_env(name: str, default: Any, policy: str = OPERATOR, cap: Any = None):
    return field(default_factory=lambda: _env(name, default), metadata={"policy": policy, "cap": cap})


def _fixed(default: Any, policy: str = OPERATOR, cap: Any = None):
    return field(default=default, metadata={"policy": policy, "cap": cap})


@dataclass
class Context:
    """What a run of the ALU graph may be told.

    Models are ``provider:model`` strings resolved with LangChain's ``init_chat_model``
    (``openai:gpt-4o-mini``, ``anthropic:claude-…``, ``ollama:llama3``…). ``openai:``
    models honour ``OPENAI_BASE_URL``/``OPENAI_API_KEY``, so any OpenAI-compatible
    server (vLLM, llama.cpp, the bundled local model) works. An agent's own field wins
    over ``model`` when set.
    """

    model: str = _from_env("ALU_MODEL", DEFAULT_MODEL)
    """Model of every agent unless overridden below. Env ``ALU_MODEL``."""
    vanilla_model: str = _from_env("ALU_VANILLA_MODEL", "")
    """Model that answers the query (the protected app model). Env ``ALU_VANILLA_MODEL``."""
    auditor_model: str = _from_env("ALU_AUDITOR_MODEL", "")
    """Judge of indirect references over the shortlist. Env ``ALU_AUDITOR_MODEL``."""
    eraser_model: str = _from_env("ALU_ERASER_MODEL", "")
    """Writes the k rewrites. Env ``ALU_ERASER_MODEL``."""
    critic_model: str = _from_env("ALU_CRITIC_MODEL", "")
    """Rates each rewrite 1–5. Env ``ALU_CRITIC_MODEL``."""
    composer_model: str = _from_env("ALU_COMPOSER_MODEL", "")
    """Merges the top-j rewrites. Env ``ALU_COMPOSER_MODEL``."""

    k: int = _from_env("ALU_K", 5, RAISE, cap=10)
    """Rewrites (and critiques) per flagged answer; the paper's code uses 5. Env ``ALU_K``."""
    j: int | None = field(default_factory=lambda: _env("ALU_J", 0) or None, metadata={"policy": RAISE, "cap": None})
    """Top-rated rewrites the composer merges (1 ≤ j ≤ k); default ``min(3, k)`` as in the
    paper's code. Env ``ALU_J``."""
    threshold: float = _from_env("ALU_THRESHOLD", 4.0, RAISE, cap=5.0)
    """Least rating (1–5) a clean rewrite needs to be answered; when none has it, the
    refusal is returned. Env ``ALU_THRESHOLD``."""
    merge: bool = _from_env("ALU_MERGE", False)
    """Merge the passing rewrites among the top j into one answer (the paper's composer: one
    more model call after the critiques). Off by default: the best clean passing rewrite
    is the answer. Env ``ALU_MERGE``."""
    early_exit: bool = _from_env("ALU_EARLY_EXIT", True)
    """Decide at the first clean rewrite rated at or above the threshold (``j`` of them
    with ``merge``) and stop the rewrites still out; off: every one of the k is rated and
    the best answered. Env ``ALU_EARLY_EXIT``."""
    rewrites_at_once: int | None = field(
        default_factory=lambda: _env("ALU_REWRITES_AT_ONCE", 0) or None, metadata={"policy": OPERATOR, "cap": None}
    )
    """Rewrites sent together (1 ≤ n ≤ k; default k, all at once): another is sent only when
    one ends without passing, until k were sent. 1 suits a server that answers one request
    at a time (the bundled model): the first passing rewrite ends the run after two calls.
    Env ``ALU_REWRITES_AT_ONCE``."""
    vanilla_temperature: float = _fixed(0.0, FREE)
    """Sampling temperature of the vanilla answer."""
    eraser_temperature: float = _fixed(0.7, FREE)
    """Temperature of the rewrites (above 0 so that the k rewrites differ)."""
    judge_temperature: float = _fixed(0.0)
    """Temperature of the auditor's judge and the critic (deterministic ratings)."""
    composer_temperature: float = _fixed(0.0, FREE)
    """Temperature of the composition."""
    max_tokens: int = _from_env("ALU_MAX_TOKENS", 512)
    """Cap on the tokens of every model reply (small models loop without one); a structured
    reply (judge verdict, critique) gets at least 256 whatever this is
    (:data:`alu.graph.models.STRUCTURED_MIN_TOKENS`): its length is set by its schema."""
    model_timeout: float = _from_env("ALU_MODEL_TIMEOUT", 120.0)
    """Seconds one HTTP request to a model may take (each read, and in all); a model call,
    with the client's own retries (2), has ``3 × model_timeout`` before it counts as
    failed and is retried by the graph or refused."""
    refusal: str = _from_env("ALU_REFUSAL", DEFAULT_REFUSAL)
    """The answer given when a safe answer cannot be produced."""
    tenant: str = _from_env("ALU_TENANT", "default")
    """Selects the target namespace ``("alu", tenant, "targets")`` in the store."""
    structured_output_method: Literal["function_calling", "json_schema", "json_mode"] = _from_env(
        "ALU_STRUCTURED_OUTPUT_METHOD", "function_calling"
    )
    """How the judge and critic get structured output; ``function_calling`` works on
    OpenAI, vLLM and llama.cpp (whose server rejects ``json_schema``)."""
    audit_mode: Literal["judge", "match"] = _from_env("ALU_AUDIT_MODE", "judge", STRICTER)
    """``judge``: deterministic matching plus a model judge over the shortlist for
    indirect references; ``match``: deterministic matching only (no judge call)."""
    shortlist_size: int = _from_env("ALU_SHORTLIST_SIZE", 8, RAISE, cap=32)
    """Most candidate targets shown to the judge (direct mentions are flagged regardless)."""
    max_query_chars: int = _from_env("ALU_MAX_QUERY_CHARS", 8000, LOWER)
    """Longest query accepted; longer input is rejected with an error."""
    window_turns: int = _from_env("ALU_WINDOW_TURNS", 6, RAISE, cap=MAX_WINDOW_TURNS)
    """Earlier messages of a chat thread (questions and the answers as returned) that the
    vanilla model and the auditor read beside the current question: a target handed out
    in pieces over these turns is caught by the run that completes it. At most
    ``MAX_WINDOW_TURNS`` (40); 0 reads the current question only. Env ``ALU_WINDOW_TURNS``."""
    window_chars: int = _from_env("ALU_WINDOW_CHARS", 6000, RAISE, cap=MAX_WINDOW_CHARS)
    """Most characters of those earlier turns read (the newest kept); at most
    ``MAX_WINDOW_CHARS`` (32,000), which bounds the audit's cost per run. Env
    ``ALU_WINDOW_CHARS``."""
    semantic: bool | None = field(
        default_factory=lambda: _semantic_from_env("ALU_SEMANTIC"), metadata={"policy": STRICTER, "cap": None}
    )
    """The semantic stage in the auditor's first step: targets found by meaning (offline
    MiniLM embeddings by default; needs the ``semantic`` extra), flagged above a
    calibrated band (never a person: a judge candidate), and re-checked on every rewrite.
    ``None`` (default, *auto*): on for a run whose targets — the tenant's registry or the
    run's own — include a ``topic`` or a ``work``, which a name filter cannot find (its cost
    and its false flags are then paid by the tenants that registered one); off for names
    only. ``True``: on for every run. ``False``: off (topics and works then found only by
    their names and keywords). A server run's context may only move it towards ``True``
    (``false`` < ``null`` < ``true``). Env ``ALU_SEMANTIC``: ``auto``, ``1``/``on``,
    ``0``/``off``."""
    semantic_thresholds: Mapping[str, Any] = field(
        default_factory=lambda: _bands_from_env("ALU_SEMANTIC_THRESHOLDS"), metadata={"policy": OPERATOR, "cap": None}
    )
    """The semantic stage's bands, over the calibrated defaults (``alu.semantic``'s
    ``DEFAULT_THRESHOLDS``; the README's curve): ``{"classifier" | "similarity": {kind:
    {"candidate": x, "flag": y}}}`` — a score at or above ``flag`` is flagged without a
    model, from ``candidate`` up a judge candidate. ``classifier``: targets with example
    texts; ``similarity``: zero-shot ones. A person never gets a flag band (a judge
    candidate only). ``"lone_draft_flag": true``: one draft or window sentence may flag by
    itself (default false: it needs the question in the candidate band or a second flagging
    sentence, else it is a judge candidate). ``"keep_margin": x`` (default 0.08; null: off): a
    classifier flag whose chunk is more than ``x`` nearer a keep text than the target's nearest
    example is a judge candidate. Operator policy: a server caller cannot change it. Env
    ``ALU_SEMANTIC_THRESHOLDS`` (JSON)."""
    audit_view: Literal["caller", "operator"] = _from_env("ALU_AUDIT_VIEW", "caller")
    """What the audit record says of the flagged targets: ``caller`` (default) gives each an
    opaque per-run reference and its source only; ``operator`` adds id, name, aliases and
    evidence (for the operator's own tools: the CLI, the evaluation). Traces always carry
    the ids. Env ``ALU_AUDIT_VIEW``."""
    allow_caller_tenant: bool = _from_env("ALU_ALLOW_CALLER_TENANT", False)
    """On a server without auth, may a run's context choose its tenant? Off by default:
    the operator's tenant holds and a caller's other tenant is refused. With auth, the
    tenant is always the authenticated user's. Env ``ALU_ALLOW_CALLER_TENANT``."""

    allow_phrases: tuple[str, ...] = field(
        default_factory=lambda: _phrases_from_env("ALU_ALLOW_PHRASES"), metadata={"policy": OPERATOR, "cap": None}
    )
    """The operator's allow-list: phrases never flagged for this tenant (per tenant: in the
    auth user's ``alu_policy``). A phrase removes the weak cues inside it (a near-miss typo,
    a surname alone, a keyword, profile words, a semantic hit, a judge call) but never a
    registered name or alias, plain or hidden, even inside it (see :mod:`alu.graph.allow`).
    Env ``ALU_ALLOW_PHRASES``: a JSON list, or phrases separated by ``|``."""

    trace_texts: Literal["full", "redacted"] = _from_env("ALU_TRACE_TEXTS", "full", STRICTER)
    """What traces (LangSmith, any LangChain tracer) get of the model calls: ``full`` (the
    default) traces each call with its prompt and reply — the draft, the rewrites, the
    critiques; ``redacted`` makes every internal model call without the run's tracers (no
    prompt, draft or rewrite reaches a trace; the node runs, their sealed state and the ids
    and decision in metadata remain) and leaves the judge's evidence and error details out of
    metadata. The operator's choice; a server run's context may only make it stricter. Env
    ``ALU_TRACE_TEXTS``."""
    flagged_per_minute: int = _from_env("ALU_FLAGGED_PER_MINUTE", 0)
    """Most flagged runs (the costly path: 1 + 2k model calls) a tenant may start per minute;
    past it a run is refused, fail closed (``FlaggedWorkLimitError``), so a caller cannot
    multiply the cost by forcing the flagged path. 0: no cap. Env ``ALU_FLAGGED_PER_MINUTE``."""
    flagged_limit_scope: Literal["process", "store"] = _from_env("ALU_FLAGGED_LIMIT_SCOPE", "process")
    """Where the cap counts (see :mod:`alu.graph.limits`): ``process`` (a sliding minute in
    this process) or ``store`` (per calendar minute in the store, shared by every process on
    it). Env ``ALU_FLAGGED_LIMIT_SCOPE``."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.trace_texts not in TRACE_TEXTS:
            problems.append(f"trace_texts must be one of {', '.join(TRACE_TEXTS)} (got {self.trace_texts!r})")
        if not isinstance(self.flagged_per_minute, int) or self.flagged_per_minute < 0:
            problems.append(f"flagged_per_minute must be a non-negative integer (got {self.flagged_per_minute!r})")
        if self.flagged_limit_scope not in LIMIT_SCOPES:
            problems.append(
                f"flagged_limit_scope must be one of {', '.join(LIMIT_SCOPES)} (got {self.flagged_limit_scope!r})"
            )
        semantic: object = self.semantic  # a server's JSON may hold anything
        if semantic is not None and not isinstance(semantic, bool):
            problems.append(f"semantic must be true, false or null for auto (got {semantic!r})")
        problems += band_problems(self.semantic_thresholds)
        phrases: object = self.allow_phrases  # a dict from a server or a policy may hold a list
        if isinstance(phrases, list):
            self.allow_phrases = phrases = tuple(phrases)
        if (
            not isinstance(phrases, tuple)
            or len(phrases) > MAX_ALLOW_PHRASES
            or not all(isinstance(p, str) and 3 <= len(p.strip()) <= 200 for p in phrases)
        ):
            problems.append(
                f"allow_phrases must be a list of at most {MAX_ALLOW_PHRASES} phrases of 3 to 200 characters"
                f" (got {self.allow_phrases!r:.200})"
            )
        if self.j is None and isinstance(self.k, int):
            self.j = min(3, self.k)
        if not isinstance(self.k, int) or self.k < 1 or self.k > 20:
            problems.append(f"k must be an integer from 1 to 20 (got {self.k!r})")
        if not isinstance(self.j, int) or self.j < 1:
            problems.append(f"j must be an integer of at least 1 (got {self.j!r})")
        elif isinstance(self.k, int) and self.j > self.k:
            problems.append(f"j must not exceed k (got j={self.j}, k={self.k})")
        at_once: object = self.rewrites_at_once
        if at_once is not None and (isinstance(at_once, bool) or not isinstance(at_once, int) or at_once < 1):
            problems.append(f"rewrites_at_once must be a positive integer or unset (got {at_once!r})")
        elif isinstance(at_once, int) and isinstance(self.k, int) and at_once > self.k:
            problems.append(f"rewrites_at_once must not exceed k (got {at_once}, k={self.k})")
        early: object = self.early_exit
        if not isinstance(early, bool):
            problems.append(f"early_exit must be true or false (got {self.early_exit!r})")
        if not isinstance(self.threshold, (int, float)) or not 1 <= self.threshold <= 5:
            problems.append(f"threshold must be between 1 and 5 (got {self.threshold!r})")
        if self.structured_output_method not in STRUCTURED_METHODS:
            problems.append(
                f"structured_output_method must be one of {', '.join(STRUCTURED_METHODS)}"
                f" (got {self.structured_output_method!r})"
            )
        if self.audit_mode not in AUDIT_MODES:
            problems.append(f"audit_mode must be one of {', '.join(AUDIT_MODES)} (got {self.audit_mode!r})")
        if not isinstance(self.shortlist_size, int) or self.shortlist_size < 1:
            problems.append(f"shortlist_size must be a positive integer (got {self.shortlist_size!r})")
        if not isinstance(self.max_tokens, int) or self.max_tokens < 16:
            problems.append(f"max_tokens must be an integer of at least 16 (got {self.max_tokens!r})")
        if not isinstance(self.max_query_chars, int) or self.max_query_chars < 1:
            problems.append(f"max_query_chars must be a positive integer (got {self.max_query_chars!r})")
        if not isinstance(self.model_timeout, (int, float)) or self.model_timeout <= 0:
            problems.append(f"model_timeout must be a positive number of seconds (got {self.model_timeout!r})")
        if not isinstance(self.window_turns, int) or not 0 <= self.window_turns <= MAX_WINDOW_TURNS:
            problems.append(f"window_turns must be an integer from 0 to {MAX_WINDOW_TURNS} (got {self.window_turns!r})")
        if not isinstance(self.window_chars, int) or not 0 <= self.window_chars <= MAX_WINDOW_CHARS:
            problems.append(
                f"window_chars must be an integer from 0 to {MAX_WINDOW_CHARS} (got {self.window_chars!r});"
                " a longer window would make every run's audit read that much text"
            )
        if self.audit_view not in AUDIT_VIEWS:
            problems.append(f"audit_view must be one of {', '.join(AUDIT_VIEWS)} (got {self.audit_view!r})")
        allow: object = self.allow_caller_tenant  # a dict from a server may hold anything
        if not isinstance(allow, bool):
            problems.append(f"allow_caller_tenant must be true or false (got {self.allow_caller_tenant!r})")
        if not isinstance(self.refusal, str) or not self.refusal.strip():
            problems.append("refusal must be a non-empty string")
        if not isinstance(self.tenant, str) or not self.tenant or "." in self.tenant:
            problems.append(f"tenant must be a non-empty string without '.' (got {self.tenant!r})")
        for agent in ("", *AGENTS):
            name = f"{agent}_model" if agent else "model"
            value = getattr(self, name)
            if not isinstance(value, str) or (value and not _looks_like_model(value)):
                problems.append(
                    f"{name} must be a 'provider:model' string such as 'openai:gpt-4o-mini' (got {value!r})"
                )
        if problems:
            raise InvalidContextError("invalid ALU context: " + "; ".join(problems))

    def model_for(self, agent: str) -> str:
        """The ``provider:model`` string of one agent."""
        return getattr(self, f"{agent}_model") or self.model


def _looks_like_model(spec: str) -> bool:
    provider, sep, name = spec.partition(":")
    return bool(sep and provider.strip() and name.strip())


def ensure_context(value: Context | Mapping[str, Any] | None) -> Context:
    """A validated ``Context`` from what LangGraph hands a node (None, dict or Context)."""
    if value is None:
        return Context()
    if isinstance(value, Context):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in fields(Context)}
        unknown = set(value) - known
        if unknown:
            raise InvalidContextError(f"unknown ALU context field(s) {sorted(unknown)}; known: {sorted(known)}")
        return Context(**dict(value))
    raise InvalidContextError(f"context must be a Context or a dict, got {type(value).__name__}")
