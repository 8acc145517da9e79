"""Structured calls against a real OpenAI-compatible server: llama-cpp-python serving SmolLM2-135M on 127.0.0.1.

The server is what ``OPENAI_BASE_URL`` points at for a keyless local model. It rejects ``json_schema``
response formats (HTTP 500), so these tests check that ``call_structured`` explains that and carries on.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field, model_validator

from humangate.agents.models import METHODS, ModelConfig, StructuredResult, call_structured, make_chat_model
from humangate.core.schemas import SupportAnalysis
from tests.llm_support import LlmServer, gguf, require_llama_cpp, tail

pytestmark = pytest.mark.timeout(600)

MESSAGE = "Your product broke after two days and support never answered. I want a refund."


class Verdict(BaseModel):
    """The sentiment of a customer's message."""

    label: Literal["positive", "neutral", "negative"]
    confidence: float = Field(ge=0.0, le=1.0)


class Impossible(BaseModel):
    """A schema no answer can satisfy."""

    label: str
    confidence: float

    @model_validator(mode="after")
    def _never(self) -> Impossible:
        raise ValueError("no answer can satisfy this schema")


def _ask(server: LlmServer, schema: type[BaseModel], system: str) -> StructuredResult[BaseModel]:
    # The token limit keeps a 135M model from rambling to the end of its context (~55 s) in json_mode.
    cfg = ModelConfig(provider="openai", model="smollm2", base_url=server.base_url, timeout=60.0, max_tokens=256)
    model = make_chat_model(cfg)
    assert model is not None
    messages = [("system", system), ("human", MESSAGE)]
    result = call_structured(model, schema, messages, max_attempts=2, sleep=lambda _s: None)
    print(f"\n{schema.__name__}: method={result.method} value={result.value!r}")  # shown with -s, for the record
    print("\n".join(f"  {line}" for line in result.attempts))
    assert server.process.poll() is None, f"The request crashed the llama.cpp server:\n{tail(server.log)}"
    return result


def _check_json_schema_was_refused_once(result: StructuredResult[BaseModel]) -> None:
    first = result.attempts[0]
    assert first.startswith("json_schema: HTTP 500 from server"), result.attempts
    assert "response_format" in first, first
    assert [a for a in result.attempts if a.startswith("json_schema")] == [first], "a refused format was retried"


def test_llama_cpp_python_is_installed() -> None:
    require_llama_cpp()
    assert gguf().name == "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_llama_cpp_is_built_without_avx512_or_amx() -> None:
    """A native build on a CPU with AMX or AVX-512 dies on its first completion; `make dev` builds portably."""
    require_llama_cpp()
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    used = {name for name, on in re.findall(r"(AVX512\w*|AMX\w*) = (\d)", info) if on == "1"}
    assert not used, f"llama.cpp was built with {sorted(used)}; rebuild it with `make dev` (see the Makefile).\n{info}"


def _post(server: LlmServer, body: dict[str, Any]) -> dict[str, Any]:
    """POST a chat completion; a server that dies on it fails the test with its exit code and log."""
    port = int(server.base_url.rsplit(":", 1)[1].split("/", 1)[0])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        status, payload = response.status, response.read()
    except OSError as exc:
        time.sleep(0.5)
        code = server.process.poll()
        pytest.fail(f"The llama.cpp server dropped the request ({exc!r}); exit code {code}:\n{tail(server.log)}")
    finally:
        conn.close()
    time.sleep(0.2)  # a crash while answering can land just after the last byte
    assert server.process.poll() is None, f"The llama.cpp server died answering:\n{tail(server.log)}"
    assert status == 200, payload[:2000]
    reply: dict[str, Any] = json.loads(payload)
    return reply


def test_a_plain_completion_leaves_the_server_running(llm_server: LlmServer) -> None:
    reply = _post(llm_server, {"messages": [{"role": "user", "content": MESSAGE}], "max_tokens": 24})
    message = reply["choices"][0]["message"]
    assert isinstance(message["content"], str) and message["content"].strip()


def test_a_function_call_leaves_the_server_running(llm_server: LlmServer) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "classify",
            "description": "Record the sentiment of the customer's message.",
            "parameters": {
                "type": "object",
                "properties": {"label": {"type": "string", "enum": ["positive", "neutral", "negative"]}},
                "required": ["label"],
            },
        },
    }
    body = {
        "messages": [{"role": "system", "content": "Classify the message."}, {"role": "user", "content": MESSAGE}],
        "tools": [tool],
        "tool_choice": {"type": "function", "function": {"name": "classify"}},
        "max_tokens": 64,
    }
    call = _post(llm_server, body)["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "classify"
    assert json.loads(call["arguments"])["label"] in ("positive", "neutral", "negative")


def test_a_small_schema_gets_a_value_or_an_explained_failure(llm_server: LlmServer) -> None:
    result = _ask(llm_server, Verdict, "Classify the sentiment of the customer's message as JSON.")
    _check_json_schema_was_refused_once(result)
    if result.value is None:
        assert result.failure is not None and result.method is None
        assert [a.split(":")[0] for a in result.attempts][-2:] == ["function_calling", "json_mode"]
    else:
        assert isinstance(result.value, Verdict) and result.failure is None
        assert result.method in METHODS[1:]


def test_support_analysis_neither_raises_nor_crashes_the_server(llm_server: LlmServer) -> None:
    # Sent as-is, SupportAnalysis's 10,000-character limit makes llama-cpp-python 0.3 segfault on the tool grammar.
    result = _ask(llm_server, SupportAnalysis, "Analyse the customer's message. Answer in JSON.")
    _check_json_schema_was_refused_once(result)
    assert (result.value is None) != (result.failure is None)
    if result.value is None:
        assert [a.split(":")[0] for a in result.attempts] == list(METHODS)
        assert not any("could not reach the server" in a for a in result.attempts), result.attempts


def test_an_impossible_schema_is_a_failure_not_an_exception(llm_server: LlmServer) -> None:
    result = _ask(llm_server, Impossible, "Describe the customer's message as JSON with a label and a confidence.")
    assert result.value is None and result.method is None
    assert result.failure is not None and result.failure.startswith("The model gave no usable Impossible")
    _check_json_schema_was_refused_once(result)
    assert [a.split(":")[0] for a in result.attempts] == list(METHODS)
    assert "no answer can satisfy this schema" in result.attempts[1], result.attempts


def test_a_run_with_the_small_model_ends_as_a_reviewable_item(llm_server: LlmServer, tmp_path: Path) -> None:
    """The whole path: planner-free outreach run, researcher on the real server, gate, queue."""
    from humangate import Orchestrator, Settings
    from humangate.data.demo import demo_outreach_items
    from humangate.graphs.common import GraphDeps
    from humangate.graphs.registry import default_registry

    cfg = ModelConfig(
        provider="openai", model="smollm2", base_url=llm_server.base_url, timeout=60.0, max_attempts=2, max_tokens=256
    )
    deps = GraphDeps(model=make_chat_model(cfg))
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    item = next(i for i in demo_outreach_items() if i["company"] == "Northwind Analytics")
    with Orchestrator(settings, registry=default_registry(deps), deps=deps) as orch:
        run = orch.start("outreach", item)
        assert run.status == "paused", run  # never failed: weak or broken model output is reviewed
        request = orch.item(run.pending_items[0]).request
    assert request.node == "review_brief"
    assert request.assessment.needs_review and request.assessment.level in ("high", "critical")
    assert llm_server.process.poll() is None, tail(llm_server.log)
