"""PostgreSQL as the shared store, on a real throwaway server (``tests/pg_server.py``:
initdb in a temporary directory as the ``postgres`` user, a free loopback port).

Skipped, with the reason, only where PostgreSQL cannot be had (not installed; root with
no unprivileged user to run it as). ``.ci/run`` installs it from Debian's packages.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import pg_server
import pytest
from cryptography.fernet import Fernet
from langgraph.store.base import PutOp

from alu.domain import Target
from alu.registry import TargetRegistry, bump_version, shortlist
from alu.registry.backends import StoreConnectionError, open_async_postgres, open_postgres, open_store

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(bool(pg_server.unavailable()), reason=pg_server.unavailable() or "")


@pytest.fixture(scope="module")
def postgres():
    with pg_server.ThrowawayPostgres() as server:
        yield server


@pytest.fixture
def tenant() -> str:
    return "t" + uuid.uuid4().hex[:10]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALU_", "OPENAI_", "PG"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), env.get("PYTHONPATH", "")])
    return {**env, **extra}


def _alu(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alu.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _direct(store, tenant: str, text: str) -> set[str]:
    return {m.target_id for m in shortlist(text, store=store, tenant=tenant).direct}


# -- the CLI ---------------------------------------------------------------------------


def test_cli_stores_in_postgresql_by_flag_and_by_env(postgres, tenant, tmp_path):
    env = _env()
    added = _alu("targets", "add", "Jane Austen", "--alias", "J. Austen", "--store", postgres.url, "--tenant", tenant,
                 env=env, cwd=tmp_path)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert not (tmp_path / "postgresql:").exists() and list(tmp_path.iterdir()) == []  # no SQLite folder
    # credentials from the environment: a URL without the password, PGPASSWORD set
    listed = _alu("targets", "list", "--json", "--tenant", tenant, env={**env, "ALU_STORE": postgres.url_without_password,
                  "PGPASSWORD": postgres.password}, cwd=tmp_path)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert [t["name"] for t in json.loads(listed.stdout)] == ["Jane Austen"]
    with open_store(postgres.url) as store:
        assert TargetRegistry(store, tenant=tenant).get("J. Austen").id == "jane-austen"


def test_connection_errors_are_actionable_and_never_echo_the_password(postgres, tmp_path):
    wrong = postgres.url.replace(postgres.password, "Sup3r-s3cret-pw")
    done = _alu("targets", "list", "--store", wrong, env=_env(), cwd=tmp_path)
    assert done.returncode == 1
    assert "password authentication failed" in done.stderr and "PGPASSWORD" in done.stderr
    assert "Sup3r-s3cret-pw" not in done.stderr + done.stdout
    closed = f"postgresql://alu:Sup3r-s3cret-pw@127.0.0.1:{pg_server._free_port()}/alu"
    done = _alu("targets", "list", "--store", closed, env=_env(), cwd=tmp_path)
    assert done.returncode == 1 and "is PostgreSQL running" in done.stderr
    assert "Sup3r-s3cret-pw" not in done.stderr
    with pytest.raises(StoreConnectionError) as caught, open_store(postgres.url.rsplit("/", 1)[0] + "/nodb"):
        pass
    assert "createdb" in str(caught.value) and postgres.password not in str(caught.value)


# -- merge-safe writes, ids -----------------------------------------------------------


def test_twelve_threads_adding_aliases_to_one_target_keep_them_all(postgres, tenant):
    with open_postgres(postgres.url, max_size=12) as (store, _):
        TargetRegistry(store, tenant=tenant).add("Jane Austen")
        barrier = threading.Barrier(12)

        def add(i: int) -> None:
            barrier.wait()
            TargetRegistry(store, tenant=tenant).add("Jane Austen", aliases=[f"Austen{chr(97 + i)} Writer"])

        threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        jane = TargetRegistry(store, tenant=tenant).get("Jane Austen")
        assert {f"Austen{chr(97 + i)} Writer" for i in range(12)} <= set(jane.aliases)


def test_eight_processes_adding_and_removing_lose_nothing(postgres):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from postgres_shared import bench_writers

    report = bench_writers(postgres.url, processes=8, targets=12)
    print(report)
    assert report["nothing_lost"], report


def test_names_that_collided_in_0_1_0_get_distinct_ids_and_both_stay(postgres, tenant):
    with open_store(postgres.url) as store:
        registry = TargetRegistry(store, tenant=tenant)
        pairs = [("Александр Сергеевич Пушкин", "Александр Сергеевич Грибоедов"), ("Łukasz Nowak", "Ukasz Nowak")]
        for a, b in pairs:
            stored = registry.add_many([a, b])
            assert len({t.id for t in stored}) == 2
        assert {t.name for t in registry.list()} == {n for pair in pairs for n in pair}
        assert registry.check_ids() == []


def test_a_contested_legacy_id_stays_with_its_holder_and_is_reported(postgres, tenant):
    with open_store(postgres.url) as store:
        ns = ("alu", tenant, "targets")
        # 0.1.0 stored "Łukasz Nowak" under "ukasz-nowak", and merged "Ukasz Nowak" into it
        legacy = Target("Łukasz Nowak", aliases=("Ukasz Nowak",), id="ukasz-nowak")
        store.put(ns, "ukasz-nowak", legacy.to_value())
        bump_version(store, tenant)
        registry = TargetRegistry(store, tenant=tenant)
        (row,) = registry.check_ids()
        assert row["id"] == "ukasz-nowak" and row["kept_by"] == "Łukasz Nowak" and row["contested_by"] == "Ukasz Nowak"
        # a holder with no name in common keeps its id; the newcomer takes its 128-bit id
        store.put(ns, "mark-twain", Target("Samuel Clemens", id="mark-twain").to_value())
        bump_version(store, tenant)
        twain = registry.add("Mark Twain")
        assert twain.id.startswith("mark-twain--") and len(twain.id) == len("mark-twain--") + 32
        assert registry.get("mark-twain").name == "Samuel Clemens"
        assert store.get(ns, twain.id).value["id_format"] == 2


# -- across processes -----------------------------------------------------------------

_WATCHER = textwrap.dedent(
    """
    import json, sys, time
    from alu.registry import shortlist
    from alu.registry.backends import open_store
    url, tenant = sys.argv[1], sys.argv[2]
    with open_store(url) as store:
        shortlist("", store=store, tenant=tenant)  # a warm index, kept in step from now on
        print("ready", flush=True)
        for line in sys.stdin:
            found = shortlist(line.strip(), store=store, tenant=tenant)
            print(json.dumps(sorted(m.target_id for m in found.direct)), flush=True)
    """
)


def test_a_warm_index_in_another_process_follows_adds_removes_and_raw_puts(postgres, tenant):
    env = _env(ALU_RAW_WRITE_CHECK_S="0")
    watcher = subprocess.Popen(
        [sys.executable, "-c", _WATCHER, postgres.url, tenant],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert watcher.stdin is not None and watcher.stdout is not None
    try:
        assert watcher.stdout.readline().strip() == "ready"

        def ask(text: str) -> list[str]:
            watcher.stdin.write(text + "\n")
            watcher.stdin.flush()
            return json.loads(watcher.stdout.readline())

        with open_store(postgres.url) as store:
            registry = TargetRegistry(store, tenant=tenant)
            registry.add("Jane Austen")
            assert ask("Jane Austen wrote Emma.") == ["jane-austen"]
            registry.add("Jane Austen", aliases=["Miss Austen"])
            assert ask("Miss Austen wrote Emma.") == ["jane-austen"]
            registry.remove("Jane Austen")
            assert ask("Jane Austen wrote Emma.") == []
            # a raw put into a store that has a version item: noticed without bump_version
            store.put(("alu", tenant, "targets"), "mark-twain", Target("Mark Twain").to_value())
            assert ask("Mark Twain wrote Tom Sawyer.") == ["mark-twain"]
            store.batch([PutOp(("alu", tenant, "targets"), "mark-twain", None)])  # and a raw delete
            assert ask("Mark Twain wrote Tom Sawyer.") == []
    finally:
        watcher.stdin.close()
        watcher.wait(timeout=30)


# -- the graph on PostgreSQL: threads, async, sealing ---------------------------------


def _model():
    from scripted_model import scripted

    return scripted(
        vanilla="Pride and Prejudice was written by Jane Austen.",
        auditor={"referenced": []},
        eraser="Pride and Prejudice is an English novel.",
        critic={"rating": 5, "reason": "clean"},
        composer="Pride and Prejudice is an English novel of 1813.",
    )


def test_graph_with_postgres_store_and_saver_keeps_a_thread(postgres, tenant):
    from langchain_core.messages import HumanMessage

    from alu import Context, create_alu_graph

    with open_postgres(postgres.url) as (store, saver):
        TargetRegistry(store, tenant=tenant).add("Jane Austen")
        graph = create_alu_graph(_model(), store=store, checkpointer=saver)
        config = {"configurable": {"thread_id": uuid.uuid4().hex}}
        first = graph.invoke({"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, config,
                             context=Context(tenant=tenant, k=1, j=1))  # fmt: skip
        assert first["audit"]["decision"] != "passthrough" and "Austen" not in first["answer"]
        graph.invoke({"messages": [HumanMessage("And Emma?")]}, config, context=Context(tenant=tenant, k=1, j=1))
        assert len(graph.get_state(config).values["messages"]) == 4


def test_async_store_and_saver_on_the_async_path(postgres, tenant):
    from langchain_core.messages import HumanMessage

    from alu import Context, create_alu_graph

    async def main() -> dict:
        async with open_async_postgres(postgres.url) as (store, saver):
            await asyncio.to_thread(TargetRegistry(store, tenant=tenant).add, "Jane Austen")
            graph = create_alu_graph(_model(), store=store, checkpointer=saver)
            config = {"configurable": {"thread_id": uuid.uuid4().hex}}
            return await graph.ainvoke({"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, config,
                                       context=Context(tenant=tenant, k=1, j=1))  # fmt: skip

    out = asyncio.run(main())
    assert out["audit"]["decision"] != "passthrough" and "Austen" not in out["answer"]


_SEAL_WORKER = textwrap.dedent(
    """
    import sys, uuid
    from langchain_core.messages import HumanMessage
    from alu import Context, create_alu_graph
    from alu.graph.sealed import verify_shared_keys
    from alu.registry.backends import open_postgres
    from scripted_model import scripted
    url, tenant, thread, step = sys.argv[1:5]
    model = scripted(vanilla="Pride and Prejudice was written by Jane Austen.", auditor={"referenced": []},
                     eraser="Pride and Prejudice is an English novel.", critic={"rating": 5, "reason": "clean"},
                     composer="Pride and Prejudice is an English novel of 1813.")
    with open_postgres(url) as (store, saver):
        verify_shared_keys(store)
        config = {"configurable": {"thread_id": thread}}
        if step == "start":  # stop right after the vanilla draft was sealed into the checkpoint
            graph = create_alu_graph(model, store=store, checkpointer=saver, interrupt_after=["vanilla"])
            graph.invoke({"messages": [HumanMessage("Who wrote Pride and Prejudice?")]}, config,
                         context=Context(tenant=tenant, k=1, j=1))
            draft = graph.get_state(config).values.get("draft", "")
            print("sealed" if str(draft).startswith("alu-sealed:") else "not sealed: " + str(draft)[:40])
        else:  # another process resumes the thread: it must open the draft the first one sealed
            graph = create_alu_graph(model, store=store, checkpointer=saver)
            out = graph.invoke(None, config, context=Context(tenant=tenant, k=1, j=1))
            print(out["audit"]["decision"], "|", out["answer"])
    """
)


def test_a_thread_sealed_by_one_worker_is_resumed_by_another(postgres, tenant):
    with open_store(postgres.url) as store:
        TargetRegistry(store, tenant=tenant).add("Jane Austen")
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    thread = uuid.uuid4().hex

    def worker(step: str, keys: str | None) -> subprocess.CompletedProcess:
        env = _env(**({"ALU_STATE_KEYS": keys} if keys is not None else {}))
        return subprocess.run([sys.executable, "-c", _SEAL_WORKER, postgres.url, tenant, thread, step],
                              env=env, capture_output=True, text=True, timeout=180)  # fmt: skip

    first = worker("start", old)
    assert first.returncode == 0 and first.stdout.strip() == "sealed", first.stderr[-2000:]
    # a worker with a key the first cannot open is refused at start-up, with the reason
    odd = worker("resume", Fernet.generate_key().decode())
    assert odd.returncode != 0 and "workers would disagree" in odd.stderr
    # no key at all: refused too (each worker would have its own random key)
    none = worker("resume", None)
    assert none.returncode != 0 and "ALU_STATE_KEYS is not set" in none.stderr
    # rotation, step 1: the new key second; the old one still seals
    second = worker("resume", f"{old},{new}")
    assert second.returncode == 0, second.stderr[-2000:]
    decision, answer = second.stdout.strip().split(" | ", 1)
    assert decision != "passthrough" and "Austen" not in answer


# -- the forget-request ledger -----------------------------------------------------------


def test_ledger_records_python_and_cli_writes_in_postgresql(postgres, tenant, tmp_path):
    from alu.registry import read_ledger

    with open_postgres(postgres.url) as (store, _saver):
        registry = TargetRegistry(store, tenant=tenant, actor="dpo")
        registry.add("Jane Austen")
        registry.add("Jane Austen", aliases=["J. Austen"], actor="alice")
    env = _env()
    done = _alu("targets", "remove", "J. Austen", "--actor", "bob", "--store", postgres.url, "--tenant", tenant,
                env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    history = _alu("targets", "history", "--json", "--store", postgres.url, "--tenant", tenant, env=env, cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    rows = json.loads(history.stdout)
    assert [(r["action"], r["actor"], r["via"]) for r in rows] == [
        ("add", "dpo", "python"), ("alias", "alice", "python"), ("remove", "bob", "cli")
    ]  # fmt: skip
    with open_store(postgres.url) as store:
        assert read_ledger(store, tenant) == rows
        version = store.get(("alu", tenant, "meta"), "version").value["change"]
    assert rows[-1]["registry_version"] == version


# -- purge -------------------------------------------------------------------------------


def _every_row(url: str) -> bytes:
    """Every value of every table of the database, as bytes (bytea as is, the rest as text)."""
    import psycopg

    out = bytearray()
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    out += bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
    return bytes(out)


def test_purge_dry_run_then_purge_of_postgresql_checkpoints_leaves_nothing(postgres, tenant, tmp_path, monkeypatch):
    """In process (dry run) and by the CLI (the purge), with the workers' shared sealing
    key: the sealed draft and flags are opened, redacted and sealed again."""
    from langchain_core.messages import HumanMessage

    from alu import Context, create_alu_graph
    from alu.graph.purge import MARK, purge_target
    from alu.graph.sealed import reset_keys

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ALU_STATE_KEYS", key)
    reset_keys()
    with open_postgres(postgres.url) as (store, saver):
        TargetRegistry(store, tenant=tenant).add("Zelda Fitzgerald", aliases=["Z. Fitzgerald"])
        graph = create_alu_graph(_model(), store=store, checkpointer=saver)
        config = {"configurable": {"thread_id": f"purge-{tenant}"}}
        context = Context(tenant=tenant, k=1, j=1, audit_view="operator")
        graph.invoke({"messages": [HumanMessage("Tell me about Zelda Fitzgerald.")]}, config, context=context)
        graph.invoke({"messages": [HumanMessage("Was z. fitzgerald a writer?")]}, config, context=context)
        before = _every_row(postgres.url)
        assert b"Zelda Fitzgerald" in before and b"z. fitzgerald" in before
        dry = purge_target("Zelda Fitzgerald", store=store, checkpointer=saver, tenant=tenant, dry_run=True)
        assert dry.saver == "postgres" and dry.threads == [config["configurable"]["thread_id"]]
        assert dry.checkpoint_rows > 0 and _every_row(postgres.url) == before
    env = _env(ALU_STATE_KEYS=key)
    done = _alu("purge", "Z. Fitzgerald", "--store", postgres.url, "--tenant", tenant, "--actor", "dpo", "--vacuum",
                "--json", env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["checkpoint_rows"] == dry.checkpoint_rows and report["saver"] == "postgres"
    # other tests' threads in this database were sealed with other keys: counted, not opened
    assert report["sealed_unreadable"] == dry.sealed_unreadable
    # only the registry's own item, parts and ledger may still name her (she stays registered)
    with open_postgres(postgres.url) as (store, saver):
        graph = create_alu_graph(_model(), store=store, checkpointer=saver)
        state = graph.get_state(config).values
        assert state["messages"][0].content == f"Tell me about {MARK}."
        from alu.graph.flags import open_flags

        (flag,) = open_flags(state["flagged"])  # sealed: opened, redacted, sealed again (and still opens)
        assert flag["name"] == MARK and flag["id"] == MARK
        import psycopg

        with psycopg.connect(postgres.url) as conn:
            for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                raw = b"".join(
                    bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode()
                    for row in conn.execute(f'SELECT * FROM "{table}"') for v in row
                )  # fmt: skip
                assert b"Fitzgerald" not in raw and b"fitzgerald" not in raw, table
            kept = [r[0] for r in conn.execute("SELECT prefix FROM store WHERE value::text ILIKE '%fitzgerald%'")]
        assert set(kept) <= {f"alu.{tenant}.targets", f"alu.{tenant}.parts.zelda-fitzgerald", f"alu.{tenant}.ledger"}
    reset_keys()


def test_migrate_an_old_shaped_postgresql_store_twice(postgres, tenant):
    """Items as 0.1.0 wrote them (no id_format, no schema, no parts), put raw."""
    from alu.registry.upgrade import doctor, migrate

    with open_postgres(postgres.url) as (store, _saver):
        for name in ("Jane Austen", "Mark Twain"):
            key = name.lower().replace(" ", "-")
            store.put(("alu", tenant, "targets"), key, {"name": name, "aliases": [], "kind": "other",
                      "description": "", "keywords": [], "id": key, "created_at": "2026-11-24T00:00:00+00:00"})  # fmt: skip
        before = doctor(store, tenant)
        assert before.schemas == {"targets@1": 2} and len(before.without_ledger) == 2
        first = migrate(store, tenant)
        assert first.targets_rewritten == 2 and first.baseline_entries == 2
        assert migrate(store, tenant).changed == 0
        assert doctor(store, tenant).problems == 0
        assert {m.target_id for m in shortlist("Mark Twain wrote it", store=store, tenant=tenant).direct} == {
            "mark-twain"
        }


# -- the cap on flagged runs, shared through PostgreSQL --------------------------------

_FLAGGED_RUNS = textwrap.dedent(
    """
    import json, sys
    from scripted_model import scripted
    from alu import Context, create_alu_graph
    from alu.registry.backends import open_store

    url, tenant, scope, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    model = scripted(vanilla="Jane Austen wrote it.", auditor={"referenced": []}, eraser="A novel of 1813.",
                     critic={"rating": 5, "reason": "clean"})
    context = Context(tenant=tenant, k=1, flagged_per_minute=2, flagged_limit_scope=scope)
    with open_store(url) as store:
        graph = create_alu_graph(model, store=store)
        out = [graph.invoke({"query": "Who wrote Pride and Prejudice?"}, context=context)["audit"]
               for _ in range(runs)]
    print(json.dumps([[a["decision"], (a["error"] or {}).get("type")] for a in out]))
    """
)


def _flagged_runs(postgres, tenant: str, scope: str, runs: int) -> list[list]:
    """Run ``runs`` flagged questions in a new process (a scripted model: routing only)."""
    done = subprocess.run(
        [sys.executable, "-c", _FLAGGED_RUNS, postgres.url, tenant, scope, str(runs)],
        env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_flagged_cap_is_shared_by_processes_on_one_store_and_not_in_process_scope(postgres, tenant):
    with open_store(postgres.url) as store:
        TargetRegistry(store, tenant=tenant).add("Jane Austen")
    assert _flagged_runs(postgres, tenant, "store", 2) == [["rewritten", None], ["rewritten", None]]
    # another process, the same minute: the store's count holds (a minute boundary between the
    # two processes would reset it; the second process then starts a new minute)
    second = _flagged_runs(postgres, tenant, "store", 1)
    assert second in ([["refused", "FlaggedWorkLimitError"]], [["rewritten", None]])
    if second == [["rewritten", None]]:  # crossed a minute: the new minute's count is shared too
        assert _flagged_runs(postgres, tenant, "store", 2)[-1] == ["refused", "FlaggedWorkLimitError"]
    # the process scope counts in each process: a fresh process gets the whole cap again
    assert _flagged_runs(postgres, tenant, "process", 3) == [
        ["rewritten", None], ["rewritten", None], ["refused", "FlaggedWorkLimitError"]
    ]  # fmt: skip
