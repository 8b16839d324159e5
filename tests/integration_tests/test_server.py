"""The graph on a real LangGraph server (`langgraph dev`, in-memory runtime) with the real
bundled model, driven through ``langgraph_sdk`` exactly as a client or Studio would.

The server is started once for this module on a free loopback port, from a temporary
working directory (``langgraph dev`` writes ``.langgraph_api/`` into its working
directory whatever ``LANGGRAPH_DISABLE_FILE_PERSISTENCE`` says: the CLI overwrites that
variable with ``langgraph.json``'s ``disable_persistence``, a key its own config
validation drops), with no LangSmith
variables (no tracing, no uploads) and every agent pointed at the bundled model. Each
test uses its own tenant, so the targets one test puts never reach another's runs.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from dev_server import DevServerError, start_dev_server

from alu.matching import normalize

pytestmark = pytest.mark.slow

GRAPH_ID = "alu"
FLAGGED_QUERY = "Who wrote Pride and Prejudice?"
UNRELATED_QUERY = "What is the capital of France?"
JANE = {"name": "Jane Austen", "aliases": []}
RUN_TIMEOUT_S = 240.0


# -- the server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_server(local_model, tmp_path_factory):
    """``langgraph dev --no-browser --no-reload`` on a free port, stopped at teardown."""
    try:
        # The operator's policy for this server (without auth): callers choose their tenant
        # (each test uses its own) and k is 2 (the bundled model is slow); a run's context
        # may only repeat or tighten it.
        policy = {"ALU_ALLOW_CALLER_TENANT": "1", "ALU_K": "2"}
        server = start_dev_server(local_model.environment(), tmp_path_factory.mktemp("langgraph-dev"), policy)
    except DevServerError as exc:
        pytest.fail(str(exc))
    with server:
        yield server


@pytest.fixture(scope="module")
def client(dev_server):
    from langgraph_sdk import get_sync_client

    return get_sync_client(url=dev_server.url, api_key=None, timeout=httpx.Timeout(RUN_TIMEOUT_S, connect=5.0))


@pytest.fixture
def tenant(client):
    """A fresh tenant; its targets are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    namespace = ["alu", name, "targets"]
    for item in client.store.search_items(namespace, limit=100)["items"]:
        client.store.delete_item(namespace, key=item["key"])


def run_wait(client, dev_server, input: dict, **context) -> dict:
    """A stateless ``/runs/wait``; fails with the server log when the run errored."""
    result = client.runs.wait(None, GRAPH_ID, input=input, context=context or None, raise_error=False)
    assert isinstance(result, dict) and "__error__" not in result and "audit" in result, (
        f"run failed: {json.dumps(result, default=str)[:2000]}\n{dev_server.log_tail()}"
    )
    return result


def _describe(result: dict) -> str:
    audit = result.get("audit", {})
    return json.dumps(
        {
            "answer": result.get("answer"),
            "decision": audit.get("decision"),
            "flagged": audit.get("flagged"),
            "error": audit.get("error"),
        },
        ensure_ascii=False,
    )


# -- the tests --------------------------------------------------------------------------


def test_graph_is_listed_with_its_schemas(client):
    assistants = client.assistants.search(graph_id=GRAPH_ID)
    assert assistants, f"graph {GRAPH_ID!r} is not listed; all: {client.assistants.search()}"
    assistant = assistants[0]
    assert assistant["graph_id"] == GRAPH_ID

    schemas = client.assistants.get_schemas(assistant["assistant_id"])
    for kind in ("input_schema", "output_schema", "context_schema"):
        assert schemas.get(kind), f"{kind} is not exposed: {schemas.get(kind)!r}"
    input_props = schemas["input_schema"]["properties"]
    output_props = schemas["output_schema"]["properties"]
    context_props = schemas["context_schema"]["properties"]
    assert {"query", "messages"} <= set(input_props), sorted(input_props)
    assert {"answer", "audit"} <= set(output_props), sorted(output_props)
    assert {"k", "tenant"} <= set(context_props), sorted(context_props)
    # internal state is not part of what a caller passes or gets back
    for internal in ("draft", "ratings", "flagged", "question"):
        assert internal not in input_props and internal not in output_props, internal


def test_runs_wait_answers_an_unrelated_query(client, dev_server, tenant):
    result = run_wait(client, dev_server, {"query": UNRELATED_QUERY}, tenant=tenant, k=2)
    audit = result["audit"]
    assert audit["decision"] == "passthrough", _describe(result)
    assert audit["flagged"] == [] and audit["error"] is None, _describe(result)
    assert audit["calls"] == 1, _describe(result)
    assert result["answer"].strip(), _describe(result)
    assert set(result) <= {"answer", "audit", "messages"}, f"internal state returned: {sorted(result)}"


