"""Warming the model clients at build time (``warm=True`` / ``ALU_WARM_MODELS``): the
first ``init_chat_model`` of a process imports the provider package, about 2.4 s that
would otherwise land on the first query."""

from __future__ import annotations

import pytest

from alu import Context, InvalidContextError, build_graph
from alu.graph import models as models_module
from alu.graph.models import Models


def test_warm_makes_every_agents_client_once_and_runs_reuse_them(monkeypatch):
    """With a counting stand-in for ``init_chat_model`` (no model is called): warming
    makes one client per distinct (model, temperature), and the nodes' later ``get``
    with the same settings makes none."""
    made: list[tuple[str, float]] = []
    real_init = models_module._init

    def counting_init(spec, temperature, context):
        made.append((spec, temperature))
        return real_init(spec, temperature, context)

    monkeypatch.setattr(models_module, "_init", counting_init)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unit-test-never-sent")
    context = Context(model="openai:gpt-4o-mini", eraser_model="openai:gpt-4.1-nano")
    bound = Models()
    bound.warm(context)
    expected = {
        ("openai:gpt-4o-mini", context.vanilla_temperature),
        ("openai:gpt-4o-mini", context.judge_temperature),
        ("openai:gpt-4o-mini", context.composer_temperature),
        ("openai:gpt-4.1-nano", context.eraser_temperature),
    }
    assert set(made) == expected and len(made) == len(expected)
    for agent, temperature in [("vanilla", context.vanilla_temperature), ("critic", context.judge_temperature)]:
        bound.get(agent, context, temperature)
    assert len(made) == len(expected)  # nothing new on a run's path


def test_warm_build_reports_a_model_that_cannot_be_made_at_build_time(monkeypatch):
    """Warming is explicit, so a misconfigured model fails the build with the usual clear
    error instead of the first query."""
    monkeypatch.setenv("ALU_MODEL", "no-such-provider-xyz:some-model")
    with pytest.raises(InvalidContextError, match="no-such-provider-xyz"):
        build_graph(warm=True)
    build_graph()  # without warm the build does not touch the model


def test_warm_build_turns_a_providers_own_error_into_a_clear_one(monkeypatch):
    """The provider refusing to make a client (here: no API key) is a configuration
    error at build time, naming the agent and the model."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("ALU_MODEL", "openai:gpt-4o-mini")
    with pytest.raises(InvalidContextError, match=r"vanilla: model 'openai:gpt-4o-mini' cannot be made"):
        build_graph(warm=True)


def test_warm_leaves_chat_model_objects_alone():
    """A chat model object given by the caller is used as is; warming makes nothing."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    fake = FakeListChatModel(responses=["x"])
    bound = Models(fake)
    bound.warm(Context())
    assert bound.get("eraser", Context(), 0.7)[0] is fake


def test_the_reply_cap_reaches_openai_compatible_servers_that_read_max_tokens(monkeypatch):
    """``langchain-openai`` sends the cap as ``max_completion_tokens``; llama.cpp's server
    (the bundled model) reads ``max_tokens``, so the graph's client sends both there (the
    request payload is built, nothing is sent)."""
    from langchain_core.messages import HumanMessage

    monkeypatch.setenv("OPENAI_API_KEY", "sk-unit-test-never-sent")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    context = Context(model="openai:local", max_tokens=77)
    model, _ = Models().get("vanilla", context, 0.0)
    sent = model._get_request_payload([HumanMessage("hi")])
    assert sent["max_completion_tokens"] == 77 and sent["extra_body"] == {"max_tokens": 77}
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")  # OpenAI itself: no extra body
    model, _ = Models().get("vanilla", context, 0.0)
    assert "extra_body" not in model._get_request_payload([HumanMessage("hi")])
