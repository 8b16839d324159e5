"""Model faults at every stage: the run is refused, the audit names the stage, retries are
bounded, and no fault ever lets the draft out (issue 7, "Model faults").

The graph, langchain-openai and the openai client are real; only the model server is a
deliberate fault injector (tests/faulty_openai.py) on loopback. Every agent calls it as
``openai:<model>``; the server recognises the agent by its system prompt and applies the
case's fault to that agent alone, so the earlier stages answer normally and the faulty
stage fails at every attempt.

Retry bound: a model call is one LangGraph node attempt of up to ``1 + CLIENT_RETRIES``
HTTP requests (ChatOpenAI's ``max_retries=2``, alu/models.py), and a node makes at most
``MAX_ATTEMPTS`` attempts (``create_alu_graph(max_attempts=2)``): so an agent called
``n`` times (eraser and critic ``k`` times, the others once) may send at most
``n * MAX_ATTEMPTS * (1 + CLIENT_RETRIES)`` requests.

Beyond the matrix: 429 then success answers normally; a streamed run never streams from
the model; one failing critic of k refuses; the server going down mid-run (connection
refused) refuses; the CLI prints the refusal and exits 3; a refused run's audit record
carries no model text. Known bugs are ``xfail(strict=True)`` with the root cause.

Speed: a fault costs real seconds (timeouts, the client's backoff, ``retry-after``), so
the graph runs of the matrix run concurrently, each with its own model name (its own
plan on the shared server, its own client), in one module fixture; each test then checks
one run's outcome. Runs that need a server of their own (``down``: the server stops
listening) run one after the other, and the CLI runs as concurrent processes.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from faulty_openai import AGENTS, SCHEMA_FAULTS, Fault, FaultyOpenAI
from langgraph.store.memory import InMemoryStore

from alu import Context, TargetRegistry, create_alu_graph
from alu.graph.context import DEFAULT_REFUSAL
from alu.nodes.audit import describe_error
from alu.text import normalize

slow = pytest.mark.slow  # real timeouts and backoff: the matrix's fixture ~15 s, a `down` run ~4 s

QUERY = "Who wrote Pride and Prejudice?"
FORGET = "Jane Austen"  # named by the healthy draft: flagged directly, so the eraser branch runs
CANDIDATE = {"name": "Elizabeth Bennet", "keywords": ["Pride and Prejudice"]}
"""Registered in the store: the question's keyword makes her a candidate, so the auditor's
judge is called on every run (a direct mention alone needs no model call)."""

K = 2
MODEL_TIMEOUT = 1.0
MAX_ATTEMPTS = 2
CLIENT_RETRIES = 2  # alu/models.py: init_chat_model(..., max_retries=2)
MAX_REQUESTS_PER_CALL = MAX_ATTEMPTS * (1 + CLIENT_RETRIES)
CALLS = {"vanilla": 1, "auditor": 1, "eraser": K, "critic": K, "composer": 1}
"""Model calls of each agent in a healthy flagged run (the composer merges the 2 rewrites)."""
RUN_BOUND_S = 30.0
"""A faulty run must end within this; the worst case (a hang at every attempt) is about
MAX_ATTEMPTS * ((1 + CLIENT_RETRIES) * MODEL_TIMEOUT + 1.5 s of backoff) + 1 s ≈ 10 s."""
DEADLINE_S = 120.0  # a run still going after this is reported as unbounded

TEXT_FAULTS = (
    "hang",
    "trickle",
    "http_500",
    "rate_limit",
    "drop",
    "reset",
    "malformed_json",
    "truncated_body",
    "empty_reply",
)
STRUCTURED_FAULTS = (*TEXT_FAULTS, *SCHEMA_FAULTS)
CLIENT_RETRIED = ("hang", "http_500", "rate_limit", "drop", "reset", "truncated_body", "truncated_sse")
"""Faults the openai client itself retries (timeouts, connection errors, 429, 5xx). A
trickle is not among them: each read succeeds; the graph's whole-call deadline
(3 × model_timeout) stops it and the node retries it."""

FIXED_MALFORMED_JSON = (  # fixed: retry_on retries json.JSONDecodeError
    "BUG: a 200 reply whose body is not JSON is never retried. The openai client raises "
    "the raw json.JSONDecodeError (a ValueError); LangGraph's default retry_on returns False "
    "for ValueError and alu's retry_on (graph/builder.py) adds only ModelOutputError, so the "
    "node fails at its first attempt (1 request) instead of 'bounded retries with backoff'. "
    "The run is still refused (fail-closed holds)."
)

FIXED_TRICKLE = (  # fixed: a whole-call deadline in alu/models.py
    "BUG: model_timeout does not bound a model request. alu/models.py passes it to "
    "init_chat_model(timeout=...), i.e. the httpx timeout of each connect/read/write "
    "operation, not a deadline for the request; a server that sends its reply in pieces, "
    "each sooner than the timeout, holds the call as long as it likes (4 s here with "
    "model_timeout=1 s: the slow reply is accepted and the run answers; an endless trickle "
    "hangs the run for ever), and no node or run deadline stops it."
)
KNOWN_BUGS: dict[str, str] = {}  # fixed: FIXED_MALFORMED_JSON, FIXED_TRICKLE


def faults_of(stage: str) -> tuple[str, ...]:
    return STRUCTURED_FAULTS if stage in ("auditor", "critic") else TEXT_FAULTS


MATRIX = [(stage, fault) for stage in AGENTS for fault in faults_of(stage)]


def later_stages(stage: str) -> list[str]:
    return list(AGENTS[AGENTS.index(stage) + 1 :])


# -- the concurrent runs -------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    stage: str | None
    fault: str | None
    stream: bool = False

    @property
    def id(self) -> str:
        return f"{self.stage or 'none'}:{self.fault or 'healthy'}" + (":stream" if self.stream else "")

    @property
    def model(self) -> str:  # the request's model name routes it to this case's plan
        return self.id.replace(":", "-")


@dataclass
class Outcome:
    case: Case
    output: dict[str, Any] | None = None
    raised: BaseException | None = None
    seconds: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    streamed_requests: int = 0
    chunks: list[tuple[str, str]] = field(default_factory=list)
    """(stream mode, repr of the chunk) of a streamed run."""
    refusal: str = ""

    def check_finished(self) -> dict[str, Any]:
        """The output, or a failure saying how the run did not end normally."""
        if self.seconds is None:
            pytest.fail(f"{self.case.id}: the run did not end within {DEADLINE_S} s (unbounded hang)")
        if self.raised is not None:
            pytest.fail(f"{self.case.id}: the run raised to the caller instead of refusing: {self.raised!r}")
        assert self.output is not None
        return self.output


def _clean_env(mp: pytest.MonkeyPatch, server: FaultyOpenAI) -> None:
    for key in list(os.environ):
        if key.startswith(("ALU_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_")):
            mp.delenv(key)
    mp.setenv("ALU_MODEL", "openai:fake")
    mp.setenv("OPENAI_BASE_URL", server.base_url)
    mp.setenv("OPENAI_API_KEY", "x")


def _store() -> InMemoryStore:
    store = InMemoryStore()
    TargetRegistry(store).add(CANDIDATE["name"], keywords=CANDIDATE["keywords"])
    return store


def _run(case: Case, store: InMemoryStore, outcome: Outcome, model: str, graph=None) -> None:
    graph = graph or create_alu_graph(store=store, max_attempts=MAX_ATTEMPTS)
    # merge on: the matrix faults every stage, the composer's merge call included
    context = Context(model=f"openai:{model}", model_timeout=MODEL_TIMEOUT, k=K, merge=True)
    payload = {"query": QUERY, "targets": [FORGET]}
    started = time.perf_counter()
    try:
        if case.stream:
            output: dict[str, Any] = {}
            for mode, chunk in graph.stream(
                payload, context=context, stream_mode=["messages", "updates", "values", "debug"]
            ):
                if mode == "values":
                    output = chunk
                else:
                    outcome.chunks.append((mode, repr(chunk)))
            outcome.output = output
        else:
            outcome.output = graph.invoke(payload, context=context)
    except BaseException as exc:
        outcome.raised = exc
    outcome.seconds = time.perf_counter() - started


@pytest.fixture(scope="module")
def fault_outcomes(request) -> dict[str, Outcome]:
    """Every selected matrix case, run concurrently against one fault server."""
    wanted = {
        item.callspec.params["case"]
        for item in request.session.items
        if "fault_outcomes" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    }
    cases = [c for c in ALL_CASES if c.id in wanted]
    server = FaultyOpenAI(hang_s=20.0, trickle_s=4 * MODEL_TIMEOUT).start()
    outcomes = {c.id: Outcome(c) for c in cases}
    with pytest.MonkeyPatch.context() as mp:
        _clean_env(mp, server)
        store = _store()
        for case in cases:
            server.set_plan({case.stage: case.fault} if case.stage else {}, model=case.model)
        # warm up (imports, the store's index) so that the runs start together
        _run(Case(None, None), store, Outcome(Case(None, None)), "warm-up")
        threads = [
            threading.Thread(
                target=_run,
                args=(c, store, outcomes[c.id], c.model, create_alu_graph(store=store, max_attempts=MAX_ATTEMPTS)),
                daemon=True,
                name=c.id,
            )
            for c in cases
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + DEADLINE_S
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for outcome in outcomes.values():
            outcome.counts = server.counts(model=outcome.case.model)
            outcome.streamed_requests = sum(r.stream for r in server.requests(model=outcome.case.model))
        refusal = Context().refusal
    server.stop()
    _report(outcomes.values())
    for outcome in outcomes.values():
        outcome.refusal = refusal
    return outcomes


def _report(outcomes) -> None:
    """``ALU_FAULT_REPORT=path``: the observed request counts and times, as JSON."""
    path = os.environ.get("ALU_FAULT_REPORT")
    if not path:
        return
    rows = [
        {
            "case": o.case.id,
            "seconds": None if o.seconds is None else round(o.seconds, 2),
            "counts": o.counts,
            "decision": (o.output or {}).get("audit", {}).get("decision"),
            "error": (o.output or {}).get("audit", {}).get("error"),
            "raised": repr(o.raised) if o.raised else None,
        }
        for o in outcomes
    ]
    Path(path).write_text(json.dumps(rows, indent=1))


REFUSE_CASES = [Case(stage, fault) for stage, fault in MATRIX]
RECOVER_CASES = [Case(stage, "rate_limit_once") for stage in AGENTS]
STREAM_CASES = [Case(None, None, stream=True), *(Case(stage, "truncated_sse", stream=True) for stage in AGENTS)]
ALL_CASES = [Case(None, None), *REFUSE_CASES, *RECOVER_CASES, *STREAM_CASES]


def _ids(cases):
    return [c.id for c in cases]


# -- every stage x every fault: refused, stage named, nothing leaks ----------------------


def assert_refused_at(outcome: Outcome, stage: str) -> dict[str, Any]:
    out = outcome.check_finished()
    audit = out["audit"]
    assert audit["decision"] == "refused", audit
    assert out["answer"] == outcome.refusal
    assert "austen" not in normalize(out["answer"]), "the draft (or a rewrite naming the target) escaped"
    error = audit["error"]
    assert error is not None and error["stage"] == stage, error
    assert error["type"] and error["message"], error
    return audit


def _refuse_params():
    for case in REFUSE_CASES:
        yield pytest.param(case.id, id=case.id)


@slow
@pytest.mark.parametrize("case", list(_refuse_params()))
def test_fault_at_a_stage_refuses_and_names_the_stage(case, fault_outcomes):
    outcome = fault_outcomes[case]
    stage = outcome.case.stage
    audit = assert_refused_at(outcome, stage)
    # the stages after the failed one never ran: the composer refused without a model call
    assert not any(outcome.counts.get(s) for s in later_stages(stage)), outcome.counts
    # every earlier stage ran once per call, untouched by the fault
    for earlier in AGENTS[: AGENTS.index(stage)]:
        assert outcome.counts.get(earlier) == CALLS[earlier], outcome.counts
    assert outcome.seconds < RUN_BOUND_S, f"{case}: {outcome.seconds:.1f} s"
    if stage in ("eraser", "critic", "composer"):  # the auditor's flags were kept
        assert [f["source"] for f in audit["flagged"]] == ["match"]  # one flag (the caller sees no name)


def _retry_params():
    for case in REFUSE_CASES:
        bug = KNOWN_BUGS.get(case.fault)
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        yield pytest.param(case.id, marks=marks, id=case.id)


@slow
@pytest.mark.parametrize("case", list(_retry_params()))
def test_a_faulty_call_is_retried_a_bounded_number_of_times(case, fault_outcomes):
    outcome = fault_outcomes[case]
    outcome.check_finished()
    stage, fault = outcome.case.stage, outcome.case.fault
    calls = CALLS[stage]
    sent = outcome.counts.get(stage, 0)
    assert sent <= calls * MAX_REQUESTS_PER_CALL, f"{sent} requests for {calls} call(s): retries unbounded"
    assert sent > calls, f"{fault} at {stage} was not retried ({sent} request(s) for {calls} call(s))"
    if fault in CLIENT_RETRIED:  # retried by the client, and the node once more
        assert sent > calls * (1 + CLIENT_RETRIES), outcome.counts
    elif calls == 1:  # unusable output: the client accepts it, the node is retried
        assert sent == MAX_ATTEMPTS, outcome.counts
    else:  # one of the k rewrites or critiques fails after its retries: the composer
        # refuses at once and stops the others (their retries are not all sent)
        assert MAX_ATTEMPTS <= sent <= calls * MAX_ATTEMPTS, outcome.counts


@slow
@pytest.mark.parametrize("case", ["none:healthy"])
def test_the_healthy_run_is_rewritten_with_one_request_per_call(case, fault_outcomes):
    outcome = fault_outcomes[case]
    out = outcome.check_finished()
    assert out["audit"]["decision"] == "rewritten" and out["audit"]["error"] is None, out["audit"]
    assert "austen" not in normalize(out["answer"])
    assert outcome.counts == CALLS


@slow
@pytest.mark.parametrize("case", _ids(RECOVER_CASES))
def test_429_with_retry_after_then_success_answers_normally(case, fault_outcomes):
    outcome = fault_outcomes[case]
    out = outcome.check_finished()
    stage = outcome.case.stage
    assert out["audit"]["decision"] == "rewritten", out["audit"]
    assert out["audit"]["error"] is None
    assert "austen" not in normalize(out["answer"])
    # one 429, honoured (retry-after: 1) and retried by the client: one extra request
    assert outcome.counts == {**CALLS, stage: CALLS[stage] + 1}, outcome.counts
    assert outcome.seconds >= 1.0, "the client did not wait for retry-after"


# -- streaming -------------------------------------------------------------------------

DRAFT = FaultyOpenAI.default_reply("vanilla")


def assert_nothing_leaked_in_stream(outcome: Outcome) -> None:
    """No stream mode carries the draft's text; ``messages`` carries no model text at
    all (``updates``/``debug`` do name the flagged target: the audit record, by design)."""
    assert outcome.chunks, "nothing was streamed"
    for mode, chunk in outcome.chunks:
        assert normalize(DRAFT) not in normalize(chunk), f"the draft leaked in stream mode {mode}"
        if mode == "messages":
            assert "austen" not in normalize(chunk), f"a messages chunk named the target: {chunk[:200]}"


@slow
@pytest.mark.parametrize("case", ["none:healthy:stream"])
def test_streaming_the_graph_never_streams_from_the_model(case, fault_outcomes):
    """The graph's model calls never use the streaming API, whatever the caller's stream
    modes (alu/models.py: ``disable_streaming=True`` and streaming callbacks dropped). So
    a truncated SSE stream cannot reach the graph; tests of the fault server below show
    what it would do (a clean EOF without ``[DONE]`` is accepted by the client)."""
    outcome = fault_outcomes[case]
    out = outcome.check_finished()
    assert out["audit"]["decision"] == "rewritten", out["audit"]
    assert outcome.counts == CALLS
    assert outcome.streamed_requests == 0
    assert_nothing_leaked_in_stream(outcome)


@slow
@pytest.mark.parametrize("case", _ids(STREAM_CASES[1:]))
def test_streamed_run_with_truncated_replies_refuses_and_streams_nothing_of_the_draft(case, fault_outcomes):
    outcome = fault_outcomes[case]
    assert_refused_at(outcome, outcome.case.stage)
    assert outcome.streamed_requests == 0
    assert_nothing_leaked_in_stream(outcome)
    assert outcome.counts[outcome.case.stage] <= CALLS[outcome.case.stage] * MAX_REQUESTS_PER_CALL


# -- one of the k parallel calls fails ----------------------------------------------------


@slow
def test_one_failing_critic_of_k_refuses_although_the_others_rated_well(monkeypatch):
    """Fail closed is not a majority vote: the k-1 critiques that passed do not carry the
    run when one critic fails after its retries."""
    versions = itertools.count(1)
    replies = {"eraser": lambda record: f"Pride and Prejudice is an 1813 English novel (version {next(versions)})."}
    with FaultyOpenAI({"critic": Fault("bad_args_type", match="(version 1)")}, replies=replies) as server:
        with monkeypatch.context() as mp:
            _clean_env(mp, server)
            outcome = Outcome(Case("critic", "bad_args_type"), refusal=Context().refusal)
            _run(outcome.case, _store(), outcome, "fake")
        outcome.counts = server.counts()
        faulty = [r for r in server.requests(agent="critic") if r.fault]
    audit = assert_refused_at(outcome, "critic")
    assert len(faulty) == MAX_ATTEMPTS  # the one failing critique, retried by its node
    assert outcome.counts["critic"] == K - 1 + MAX_ATTEMPTS and "composer" not in outcome.counts
    assert len(audit["ratings"]) == K - 1  # the passing critiques are recorded, and overruled


# -- what a failed stage's error may carry -------------------------------------------------

LONG_DRAFT = (
    "Pride and Prejudice is a romantic novel of manners first published in 1813. It follows "
    "the second of the five daughters of a country gentleman in Hertfordshire, as she deals "
    "with matters of upbringing, marriage, moral rightness and education in the landed gentry "
    "of the British Regency, and it was written by Jane Austen."
)  # longer than Reference.evidence's 300 characters; names no target but Jane Austen
FIXED_ERROR_QUOTES_MODEL_OUTPUT = (  # fixed: ModelOutputError never quotes output
    "BUG: the audit record's error carries the model's own output to the caller. A judge "
    "that quotes the draft as its evidence, over Reference.evidence's 300 characters, fails "
    "validation; call_structured (alu/models.py) puts pydantic's message in the "
    "ModelOutputError, whose input_value repeats the first and last 24 characters of the "
    "quote, and stage_error (alu/audit.py) copies str(error) (up to 500 characters) into "
    "audit.error.message: here 'written by Jane Austen.' reaches the caller (and the CLI's "
    "JSON) although the run was refused and README says a judge's evidence never leaves "
    "the graph."
)


def test_a_refused_run_carries_no_model_text_in_its_audit_record(monkeypatch):
    assert len(LONG_DRAFT) > 300
    quote = {"referenced": [{"id": "elizabeth-bennet", "evidence": LONG_DRAFT}]}  # the judge quotes it all
    with FaultyOpenAI(replies={"vanilla": LONG_DRAFT, "auditor": quote}) as server:
        with monkeypatch.context() as mp:
            _clean_env(mp, server)
            outcome = Outcome(Case("auditor", "bad_args_range"), refusal=Context().refusal)
            _run(outcome.case, _store(), outcome, "fake")
        outcome.counts = server.counts()
    assert_refused_at(outcome, "auditor")
    out = outcome.output
    assert outcome.counts == {"vanilla": 1, "auditor": MAX_ATTEMPTS}
    assert out["audit"]["flagged"] == []  # nothing flagged: the auditor failed
    assert "austen" not in normalize(json.dumps(out)), out["audit"]["error"]["message"]


# -- the server goes down mid-run (connection refused from then on) ----------------------


@slow
@pytest.mark.parametrize("stage", AGENTS)
def test_server_going_down_at_a_stage_refuses(stage, monkeypatch, cli_processes):
    with FaultyOpenAI({stage: "down"}) as server:
        with monkeypatch.context() as mp:
            _clean_env(mp, server)
            outcome = Outcome(Case(stage, "down"))
            thread = threading.Thread(target=_run, args=(outcome.case, _store(), outcome, "fake"), daemon=True)
            thread.start()
            thread.join(DEADLINE_S)
            outcome.refusal = Context().refusal
        outcome.counts = server.counts()
    assert_refused_at(outcome, stage)
    assert outcome.seconds < RUN_BOUND_S
    assert outcome.counts.get(stage) == 1  # the one request that took the server down
    assert not any(outcome.counts.get(s) for s in later_stages(stage))


# -- the CLI contract --------------------------------------------------------------------

CLI_FAULTS = {  # one fault per stage, each of a different kind; the slow ones (hang, 429)
    # are left to the matrix above: with the CLI's 3 attempts and k=5 they take ~20 s
    "vanilla": "http_500",
    "auditor": "bad_args_type",
    "eraser": "reset",
    "critic": "no_tool_call",
    "composer": "drop",
}


@pytest.fixture(scope="module")
def cli_processes(request, tmp_path_factory):
    """``alu ask … --json`` once per stage, as concurrent processes, each with a fault
    server of its own. The first ``down`` test starts them (when a CLI test is selected),
    so that they run during the sequential ``down`` runs; not during the matrix, whose
    healthy calls must answer within MODEL_TIMEOUT while 60 runs share this process."""
    if not any(
        getattr(item, "originalname", "") == "test_cli_json_names_the_failed_stage_and_exits_3"
        for item in request.session.items
    ):
        yield None
        return
    from langgraph.store.sqlite import SqliteStore

    root = tmp_path_factory.mktemp("cli")
    store_path = root / "targets.sqlite"
    with SqliteStore.from_conn_string(str(store_path)) as store:  # what `alu targets add` does
        store.setup()
        TargetRegistry(store).add(CANDIDATE["name"], keywords=CANDIDATE["keywords"])
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ALU_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    base["ALU_STORE"] = str(store_path)
    alu = str(Path(sys.executable).parent / "alu")
    servers = {stage: FaultyOpenAI({stage: fault}, hang_s=30.0).start() for stage, fault in CLI_FAULTS.items()}
    procs = {}
    try:
        for stage, server in servers.items():
            env = {
                **base,
                "ALU_MODEL": "openai:fake",
                "OPENAI_BASE_URL": server.base_url,
                "OPENAI_API_KEY": "x",
                "ALU_MODEL_TIMEOUT": "1",
                # the composer calls a model only to merge (the operator's ALU_MERGE)
                **({"ALU_MERGE": "1"} if stage == "composer" else {}),
            }
            procs[stage] = subprocess.Popen(
                [alu, "ask", QUERY, "--forget", FORGET, "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        yield servers, procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="module")
def cli_runs(cli_processes) -> dict[str, tuple[subprocess.CompletedProcess, dict[str, int]]]:
    """Each stage's finished CLI run and the requests its fault server saw."""
    servers, procs = cli_processes
    runs = {}
    for stage, proc in procs.items():
        try:
            stdout, stderr = proc.communicate(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            stderr += f"\n(killed after {DEADLINE_S} s: unbounded)"
        runs[stage] = (subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), servers[stage].counts())
    return runs


