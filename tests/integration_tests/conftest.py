"""Integration tests run against the real bundled model (llama-cpp-python's server with
SmolLM2-135M-Instruct), started once per session on a free loopback port."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

# Replies of the bundled model in tests: a 135M model asked for 512 tokens often writes
# all of them, and every test only needs the first sentences (a draft that names the
# target, a rewrite, a verdict). The cap is what keeps CI inside its time budget; a run
# may raise it with ALU_TEST_MAX_TOKENS.
TEST_MAX_TOKENS = os.environ.get("ALU_TEST_MAX_TOKENS", "160")


@pytest.fixture(scope="session")
def local_model():
    """The bundled model server; skipped with the reason when it is not installed."""
    from alu.local_model import LocalModelError, LocalModelServer, bundled_model_path

    try:
        bundled_model_path()
        import llama_cpp.server  # noqa: F401
    except (LocalModelError, ImportError) as exc:
        pytest.skip(f"the bundled local model is not installed ({exc}); run `make test`")

    class CappedServer(LocalModelServer):
        def environment(self) -> dict[str, str]:
            return {**super().environment(), "ALU_MAX_TOKENS": TEST_MAX_TOKENS}

    server = CappedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def local_env(local_model, monkeypatch):
    """Point every agent of this process at the bundled model."""
    for key, value in local_model.environment().items():
        monkeypatch.setenv(key, value)
    return local_model.environment()


@pytest.fixture
def clean_env(tmp_path):
    """An environment with no model configured and a private target store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALU_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    env["ALU_STORE"] = str(tmp_path / "targets.sqlite")
    return env
