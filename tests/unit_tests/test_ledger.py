"""The forget-request ledger: every registry write path records who, when, what and the
registry version (Python API, CLI; the server's store API is tested on a real
``langgraph dev`` in tests/integration_tests/test_server_threads.py, PostgreSQL in
tests/integration_tests/test_postgres.py), and a run's operator audit names the version
it applied. Real stores (InMemoryStore, SqliteStore on a file); the graph runs with the
scripted chat model of test_threads (this tests the record, not a model)."""

from __future__ import annotations

import io
import json

import pytest
from langgraph.store.memory import InMemoryStore
from test_threads import thread_model

from alu import Context, TargetRegistry, create_alu_graph
from alu.cli import main
from alu.registry import export_jsonl, read_ledger
from alu.registry.backends import open_sqlite


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        yield InMemoryStore()
    else:
        with open_sqlite(tmp_path / "targets.sqlite") as store:
            yield store


def _version(store, tenant="default") -> str:
    return store.get(("alu", tenant, "meta"), "version").value["change"]


def test_every_python_write_is_recorded_with_who_when_what_and_version(store):
    registry = TargetRegistry(store, actor="dpo@example.org")
    registry.add("Jane Austen", aliases=["J. Austen"])
    v1 = _version(store)
    registry.add("Jane Austen", aliases=["Miss Austen"], keywords=["Emma"], actor="alice")
    v2 = _version(store)
    registry.add("J. Austen")  # the same target, nothing new
    registry.add_many(["Mark Twain", {"name": "Leo Tolstoy", "aliases": ["Lev Tolstoy"]}], actor="import-job")
    v4 = _version(store)
    registry.remove("Miss Austen", actor="bob")
    v5 = _version(store)
    rows = read_ledger(store)
    got = [(r["action"], r["target_id"], r["actor"], r["via"]) for r in rows]
    assert got == [
        ("add", "jane-austen", "dpo@example.org", "python"),
        ("alias", "jane-austen", "alice", "python"),
        ("unchanged", "jane-austen", "dpo@example.org", "python"),
        ("add", "mark-twain", "import-job", "python"),
        ("add", "leo-tolstoy", "import-job", "python"),
        ("remove", "jane-austen", "bob", "python"),
    ]
    assert rows[0]["registry_version"] == v1 and rows[1]["registry_version"] == v2
    assert rows[3]["registry_version"] == rows[4]["registry_version"] == v4 and rows[5]["registry_version"] == v5
    assert rows[0]["added"] == {"aliases": ["J. Austen"], "keywords": []}
    assert rows[1]["added"] == {"aliases": ["Miss Austen"], "keywords": ["Emma"]}
    assert rows[5]["aliases"] == ["J. Austen", "Miss Austen"]  # what was removed
    assert [r["registry_version"] for r in rows] == sorted(r["registry_version"] for r in rows)
    assert all(r["schema"] == 1 and r["at"].endswith("+00:00") for r in rows)
    assert [r["action"] for r in read_ledger(store, target="Miss Austen")] == ["alias", "unchanged", "remove"]
    assert [r["target_id"] for r in read_ledger(store, target="Lev Tolstoy")] == ["leo-tolstoy"]


def test_the_ledger_is_never_overwritten_and_exports_as_json_lines(store):
    registry = TargetRegistry(store)
    for _ in range(3):
        registry.add("Jane Austen")
        registry.remove("Jane Austen")
    assert [r["action"] for r in read_ledger(store)] == ["add", "remove"] * 3
    out = io.StringIO()
    assert export_jsonl(store, "default", out) == 6
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 6 and all(line["tenant"] == "default" and line["name"] == "Jane Austen" for line in lines)
    assert len({line["key"] for line in lines}) == 6


def test_tenants_have_ledgers_of_their_own(store):
    TargetRegistry(store, tenant="acme").add("Jane Austen")
    TargetRegistry(store, tenant="globex").add("Mark Twain")
    assert [r["name"] for r in read_ledger(store, "acme")] == ["Jane Austen"]
    assert [r["name"] for r in read_ledger(store, "globex")] == ["Mark Twain"]