@slow
@pytest.mark.parametrize("stage", AGENTS)
def test_cli_json_names_the_failed_stage_and_exits_3(stage, cli_runs):
    done, counts = cli_runs[stage]
    assert done.returncode == 3, (done.returncode, done.stderr[-2000:])
    assert done.stdout.count("\n") == 1, "stdout holds the JSON object alone"
    result = json.loads(done.stdout)
    assert result["decision"] == "refused"
    assert result["error"]["stage"] == stage, result["error"]
    assert result["answer"] == DEFAULT_REFUSAL
    assert "austen" not in normalize(result["answer"])
    # the CLI's graph: 3 attempts (create_alu_graph's default), k = 5 (Context's default)
    calls = {"vanilla": 1, "auditor": 1, "eraser": 5, "critic": 5, "composer": 1}[stage]
    assert 0 < counts.get(stage, 0) <= calls * 3 * (1 + CLIENT_RETRIES), counts
    assert not any(counts.get(s) for s in later_stages(stage)), counts


# -- the fault server itself (what each fault looks like to the real openai client) --------


def _raw_client(server: FaultyOpenAI, **kwargs):
    import openai

    return openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=2.0, **kwargs)


def _messages(agent: str) -> list[dict[str, str]]:
    from alu.prompts import load

    return [{"role": "system", "content": load(f"{agent}_system")}, {"role": "user", "content": QUERY}]


