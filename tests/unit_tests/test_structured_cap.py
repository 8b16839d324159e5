"""The reply cap of structured calls (judge verdicts, critiques): at least
``STRUCTURED_MIN_TOKENS`` whatever the answer's cap, on a copy of the model.

Uses real ``ChatOpenAI`` objects pointed at an unused loopback port (no request is sent:
only the payload they would send is read), and a scripted fake model for the case of a
model with no cap field. The bundled model's side is in
tests/integration_tests/test_local_model.py."""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI
from scripted_model import scripted

from alu.graph import models
from alu.graph.models import STRUCTURED_MIN_TOKENS

# building an OpenAI client probes a socket (refused here, and not needed: nothing is sent)
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket")


def _payload(model) -> dict:
    return model._get_request_payload([("user", "hi")])


def test_a_short_answer_cap_is_raised_for_structured_calls_on_a_copy():
    model = ChatOpenAI(
        model="m", api_key="k", base_url="http://127.0.0.1:9/v1", max_tokens=64, extra_body={"max_tokens": 64}
    )
    capped = models._with_structured_cap(model)
    assert capped is not model
    sent = _payload(capped)
    assert sent["max_completion_tokens"] == STRUCTURED_MIN_TOKENS
    assert sent["extra_body"]["max_tokens"] == STRUCTURED_MIN_TOKENS  # what llama.cpp's server reads
    original = _payload(model)  # the drafts keep the answer's cap
    assert original["max_completion_tokens"] == 64 and original["extra_body"] == {"max_tokens": 64}


@pytest.mark.parametrize("cap", [STRUCTURED_MIN_TOKENS, 1024, None])
def test_a_cap_at_least_the_minimum_or_none_is_left_alone(cap):
    model = ChatOpenAI(model="m", api_key="k", base_url="http://127.0.0.1:9/v1", max_tokens=cap)
    assert models._with_structured_cap(model) is model


def test_a_scripted_fake_model_without_a_cap_field_is_used_as_it_is():
    model = scripted(auditor={"referenced": []})
    assert models._with_structured_cap(model) is model
