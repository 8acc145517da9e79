"""Model choice from the environment, and structured calls over real HTTP against a scripted fake server."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Literal

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from humangate.agents import models
from humangate.agents.models import (
    ModelConfig,
    StructuredResult,
    call_structured,
    make_chat_model,
    model_config_from_env,
)
from humangate.errors import ConfigError
from tests.fake_openai import (
    FakeOpenAI,
    bad_request,
    content,
    error,
    garbage,
    hang,
    iter_methods,
    rate_limited,
    server_error,
    tool_call,
)


class Verdict(BaseModel):
    """A small schema of the tests' own."""

    label: Literal["positive", "neutral", "negative"]
    confidence: float = Field(ge=0.0, le=1.0)


GOOD = '{"label": "negative", "confidence": 0.9}'
MESSAGES = [("system", "Classify the message."), ("human", "It broke after two days.")]


class Sleeps:
    """An injected sleep that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def chat(base_url: str, *, timeout: float = 10.0, max_tokens: int | None = None) -> BaseChatModel:
    cfg = ModelConfig(provider="openai", model="fake-model", base_url=base_url, timeout=timeout, max_tokens=max_tokens)
    model = make_chat_model(cfg)
    assert model is not None
    return model


def ask(
    fake: FakeOpenAI, sleeps: Sleeps, *, timeout: float = 10.0, max_attempts: int = 3, backoff_base: float = 0.5
) -> StructuredResult[Verdict]:
    model = chat(fake.base_url, timeout=timeout)
    result = call_structured(
        model, Verdict, MESSAGES, max_attempts=max_attempts, backoff_base=backoff_base, sleep=sleeps
    )
    assert fake.unused == 0, "the fake server's script was not used up"
    return result


# --- model_config_from_env -------------------------------------------------------------------------------


def test_public_surface() -> None:
    assert sorted(models.__all__) == [
        "DEFAULT_MODEL",
        "METHODS",
        "Method",
        "ModelConfig",
        "StructuredResult",
        "call_structured",
        "make_chat_model",
        "model_config_from_env",
    ]


def test_offline_when_no_endpoint_is_configured() -> None:
    cfg = model_config_from_env({})
    assert (cfg.provider, cfg.model) == ("offline", "offline")
    assert make_chat_model(cfg) is None


def test_an_endpoint_selects_chatopenai_with_the_default_model() -> None:
    cfg = model_config_from_env({"OPENAI_API_KEY": "sk-test-secret"})
    assert (cfg.provider, cfg.model, cfg.base_url, cfg.api_key) == ("openai", "gpt-4o-mini", None, "sk-test-secret")
    assert "sk-test-secret" not in repr(cfg)
    local = model_config_from_env({"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1", "HUMANGATE_MODEL": "smollm2"})
    assert (local.provider, local.model, local.base_url, local.api_key) == (
        "openai",
        "smollm2",
        "http://127.0.0.1:8080/v1",
        None,
    )


def test_model_flag_wins_over_the_environment() -> None:
    env = {"OPENAI_API_KEY": "sk-x", "HUMANGATE_MODEL": "gpt-4o"}
    assert model_config_from_env(env).model == "gpt-4o"
    assert model_config_from_env(env, model="gpt-4.1-mini").model == "gpt-4.1-mini"
    assert model_config_from_env(env, model="offline").provider == "offline"
    assert model_config_from_env({"OPENAI_API_KEY": "sk-x", "HUMANGATE_MODEL": "offline"}).provider == "offline"


def test_a_named_model_without_an_endpoint_says_how_to_fix_it() -> None:
    fix = "Set `OPENAI_API_KEY` or `OPENAI_BASE_URL`, or use `--model offline`."
    with pytest.raises(ConfigError, match="'gpt-4o' \\(--model\\)") as err:
        model_config_from_env({}, model="gpt-4o")
    assert fix in str(err.value)
    with pytest.raises(ConfigError, match="HUMANGATE_MODEL"):
        model_config_from_env({"HUMANGATE_MODEL": "gpt-4o"})


def test_tuning_comes_from_the_environment_and_is_checked() -> None:
    cfg = model_config_from_env({"HUMANGATE_MODEL_TIMEOUT": "2.5", "HUMANGATE_MODEL_ATTEMPTS": "5"})
    assert (cfg.timeout, cfg.max_attempts) == (2.5, 5)
    with pytest.raises(ConfigError, match="must be a number"):
        model_config_from_env({"HUMANGATE_MODEL_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="positive"):
        model_config_from_env({"HUMANGATE_MODEL_TIMEOUT": "0"})
    with pytest.raises(ConfigError, match="at least 1"):
        model_config_from_env({"HUMANGATE_MODEL_ATTEMPTS": "0"})
    assert model_config_from_env({}).max_tokens is None
    assert model_config_from_env({"HUMANGATE_MODEL_MAX_TOKENS": "256"}).max_tokens == 256


def test_chat_model_is_keyless_capable_and_leaves_retries_to_us() -> None:
    model = make_chat_model(model_config_from_env({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}))
    assert isinstance(model, ChatOpenAI)
    assert model.max_retries == 0 and model.temperature == 0 and model.request_timeout == 60.0
    assert model.openai_api_key is not None and model.openai_api_key.get_secret_value() == "none"  # type: ignore[union-attr]
    openai_proper = make_chat_model(
        model_config_from_env({"OPENAI_API_KEY": "sk-x", "HUMANGATE_MODEL_MAX_TOKENS": "99"})
    )
    assert isinstance(openai_proper, ChatOpenAI)
    assert openai_proper.max_tokens == 99 and openai_proper.extra_body is None


def test_a_compatible_server_gets_the_token_limit_in_the_field_it_reads(fake: FakeOpenAI) -> None:
    fake.script(content(GOOD))
    assert call_structured(chat(fake.base_url, max_tokens=64), Verdict, MESSAGES, sleep=Sleeps()).value is not None
    assert fake.requests[0]["max_tokens"] == 64 and "max_completion_tokens" not in fake.requests[0]


# --- call_structured over real HTTP ----------------------------------------------------------------------


def test_json_schema_answer_is_used_and_the_schema_is_sent(fake: FakeOpenAI) -> None:
    fake.script(content(GOOD))
    result = ask(fake, Sleeps())
    assert result.value == Verdict(label="negative", confidence=0.9)
    assert (result.failure, result.method, result.attempts) == (None, "json_schema", [])
    fmt = fake.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Verdict"
    assert set(fmt["json_schema"]["schema"]["properties"]) == {"label", "confidence"}


def test_rate_limit_is_retried_with_growing_backoff(fake: FakeOpenAI) -> None:
    fake.script(rate_limited(), rate_limited(), content(GOOD))
    sleeps = Sleeps()
    result = ask(fake, sleeps, max_attempts=3, backoff_base=0.5)
    assert result.value == Verdict(label="negative", confidence=0.9) and result.method == "json_schema"
    assert sleeps.delays == [0.5, 1.0]
    assert len(result.attempts) == 2
    assert all(a.startswith("json_schema: HTTP 429 from server") for a in result.attempts)
    assert result.attempts[1].endswith("retrying in 1 s")
    assert list(iter_methods(fake.requests)) == ["json_schema"] * 3


def test_retry_after_is_honoured_when_longer_than_the_backoff(fake: FakeOpenAI) -> None:
    fake.script(rate_limited(retry_after="7"), content(GOOD))
    sleeps = Sleeps()
    assert ask(fake, sleeps).value is not None
    assert sleeps.delays == [7.0]


def test_server_errors_exhaust_the_attempts_then_the_next_method_answers(fake: FakeOpenAI) -> None:
    fake.script(server_error(), server_error(), server_error(), tool_call(GOOD))
    sleeps = Sleeps()
    result = ask(fake, sleeps, max_attempts=3, backoff_base=0.25)
    assert result.value == Verdict(label="negative", confidence=0.9) and result.method == "function_calling"
    assert sleeps.delays == [0.25, 0.5]
    assert [a.split(";")[0] for a in result.attempts] == [
        "json_schema: HTTP 500 from server: The fake server had an internal error."
    ] * 3
    assert result.attempts[-1].endswith("gave up after 3 attempts")
    assert list(iter_methods(fake.requests)) == ["json_schema"] * 3 + ["function_calling"]
    tools = fake.requests[-1]["tools"]
    assert tools[0]["function"]["name"] == "Verdict"
    assert fake.requests[-1]["tool_choice"]["function"]["name"] == "Verdict"


def test_bad_request_moves_on_without_retrying(fake: FakeOpenAI) -> None:
    fake.script(bad_request(), tool_call(GOOD))
    sleeps = Sleeps()
    result = ask(fake, sleeps)
    assert result.value is not None and result.method == "function_calling"
    assert sleeps.delays == []
    assert result.attempts == ["json_schema: HTTP 400 from server: response_format must be text or json_object"]


def test_llama_cpp_style_500_for_response_format_is_not_retried(fake: FakeOpenAI) -> None:
    # llama-cpp-python's server answers a json_schema response_format with 500 and a validation message.
    message = "1 validation error: {'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text'\"}"
    fake.script(error(500, message), tool_call(GOOD))
    sleeps = Sleeps()
    result = ask(fake, sleeps)
    assert result.method == "function_calling" and sleeps.delays == []
    assert len(result.attempts) == 1 and "HTTP 500" in result.attempts[0] and "response_format" in result.attempts[0]


def test_garbage_and_malformed_json_fall_through_to_lenient_json_mode(fake: FakeOpenAI) -> None:
    chatty = f"Sure! Here is the JSON you asked for: {GOOD} Anything else?"
    fake.script(garbage(), content('{"label": "negative", "confidence": 0.9'), content(chatty))
    sleeps = Sleeps()
    result = ask(fake, sleeps)
    assert result.value == Verdict(label="negative", confidence=0.9) and result.method == "json_mode"
    assert sleeps.delays == []
    assert list(iter_methods(fake.requests)) == ["json_schema", "function_calling", "json_mode"]
    assert result.attempts[0].startswith("json_schema: the server's response was not a valid completion")
    assert result.attempts[1].startswith("function_calling: the reply held no complete JSON object")


def test_json_wrapped_in_prose_or_fences_is_recovered_from_any_method(fake: FakeOpenAI) -> None:
    fake.script(content(f"The verdict: {GOOD}."))
    first = ask(fake, Sleeps())
    assert first.value == Verdict(label="negative", confidence=0.9) and first.method == "json_schema"
    fake.script(bad_request(), content(f"```json\n{GOOD}\n```"))
    second = ask(fake, Sleeps())
    assert second.value == Verdict(label="negative", confidence=0.9) and second.method == "function_calling"


def test_wrong_shape_everywhere_is_a_failure_listing_every_attempt(fake: FakeOpenAI) -> None:
    fake.script(
        content('{"sentiment": "bad"}'),
        tool_call('{"label": "furious", "confidence": 3}'),
        content('{"answer": 42}'),
    )
    result = ask(fake, Sleeps())
    assert result.value is None and result.method is None
    assert result.failure is not None and result.failure.startswith("The model gave no usable Verdict in 3 requests")
    assert [a.split(":")[0] for a in result.attempts] == ["json_schema", "function_calling", "json_mode"]
    assert all("output failed validation" in a for a in result.attempts)
    assert "label: Input should be 'positive', 'neutral' or 'negative'" in result.attempts[1]
    assert "confidence: Input should be less than or equal to 1" in result.attempts[1]
    assert "label: Field required" in result.attempts[2]


def test_prose_without_json_is_reported_with_its_beginning(fake: FakeOpenAI) -> None:
    fake.script(content("I think the customer is unhappy."), content("No."), content("Still no JSON."))
    result = ask(fake, Sleeps())
    assert result.value is None
    assert (
        result.attempts[0]
        == "json_schema: the reply held no complete JSON object (it began 'I think the customer is unhappy.')"
    )


def test_a_hanging_server_times_out_within_a_bounded_time(fake: FakeOpenAI) -> None:
    fake.script(hang(10.0), hang(10.0))
    sleeps = Sleeps()
    started = time.monotonic()
    result = ask(fake, sleeps, timeout=0.5, max_attempts=2)
    elapsed = time.monotonic() - started
    assert result.value is None and result.unreachable
    # The same server answers every method: after its attempts time out, no other method is tried.
    assert len(result.attempts) == 2 and all("the request timed out" in a for a in result.attempts)
    assert list(iter_methods(fake.requests)) == ["json_schema", "json_schema"]
    assert sleeps.delays == [0.5]
    assert 2 * 0.5 <= elapsed < 2 * 0.5 + 3.0


def test_an_unreachable_server_is_a_failure_not_an_exception() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = call_structured(chat(f"http://127.0.0.1:{port}/v1"), Verdict, MESSAGES, max_attempts=2, sleep=Sleeps())
    assert result.value is None and result.unreachable and result.requests == 2
    assert len(result.attempts) == 2 and all("could not reach the server" in a for a in result.attempts)
    assert result.attempts[-1].endswith("gave up after 2 attempts")


def test_one_attempt_means_one_request_to_a_dead_server() -> None:
    """HUMANGATE_MODEL_ATTEMPTS=1 against a dead port: one request, no backoff, not nine."""
    cfg = model_config_from_env({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "HUMANGATE_MODEL_ATTEMPTS": "1"})
    model = make_chat_model(cfg)
    assert model is not None
    sleeps = Sleeps()
    result = call_structured(model, Verdict, MESSAGES, max_attempts=cfg.max_attempts, sleep=sleeps)
    assert result.requests == 1 and result.unreachable and sleeps.delays == []
    assert result.attempts == [result.attempts[0]] and result.attempts[0].endswith("gave up after 1 attempt")


def test_the_budget_bounds_the_whole_call_across_methods_and_retries(fake: FakeOpenAI) -> None:
    # Each method's answer is slow but within the per-request timeout; the budget is what ends the call.
    fake.script(hang(0.4), hang(0.4), hang(0.4))
    model = chat(fake.base_url, timeout=5.0)
    started = time.monotonic()
    result = call_structured(model, Verdict, MESSAGES, max_attempts=1, budget=1.0, sleep=Sleeps())
    elapsed = time.monotonic() - started
    assert result.value is None
    assert elapsed < 1.0 + 0.5, f"the call took {elapsed:.2f} s with a 1 s budget"
    assert result.attempts[-1].startswith("json_mode: the request timed out"), result.attempts


def test_a_request_gets_only_what_is_left_of_the_budget(fake: FakeOpenAI) -> None:
    fake.script(hang(10.0))
    model = chat(fake.base_url, timeout=30.0)
    started = time.monotonic()
    result = call_structured(model, Verdict, MESSAGES, budget=0.6, sleep=Sleeps())
    elapsed = time.monotonic() - started
    assert result.unreachable and result.requests == 1
    assert 0.5 <= elapsed < 2.0, f"a 0.6 s budget took {elapsed:.2f} s against a 30 s client timeout"


class Reply(BaseModel):
    """A schema with length limits, like SupportAnalysis."""

    text: str = Field(max_length=20)
    tags: list[str] = Field(max_length=2)


def test_tool_schemas_omit_length_limits_but_answers_are_still_checked(fake: FakeOpenAI) -> None:
    fake.script(
        bad_request(), tool_call('{"text": "' + "x" * 21 + '", "tags": []}'), content('{"text": "ok", "tags": ["a"]}')
    )
    result = call_structured(chat(fake.base_url), Reply, MESSAGES, sleep=Sleeps())
    assert result.value == Reply(text="ok", tags=["a"]) and result.method == "json_mode"
    assert "text: String should have at most 20 characters" in result.attempts[1]
    parameters = fake.requests[1]["tools"][0]["function"]["parameters"]
    assert set(parameters["properties"]) == {"text", "tags"}
    assert "maxLength" not in json.dumps(parameters) and "maxItems" not in json.dumps(parameters)
    assert fake.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["text"]["maxLength"] == 20