def test_cli_writes_record_the_operator_and_history_and_export_read_them(tmp_path, capsys, monkeypatch):
    path = str(tmp_path / "t.sqlite")
    monkeypatch.delenv("ALU_ACTOR", raising=False)
    assert main(["targets", "add", "Jane Austen", "--alias", "J. Austen", "--store", path, "--actor", "dpo"]) == 0
    monkeypatch.setenv("ALU_ACTOR", "env-operator")
    names = tmp_path / "names.txt"
    names.write_text("Mark Twain\n", encoding="utf-8")
    assert main(["targets", "import", str(names), "--store", path]) == 0
    monkeypatch.delenv("ALU_ACTOR")
    assert main(["targets", "remove", "J. Austen", "--store", path]) == 0
    capsys.readouterr()
    assert main(["targets", "history", "--json", "--store", path]) == 0
    rows = json.loads(capsys.readouterr().out)
    from alu.registry.ledger import default_actor

    assert [(r["action"], r["actor"], r["via"]) for r in rows] == [
        ("add", "dpo", "cli"),
        ("add", "env-operator", "cli"),
        ("remove", default_actor(), "cli"),
    ]
    assert main(["targets", "history", "Jane Austen", "--store", path]) == 0
    text = capsys.readouterr().out.splitlines()
    assert len(text) == 2 and "\tadd\tjane-austen\tJane Austen" in text[0] and "by dpo (cli)" in text[0]
    out = tmp_path / "ledger.jsonl"
    assert main(["targets", "export", "--out", str(out), "--store", path]) == 0
    assert [json.loads(line)["action"] for line in out.read_text().splitlines()] == ["add", "add", "remove"]


def test_the_operators_audit_names_the_registry_version_the_run_applied(store):
    registry = TargetRegistry(store)
    registry.add("Jane Austen", aliases=["J. Austen"])
    graph = create_alu_graph(thread_model(), store=store)
    operator = Context(audit_view="operator")
    first = graph.invoke({"query": "Who wrote Pride and Prejudice?"}, context=operator)
    assert first["audit"]["registry_version"] == _version(store) == read_ledger(store)[-1]["registry_version"]
    caller = graph.invoke({"query": "Who wrote Pride and Prejudice?"})
    assert "registry_version" not in caller["audit"]  # a change would tell a caller the list changed
    registry.add("Mark Twain")
    later = graph.invoke({"query": "What is the capital of France?"}, context=operator)
    assert later["audit"]["decision"] == "passthrough"
    assert later["audit"]["registry_version"] == _version(store) > first["audit"]["registry_version"]
    # an auditor's question: was each ledger entry in force for that run?
    applied = [r["registry_version"] <= later["audit"]["registry_version"] for r in read_ledger(store)]
    assert applied == [True, True]


def test_a_part_written_through_the_store_api_is_an_alias_change_of_its_target():
    """The server's auth handler records a part's put/delete (``("alu", tenant, "parts",
    id)``) as an alias change of the target it belongs to, with what it added."""
    from alu.registry.ledger import server_entry

    common = {"actor": "admin", "registry_version": "v1", "ts": 1764600000.0, "token": "a" * 32}
    ns, key, put = server_entry(
        "acme",
        action="put",
        key="p1",
        value={"aliases": ["J. A.", 3], "keywords": ["novels"]},
        part_of="jane",
        **common,
    )
    assert ns == ("alu", "acme", "ledger") and key.endswith("-000000")
    assert (put["action"], put["target_id"], put["part"], put["via"]) == ("alias", "jane", "p1", "server")
    assert put["added"] == {"aliases": ["J. A."], "keywords": ["novels"]} and put["aliases"] == []
    _, _, gone = server_entry("acme", action="delete", key="p1", value=None, part_of="jane", **common)
    assert (gone["action"], gone["target_id"], gone["removed_part"]) == ("alias", "jane", "p1")
    _, _, target = server_entry("acme", action="put", key="jane", value={"name": "Jane Austen"}, **common)
    assert (target["action"], target["target_id"], target["name"]) == ("add", "jane", "Jane Austen")
    assert "part" not in target