def test_target_put_over_the_api_is_honoured_per_tenant_until_deleted(client, dev_server, tenant):
    namespace = ["alu", tenant, "targets"]
    client.store.put_item(namespace, key="jane-austen", value=JANE)

    flagged = run_wait(client, dev_server, {"query": FLAGGED_QUERY}, tenant=tenant, k=2)
    audit = flagged["audit"]
    assert [f["source"] for f in audit["flagged"]] == ["match"], _describe(flagged)
    assert audit["decision"] in ("rewritten", "refused"), _describe(flagged)
    assert "austen" not in normalize(flagged["answer"]), _describe(flagged)

    # Another tenant, same query: its registry is empty, so the draft — which named her,
    # or the first run would not have been flagged by the matcher — passes through.
    other = run_wait(client, dev_server, {"query": FLAGGED_QUERY}, tenant=f"{tenant}-other", k=2)
    assert other["audit"]["flagged"] == [], _describe(other)
    assert other["audit"]["decision"] == "passthrough", _describe(other)
    assert "austen" in normalize(other["answer"]), (
        "the same draft should pass through unredacted for a tenant without the target: " + _describe(other)
    )

    client.store.delete_item(namespace, key="jane-austen")
    after = run_wait(client, dev_server, {"query": FLAGGED_QUERY}, tenant=tenant, k=2)
    assert after["audit"]["flagged"] == [], _describe(after)
    assert after["audit"]["decision"] == "passthrough", _describe(after)


def test_chat_input_gets_the_answer_appended(client, dev_server, tenant):
    messages = [{"role": "user", "content": UNRELATED_QUERY}]
    result = run_wait(client, dev_server, {"messages": messages}, tenant=tenant, k=2)
    assert result["audit"]["decision"] == "passthrough", _describe(result)
    out = result["messages"]
    assert [m["type"] for m in out] == ["human", "ai"], out
    assert out[0]["content"] == UNRELATED_QUERY
    assert out[-1]["content"] == result["answer"] and result["answer"].strip(), out


# -- streaming ----------------------------------------------------------------------------

# The SDK's StreamMode values. "messages-tuple" comes back as event "messages" ([chunk,
# metadata]); "messages" as "messages/partial", "messages/complete" and
# "messages/metadata". Requesting "events" also widens what "values" and "updates" carry:
# with it the server streams every state channel, not just the output schema's keys.
CLIENT_STREAM_MODES = ["values", "updates", "messages", "messages-tuple", "custom"]
DEBUG_STREAM_MODES = ["values", "events", "debug", "tasks", "checkpoints"]


def _is_flag_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and {"id", "name"} <= set(v) for v in value)


def _without_final_audit_flags(data):
    """``data`` without the lists of flagged-target records (the audit's ``flagged``, and
    in the debug modes the internal ``flagged`` state and task payloads): they name the
    target by design. Everything else — the draft, rewrites, prompts, critiques, other
    state — is kept, so any mention of the target there is a leak."""
    if isinstance(data, dict):
        return {
            key: _without_final_audit_flags(value)
            for key, value in data.items()
            if not (key == "flagged" and _is_flag_list(value))
        }
    if isinstance(data, list):
        return [_without_final_audit_flags(item) for item in data]
    return data


def _message_texts(events: list[tuple[str, object]]) -> dict[str, dict]:
    """Every message streamed in the messages modes: id → {text, node}."""
    texts: dict[str, dict] = {}
    for event, data in events:
        if event == "messages":  # messages-tuple: [chunk, metadata]; chunks are deltas
            chunk, metadata = data
            entry = texts.setdefault(chunk.get("id") or "?", {"text": "", "node": None})
            content = chunk.get("content")
            entry["text"] += content if isinstance(content, str) else json.dumps(content)
            entry["node"] = (metadata or {}).get("langgraph_node")
        elif event in ("messages/partial", "messages/complete"):  # accumulated messages
            for message in data:
                entry = texts.setdefault(f"{message.get('id')}", {"text": "", "node": None})
                content = message.get("content")
                entry["text"] = content if isinstance(content, str) else json.dumps(content)
    return texts