def test_fault_server_lists_models_and_records_requests():
    with FaultyOpenAI({"vanilla": "http_500"}) as server:
        client = _raw_client(server)
        assert [m.id for m in client.models.list()] == ["fake"]
        import openai

        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="fake", messages=_messages("vanilla"))
        reply = client.chat.completions.create(model="fake", messages=_messages("eraser"))
        assert "Austen" not in reply.choices[0].message.content
        assert [(r.agent, r.fault) for r in server.requests()] == [("vanilla", "http_500"), ("eraser", None)]


def test_fault_server_truncated_sse_raises_but_a_clean_eof_without_done_is_accepted():
    """What a streaming client would see. ``truncated_sse`` (a chunked body cut short) is
    a connection error; ``truncated_sse_eof`` (the body ends cleanly half-way, no
    ``finish_reason``, no ``[DONE]``) is silently accepted by the openai client as a
    complete reply — a hazard for any caller that streams (the graph does not)."""
    import openai

    with FaultyOpenAI({"vanilla": "truncated_sse", "eraser": "truncated_sse_eof"}) as server:
        client = _raw_client(server)
        with pytest.raises(openai.APIConnectionError):
            list(client.chat.completions.create(model="fake", messages=_messages("vanilla"), stream=True))
        chunks = list(client.chat.completions.create(model="fake", messages=_messages("eraser"), stream=True))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text and len(text) < len(server.replies["eraser"])
        assert all(c.choices[0].finish_reason is None for c in chunks if c.choices)
        healthy = list(client.chat.completions.create(model="fake", messages=_messages("composer"), stream=True))
        assert "".join(c.choices[0].delta.content or "" for c in healthy if c.choices) == server.replies["composer"]


