"""LangSmith tracing, end to end: the real ``langsmith`` client posts to a loopback
collector (an HTTP server in the test that records what it receives), with the real
bundled model answering."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from langgraph.store.memory import InMemoryStore

from alu import Context, TargetRegistry, create_alu_graph

pytestmark = pytest.mark.slow

INFO = {
    "version": "0.10.0",
    "batch_ingest_config": {
        "use_multipart_endpoint": True,
        "size_limit": 100,
        "size_limit_bytes": 20_971_520,
        "scale_up_qsize_trigger": 1000,
        "scale_up_nthreads_limit": 16,
        "scale_down_nempty_trigger": 4,
    },
}


class Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[tuple[str, str, bytes]]] = []

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._reply(INFO)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        Collector.bodies.append((self.path, self.headers.get("content-type", ""), body))
        self._reply({})

    do_PATCH = do_POST


def runs_from(bodies) -> dict[str, dict]:
    """Merge every multipart part (post.<id>, patch.<id>, .extra, .inputs…) per run id."""
    runs: dict[str, dict] = defaultdict(dict)
    for _path, content_type, body in bodies:
        if not content_type.startswith("multipart/"):
            continue
        message = BytesParser(policy=HTTP).parsebytes(b"content-type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            _kind, _, rest = name.partition(".")
            run_id, _, field = rest.partition(".")
            value = json.loads(part.get_payload(decode=True))
            if field:
                runs[run_id][field] = {**runs[run_id].get(field, {}), **value} if isinstance(value, dict) else value
            else:
                extra = {**runs[run_id].get("extra", {}), **(value.pop("extra", None) or {})}
                runs[run_id].update(value)
                runs[run_id]["extra"] = extra
    return runs


@pytest.fixture(scope="module")
def collector():
    """One collector per module: the langsmith client is cached with its endpoint."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    from langsmith import utils

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANGSMITH_TRACING", "true")
        patch.setenv("LANGSMITH_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        patch.setenv("LANGSMITH_API_KEY", "test-key")
        patch.setenv("LANGSMITH_PROJECT", "alu-tests")
        utils.get_env_var.cache_clear()
        yield Collector
    server.shutdown()
    utils.get_env_var.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_bodies():
    Collector.bodies = []


def _trace(graph, payload, context):
    from langchain_core.tracers.langchain import wait_for_all_tracers

    out = graph.invoke(payload, context=context)
    wait_for_all_tracers()
    return out, runs_from(Collector.bodies)


def by_name(runs: dict[str, dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for run in runs.values():
        if "name" in run:
            grouped[run["name"]].append(run)
    return grouped


def metadata(run: dict) -> dict:
    return run.get("extra", {}).get("metadata", {})


def test_flagged_run_tree_names_every_agent_with_tenant_flags_and_decision(local_env, collector):
    store = InMemoryStore()
    TargetRegistry(store, tenant="acme").add("Jane Austen")
    graph = create_alu_graph(store=store)
    # every rewrite rated (no early exit), so that each of the k has its eraser and critic run
    context = Context(k=2, tenant="acme", early_exit=False)
    out, runs = _trace(graph, {"query": "Who wrote Pride and Prejudice?"}, context)
    assert out["audit"]["flagged"], "the bundled model names Jane Austen in its draft"
    names = by_name(runs)
    assert len(names["alu"]) == 1 and names["alu"][0].get("parent_run_id") is None
    assert len(names["vanilla"]) == 1 and len(names["auditor"]) == 1
    assert len(names["eraser"]) == 2 and len(names["critic"]) == 2
    assert len(names["eraser_model"]) == 2 and len(names["critic_model"]) == 2
    # the rewrites and critiques are the composer's child runs, each model call under its own
    composer_id = names["composer"][0]["id"]
    assert {r.get("parent_run_id") for r in names["eraser"] + names["critic"]} == {composer_id}
    assert all(metadata(r)["alu_agent"] in ("eraser", "critic") for r in names["eraser"] + names["critic"])
    parents = {r["id"] for r in names["eraser"]}
    assert {r.get("parent_run_id") for r in names["eraser_model"]} == parents
    auditor = metadata(names["auditor"][0])
    assert auditor["alu_tenant"] == "acme" and auditor["alu_flagged"] == ["jane-austen"]
    assert metadata(names["intake"][0])["alu_tenant"] == "acme"
    final = names["composer"][0]
    assert metadata(final)["alu_decision"] == out["audit"]["decision"]
    assert f"alu:{out['audit']['decision']}" in final.get("tags", [])
    assert all("nostream" in r.get("tags", []) for r in names["vanilla_model"] + names["eraser_model"])


def test_unflagged_run_has_no_eraser_critic_or_composer_runs(local_env, collector):
    graph = create_alu_graph(store=InMemoryStore())
    out, runs = _trace(graph, {"query": "What is the capital of France?", "targets": ["Jane Austen"]}, Context(k=2))
    assert out["audit"]["decision"] == "passthrough"
    names = by_name(runs)
    assert {"alu", "vanilla", "auditor"} <= set(names)
    assert not {"eraser", "critic", "composer"} & set(names)
    assert metadata(names["auditor"][0])["alu_decision"] == "passthrough"


def test_no_tracing_when_not_configured(local_env, collector, monkeypatch):
    for key in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    from langsmith import utils

    utils.get_env_var.cache_clear()
    from langchain_core.tracers.langchain import wait_for_all_tracers

    out = create_alu_graph().invoke({"query": "What is 2 + 2?"}, context=Context(k=2))
    wait_for_all_tracers()
    utils.get_env_var.cache_clear()
    assert out["answer"] and Collector.bodies == []
