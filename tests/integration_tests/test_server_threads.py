"""Chat threads, tenants and policy on a real ``langgraph dev`` with ALU's custom auth
(``langgraph.auth.json``), driven through the SDK.

The model is a loopback OpenAI-compatible server with canned replies (tests/faulty_openai.py,
no faults) reached through ``langchain-openai``: what is tested is the server, the auth
handler, the thread state and the policy, fast and deterministically; the bundled model's
own run over a thread is ``test_a_thread_on_the_bundled_model``.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from dev_server import DevServerError, start_dev_server
from faulty_openai import FaultyOpenAI

pytestmark = pytest.mark.slow

GRAPH_ID = "alu"
TOKENS = {name: f"token-{name}-{uuid.uuid4().hex}" for name in ("alice", "admin", "bob", "operator")}
USERS = {
    "users": [
        {"identity": "alice", "token": TOKENS["alice"], "tenant": "acme", "permissions": []},
        {"identity": "admin", "token": TOKENS["admin"], "tenant": "acme", "permissions": ["alu:targets:write"]},
        {"identity": "bob", "token": TOKENS["bob"], "tenant": "globex", "permissions": ["alu:targets:read"]},
        {"identity": "operator", "token": TOKENS["operator"], "permissions": ["alu:operator"]},
    ]
}
ANSWERS = {
    "capital": "The capital of France is Paris.",
    "pride": "Pride and Prejudice was written by Jane Austen in 1813.",
    "weather": "It is sunny today.",
    "first name": "Her first name is Jane.",
    "surname": "Her surname is Austen.",
    "tom sawyer": "Tom Sawyer was written by Mark Twain.",
}
JANE = {"name": "Jane Austen", "aliases": ["J. Austen"], "keywords": ["Pride and Prejudice"]}


def vanilla_reply(record) -> str:
    question = str(record.body["messages"][-1]["content"]).lower()
    return next((a for k, a in ANSWERS.items() if k in question), "I do not know.")


@pytest.fixture(scope="module")
def model():
    with FaultyOpenAI(replies={"vanilla": vanilla_reply}) as server:
        yield server


@pytest.fixture(scope="module")
def dev_server(model, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("langgraph-auth")
    users = workdir / "users.json"
    users.write_text(json.dumps(USERS))
    env = {"ALU_MODEL": "openai:fast", "OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "x"}
    policy = {"ALU_AUTH_USERS": str(users), "ALU_K": "2"}
    try:
        server = start_dev_server(env, workdir, policy, config_file="langgraph.auth.json")
    except DevServerError as exc:
        pytest.fail(str(exc))
    with server:
        yield server


def client_for(dev_server, user: str | None):
    from langgraph_sdk import get_sync_client

    headers = {"Authorization": f"Bearer {TOKENS[user]}"} if user else {}
    return get_sync_client(url=dev_server.url, api_key=None, headers=headers, timeout=httpx.Timeout(120, connect=5))


@pytest.fixture(scope="module")
def jane(dev_server):
    """Jane Austen registered for tenant acme by the user allowed to write targets."""
    admin = client_for(dev_server, "admin")
    admin.store.put_item(["alu", "acme", "targets"], key="jane-austen", value=JANE)
    yield
    admin.store.delete_item(["alu", "acme", "targets"], key="jane-austen")


def ask(client, thread_id: str | None, question: str, **context) -> dict:
    return client.runs.wait(
        thread_id, GRAPH_ID, input={"messages": [{"role": "user", "content": question}]},
        context=context or None, raise_error=False,
    )  # fmt: skip


def test_without_a_token_every_request_is_refused(dev_server):
    with pytest.raises(httpx.HTTPStatusError) as caught:
        client_for(dev_server, None).threads.create()
    assert caught.value.response.status_code == 401


def test_one_thread_many_turns_each_decided_alone(dev_server, model, jane):
    alice = client_for(dev_server, "alice")
    thread = alice.threads.create()["thread_id"]
    turns = [
        ("What is the capital of France?", "passthrough"),
        ("Who wrote Pride and Prejudice?", "rewritten"),
        ("Who wrote Pride and Prejudice? Tell me again.", "rewritten"),
        ("What is the weather like?", "passthrough"),
        ("What is the capital of France, once more?", "passthrough"),
    ]
    for i, (question, decision) in enumerate(turns):
        out = ask(alice, thread, question)
        assert "__error__" not in out, f"{out}\n{dev_server.log_tail()}"
        assert out["audit"]["decision"] == decision, (question, out["audit"])
        assert out["audit"]["error"] is None, out["audit"]
        assert len(out["messages"]) == 2 * (i + 1)
        assert out["messages"][-2]["content"] == question
        assert "Austen" not in out["answer"]
        asked = [r for r in model.requests() if r.agent == "vanilla"][-1]
        assert asked.body["messages"][-1]["content"] == question  # the newest question answered
    state = alice.threads.get_state(thread)["values"]
    assert state["ratings"] == [] and state["errors"] == []  # nothing left for the next run


def test_a_name_split_over_two_turns_is_caught_at_the_second(dev_server, jane):
    alice = client_for(dev_server, "alice")
    thread = alice.threads.create()["thread_id"]
    first = ask(alice, thread, "What is the first name of the author?")
    assert first["audit"]["decision"] == "passthrough"
    second = ask(alice, thread, "And her surname?")
    assert second["audit"]["decision"] in ("rewritten", "refused"), second["audit"]
    assert "Austen" not in second["answer"]


def test_a_caller_cannot_pick_another_tenant_or_loosen_the_policy(dev_server, jane):
    alice = client_for(dev_server, "alice")
    for context, message in [
        ({"tenant": "nobody"}, "tenant is set by the operator"),
        ({"threshold": 1.0}, "threshold may only be raised"),
        ({"audit_mode": "match"}, "audit_mode may only be made stricter"),
        ({"model": "openai:other"}, "model is set by the operator"),
    ]:
        out = ask(alice, None, "Who wrote Pride and Prejudice?", **context)
        assert "__error__" in out, out
        assert message in out["__error__"]["message"], out
    # raising k is allowed; with early exit (the default) the composer stops once a rewrite
    # passes, so how many of the 3 rewrites were written depends on timing: between one and
    # three (the all-k count is checked with rewrites that never pass in test_policy.py)
    tighter = ask(alice, None, "Who wrote Pride and Prejudice?", k=3, threshold=4.5)
    assert "__error__" not in tighter, tighter
    erasers = [c for c in tighter["audit"]["call_log"] if c["agent"] == "eraser"]
    assert tighter["audit"]["decision"] in ("rewritten", "refused") and 1 <= len(erasers) <= 3, tighter["audit"]
    assert tighter["audit"]["calls"] >= 3  # the draft, a rewrite, its critique
    own = ask(alice, None, "Who wrote Pride and Prejudice?")
    assert own["audit"]["decision"] == "rewritten"  # alice's tenant (acme) applies
    other = ask(client_for(dev_server, "bob"), None, "Who wrote Pride and Prejudice?")
    assert other["audit"]["decision"] == "passthrough"  # globex registered no target


def test_only_permitted_users_touch_the_forget_list(dev_server):
    alice, admin, bob = (client_for(dev_server, u) for u in ("alice", "admin", "bob"))
    namespace = ["alu", "acme", "targets"]
    twain = {"name": "Mark Twain", "aliases": []}

    def status(call) -> int:
        try:
            call()
        except httpx.HTTPStatusError as exc:
            return exc.response.status_code
        return 200

    assert ask(alice, None, "Who wrote Tom Sawyer?")["audit"]["decision"] == "passthrough"
    assert status(lambda: alice.store.put_item(namespace, key="mark-twain", value=twain)) == 403
    assert status(lambda: alice.store.search_items(namespace)) == 403
    assert status(lambda: alice.store.get_item(namespace, key="jane-austen")) == 403
    assert status(lambda: bob.store.search_items(namespace)) == 403  # another tenant's list
    admin.store.put_item(namespace, key="mark-twain", value=twain)
    assert ask(alice, None, "Who wrote Tom Sawyer?")["audit"]["decision"] == "rewritten"  # the next run
    assert status(lambda: alice.store.delete_item(namespace, key="mark-twain")) == 403
    assert ask(alice, None, "Who wrote Tom Sawyer?")["audit"]["decision"] == "rewritten"  # still there
    listed = alice.store.list_namespaces()
    assert not any(ns and ns[0] == "alu" for ns in listed["namespaces"]), listed
    admin.store.delete_item(namespace, key="mark-twain")
    assert ask(alice, None, "Who wrote Tom Sawyer?")["audit"]["decision"] == "passthrough"


def test_threads_are_their_owners_and_assistants_the_operators(dev_server):
    alice, bob, operator = (client_for(dev_server, u) for u in ("alice", "bob", "operator"))
    thread = alice.threads.create()["thread_id"]
    ask(alice, thread, "What is the capital of France?")
    with pytest.raises(httpx.HTTPStatusError) as caught:
        bob.threads.get(thread)
    assert caught.value.response.status_code in (403, 404)
    assert thread not in {t["thread_id"] for t in bob.threads.search()}
    with pytest.raises(httpx.HTTPStatusError) as caught:
        alice.assistants.create(GRAPH_ID, context={"threshold": 1.0})
    assert caught.value.response.status_code == 403
    made = operator.assistants.create(GRAPH_ID, context={"k": 3}, name=f"strict-{uuid.uuid4().hex[:6]}")
    assert made["assistant_id"]


def test_store_api_writes_of_targets_are_in_the_ledger_with_who_wrote_them(dev_server):
    """A put/delete of a target or of one of its parts through the server's store API
    bypasses the registry: the auth handler records the ledger entry (the authenticated
    identity, via "server")."""
    alice, admin = (client_for(dev_server, u) for u in ("alice", "admin"))
    namespace, ledger = ["alu", "acme", "targets"], ["alu", "acme", "ledger"]
    key = f"ledger-{uuid.uuid4().hex[:8]}"
    with pytest.raises(httpx.HTTPStatusError):  # refused: not recorded either
        alice.store.put_item(namespace, key=key, value={"name": "Ledger Person"})
    admin.store.put_item(namespace, key=key, value={"name": "Ledger Person", "aliases": ["L. Person"]})
    part = ["alu", "acme", "parts", key]  # names added to the target in a part of their own
    admin.store.put_item(part, key="p1", value={"aliases": ["Lee Person"], "keywords": ["ledgers"], "ts": 1.0})
    admin.store.delete_item(part, key="p1")
    admin.store.delete_item(namespace, key=key)
    entries = [i["value"] for i in admin.store.search_items(ledger, limit=1000)["items"]]
    mine = sorted((e for e in entries if e.get("target_id") == key), key=lambda e: e["ts"])
    assert [(e["action"], e["actor"], e["via"]) for e in mine] == [
        ("add", "admin", "server"),
        ("alias", "admin", "server"),
        ("alias", "admin", "server"),
        ("remove", "admin", "server"),
    ]
    assert mine[0]["name"] == "Ledger Person" and mine[0]["aliases"] == ["L. Person"]
    assert mine[1]["added"] == {"aliases": ["Lee Person"], "keywords": ["ledgers"]} and mine[1]["part"] == "p1"
    assert mine[2]["removed_part"] == "p1"
    assert all(e["schema"] == 1 and e["at"] for e in mine)


def test_an_ordinary_word_target_put_over_http_is_refused_unless_opted_in(dev_server):
    """The server store path has the registry's rule: 422 naming the field, not the name."""
    admin = client_for(dev_server, "admin")
    namespace = ["alu", "acme", "targets"]
    with pytest.raises(httpx.HTTPStatusError) as caught:
        admin.store.put_item(namespace, key="the", value={"name": "the", "aliases": []})
    assert caught.value.response.status_code == 422
    assert "allow_ordinary_word" in caught.value.response.text
    assert all(item["key"] != "the" for item in admin.store.search_items(namespace, limit=100)["items"])
    admin.store.put_item(namespace, key="u2", value={"name": "U2", "aliases": [], "allow_ordinary_word": True})
    assert admin.store.get_item(namespace, key="u2")["value"]["name"] == "U2"
    admin.store.delete_item(namespace, key="u2")