def test_fault_server_rate_limit_once_then_healthy():
    import openai

    with FaultyOpenAI({"critic": "rate_limit_once"}) as server:
        client = _raw_client(server)
        with pytest.raises(openai.RateLimitError) as raised:
            client.chat.completions.create(model="fake", messages=_messages("critic"))
        assert raised.value.response.headers["retry-after"] == "1"
        tools = [{"type": "function", "function": {"name": "Critique", "parameters": {"type": "object"}}}]
        reply = client.chat.completions.create(model="fake", messages=_messages("critic"), tools=tools)
        assert json.loads(reply.choices[0].message.tool_calls[0].function.arguments) == {"rating": 5, "reason": "ok"}


def test_fault_server_streams_tool_calls_that_langchain_parses():
    """The healthy SSE path of a structured call, as ChatOpenAI streams and parses it."""
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel

    class Critique(BaseModel):
        rating: int
        reason: str = ""

    with FaultyOpenAI() as server:
        model = ChatOpenAI(model="fake", base_url=server.base_url, api_key="x", max_retries=0, streaming=True)
        critique = model.with_structured_output(Critique, method="function_calling").invoke(_messages("critic"))
        assert critique == Critique(rating=5, reason="ok")
        assert [r.stream for r in server.requests()] == [True]


@pytest.mark.parametrize("stage", ["vanilla", "eraser", "critic"])
def test_a_500_body_that_quotes_the_target_never_reaches_the_caller(monkeypatch, stage):
    """llama.cpp's server answers a tool-call parse failure with a 500 whose body quotes the
    generated text: the audit record keeps the stage, the type and a fixed description."""
    body = "Failed to parse tool call: 'Pride and Prejudice was written by Jane Austen in 1813.'"
    with FaultyOpenAI({stage: "http_500"}, error_body=body) as server, monkeypatch.context() as mp:
        _clean_env(mp, server)
        outcome = Outcome(Case(stage, "http_500"), refusal=Context().refusal)
        _run(outcome.case, _store(), outcome, "fake")
    error = assert_refused_at(outcome, stage)["error"]
    assert error["message"] == describe_error("InternalServerError"), error
    assert "austen" not in normalize(json.dumps(outcome.output)), outcome.output["audit"]["error"]