def stream_flagged_run(client, dev_server, tenant: str, modes: list[str]) -> tuple[list, dict]:
    """Put the target, stream the flagged query in ``modes``; every event and the final
    values. Checks the run was flagged by the matcher: the query does not name her, so
    the hidden draft did, and any leak of the draft would show "austen"."""
    client.store.put_item(["alu", tenant, "targets"], key="jane-austen", value=JANE)
    events: list[tuple[str, object]] = []
    for part in client.runs.stream(
        None, GRAPH_ID, input={"query": FLAGGED_QUERY}, context={"tenant": tenant, "k": 2}, stream_mode=modes
    ):
        events.append((part.event, part.data))
    errors = [data for event, data in events if event == "error"]
    assert not errors, f"the run failed: {errors}\n{dev_server.log_tail()}"
    finals = [data for event, data in events if event == "values" and isinstance(data, dict) and "audit" in data]
    assert finals, f"no final values event; got {sorted({e for e, _ in events})}"
    final = finals[-1]
    assert len(final["audit"]["flagged"]) == 1, _describe(final)
    assert final["audit"]["flagged"][0]["source"] == "match", _describe(final)
    assert final["audit"]["decision"] in ("rewritten", "refused"), _describe(final)
    assert "austen" not in normalize(final["answer"]), _describe(final)
    return events, final


def assert_target_never_streamed(events: list[tuple[str, object]]) -> None:
    """Outside the audit's list of flagged targets, no event names her: not the draft,
    not a rewrite, not a critique, not a prompt, not internal state."""
    leaks: dict[str, list[str]] = {}
    for event, data in events:
        text = normalize(json.dumps(_without_final_audit_flags(data), ensure_ascii=False))
        at = text.find("austen")
        if at >= 0:
            leaks.setdefault(event.split("/")[0], []).append(f"…{text[max(0, at - 160) : at + 60]}…")
    assert not leaks, "streamed events name the target outside audit.flagged, per mode:\n" + "\n".join(
        f"[{mode}] {len(found)} event(s), e.g. {found[0]}" for mode, found in sorted(leaks.items())
    )


def assert_not_failed_by_streaming(final: dict) -> None:
    """A streamed run must end as a non-streamed one does (those do not fail closed on
    this query): streaming must not change how the agents' model calls are made."""
    error = final["audit"]["error"]
    assert error is None, (
        f"the streamed run failed closed at stage {error['stage']!r} ({error['type']}: {error['message'][:300]});"
        " the same query via /runs/wait completes: internal model calls must not stream"
    )


def test_streaming_a_flagged_query_never_shows_the_draft_or_the_target(client, dev_server, tenant):
    events, final = stream_flagged_run(client, dev_server, tenant, CLIENT_STREAM_MODES)
    assert_target_never_streamed(events)
    # For a flagged query every model call (draft, judge, rewrites, critiques,
    # composition) is internal: the only message a client may see is the final answer.
    internal = {
        mid: entry
        for mid, entry in _message_texts(events).items()
        if entry["text"].strip() and entry["text"].strip() != final["answer"].strip()
    }
    assert not internal, f"messages modes streamed internal model output: {internal}"
    assert_not_failed_by_streaming(final)


def test_debug_stream_modes_never_show_the_draft_or_the_target(client, dev_server, tenant):
    # events, debug, tasks and checkpoints are open to any client of the server too
    events, final = stream_flagged_run(client, dev_server, tenant, DEBUG_STREAM_MODES)
    assert_target_never_streamed(events)
    assert_not_failed_by_streaming(final)


def test_a_thread_on_the_bundled_model(client, dev_server, tenant):
    """Three turns on one server thread with the real model: every turn decided alone, no
    error carried over, the newest question answered."""
    client.store.put_item(["alu", tenant, "targets"], key="jane-austen", value=JANE)
    thread = client.threads.create()["thread_id"]
    decisions = []
    for question in (UNRELATED_QUERY, FLAGGED_QUERY, UNRELATED_QUERY):
        out = client.runs.wait(
            thread, GRAPH_ID, input={"messages": [{"role": "user", "content": question}]},
            context={"tenant": tenant, "k": 2}, raise_error=False,
        )  # fmt: skip
        assert isinstance(out, dict) and "audit" in out, f"{out}\n{dev_server.log_tail()}"
        assert out["audit"]["error"] is None, _describe(out)
        assert out["messages"][-2]["content"] == question
        assert "Austen" not in out["answer"]
        decisions.append(out["audit"]["decision"])
    assert decisions[1] in ("rewritten", "refused") and len(out["messages"]) == 6
