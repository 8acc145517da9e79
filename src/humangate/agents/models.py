"""Chat models: an OpenAI-compatible endpoint or the offline engine, and structured calls that never raise.

``call_structured`` asks for a typed answer by each structured-output method in turn (``json_schema``,
then ``function_calling``, then ``json_mode``), retries only what is worth retrying (timeouts, HTTP 429
and 5xx) with backoff, and ends every problem as a ``StructuredResult`` whose ``attempts`` say what was
tried, so a reviewer can see why an agent fell back. A server that cannot be reached is not asked again
by the next method (it is the same server), and a ``budget`` bounds the whole call, every method and
retry included: a dead endpoint costs one timeout, never one per method and attempt.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

import openai
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, SecretStr, ValidationError

from humangate.errors import ConfigError

__all__ = [
    "DEFAULT_MODEL",
    "METHODS",
    "Method",
    "ModelConfig",
    "StructuredResult",
    "call_structured",
    "make_chat_model",
    "model_config_from_env",
]

T = TypeVar("T", bound=BaseModel)
Method = Literal["json_schema", "function_calling", "json_mode"]
METHODS: tuple[Method, ...] = ("json_schema", "function_calling", "json_mode")
DEFAULT_MODEL = "gpt-4o-mini"

_NO_ENDPOINT = "Set `OPENAI_API_KEY` or `OPENAI_BASE_URL`, or use `--model offline`."
_MAX_RETRY_AFTER = 60.0  # a server asking for a longer pause is not worth stalling a run for
_ERROR_CODE = re.compile(r"^Error code: \d+ - ")  # the openai client's prefix; the log says the status already
_MAX_JSON_STARTS = 50  # how many '{' a lenient parse tries before giving up on a reply
_LENGTH_LIMITS = frozenset({"maxLength", "maxItems"})


@dataclass(frozen=True)
class ModelConfig:
    """Which model answers the agents, and how patiently to ask it."""

    provider: Literal["openai", "offline"] = "offline"
    model: str = "offline"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    max_attempts: int = 3
    backoff_base: float = 0.5
    max_tokens: int | None = None
    breaker_failures: int = 3
    breaker_cooldown: float = 60.0

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigError("The model timeout (HUMANGATE_MODEL_TIMEOUT) must be a positive number of seconds.")
        if self.max_attempts < 1:
            raise ConfigError("The model attempts (HUMANGATE_MODEL_ATTEMPTS) must be at least 1.")
        if self.backoff_base < 0:
            raise ConfigError("The model backoff must be zero or more seconds.")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ConfigError("The model's token limit (HUMANGATE_MODEL_MAX_TOKENS) must be at least 1.")
        if self.breaker_failures < 1:
            raise ConfigError("HUMANGATE_MODEL_BREAKER_FAILURES must be at least 1 connection failure.")
        if self.breaker_cooldown <= 0:
            raise ConfigError("HUMANGATE_MODEL_BREAKER_COOLDOWN must be a positive number of seconds.")


def model_config_from_env(env: Mapping[str, str] | None = None, *, model: str | None = None) -> ModelConfig:
    """Choose ChatOpenAI when an endpoint is configured, else the offline engine; ``model`` (``--model``) wins."""
    env = os.environ if env is None else env
    offline = ModelConfig(
        timeout=_number(env, "HUMANGATE_MODEL_TIMEOUT", 60.0),
        max_attempts=int(_number(env, "HUMANGATE_MODEL_ATTEMPTS", 3)),
        max_tokens=int(_number(env, "HUMANGATE_MODEL_MAX_TOKENS", 0)) or None,
        breaker_failures=int(_number(env, "HUMANGATE_MODEL_BREAKER_FAILURES", 3)),
        breaker_cooldown=_number(env, "HUMANGATE_MODEL_BREAKER_COOLDOWN", 60.0),
    )
    wanted = model or env.get("HUMANGATE_MODEL") or None
    if wanted == "offline":
        return offline
    api_key = env.get("OPENAI_API_KEY") or None
    base_url = env.get("OPENAI_BASE_URL") or None
    if api_key is None and base_url is None:
        if wanted is None:
            return offline
        source = "--model" if model else "HUMANGATE_MODEL"
        raise ConfigError(f"Model {wanted!r} ({source}) needs an OpenAI-compatible endpoint. {_NO_ENDPOINT}")
    return replace(offline, provider="openai", model=wanted or DEFAULT_MODEL, base_url=base_url, api_key=api_key)


def make_chat_model(cfg: ModelConfig, *, http_clients: tuple[Any, Any] | None = None) -> BaseChatModel | None:
    """Build the chat model ``cfg`` describes, or return None for the offline engine.

    ``http_clients`` (an ``httpx.Client`` and ``httpx.AsyncClient``) carry its calls, e.g. through the
    endpoint limits of ``humangate.runtime.limits``.
    """
    if cfg.provider == "offline":
        return None
    from langchain_openai import ChatOpenAI  # imported here: building the offline engine needs none of it

    # OpenAI reads max_completion_tokens (ChatOpenAI's max_tokens); compatible servers such as llama-cpp-python
    # read only the older max_tokens field, so a custom base_url gets that one instead.
    limit = {"max_tokens": cfg.max_tokens} if cfg.max_tokens else {}
    return ChatOpenAI(
        model=cfg.model,
        base_url=cfg.base_url,
        # Keyless local servers (llama.cpp, vLLM, Ollama) still need some key for the client to start.
        api_key=SecretStr(cfg.api_key or "none"),
        timeout=cfg.timeout,
        max_retries=0,  # retries are call_structured's, so each one shows in the attempts log
        temperature=0,
        max_tokens=None if cfg.base_url else cfg.max_tokens,
        extra_body=limit if cfg.base_url and limit else None,
        http_client=http_clients[0] if http_clients else None,
        http_async_client=http_clients[1] if http_clients else None,
    )


@dataclass(frozen=True)
class StructuredResult(Generic[T]):
    """A typed answer, or a sentence saying why there is none, with a log of every attempt."""

    value: T | None
    failure: str | None
    attempts: list[str] = field(default_factory=list)
    method: str | None = None
    unreachable: bool = False  # the server could not be reached, or did not answer within the time given
    requests: int = 0


def call_structured(
    model: BaseChatModel,
    schema: type[T],
    messages: LanguageModelInput,
    *,
    methods: Sequence[Method] = METHODS,
    max_attempts: int = 3,
    backoff_base: float = 0.5,
    budget: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> StructuredResult[T]:
    """Ask ``model`` for a ``schema`` instance by each method in turn; report model trouble, never raise it.

    ``budget`` (seconds) bounds the whole call: each request may take only what is left of it, and no
    retry starts that could not finish in time.
    """
    attempts: list[str] = []
    requests = 0
    deadline = None if budget is None else clock() + budget
    for method in methods:
        for attempt in range(1, max_attempts + 1):
            left = None if deadline is None else deadline - clock()
            if left is not None and left <= 0:
                attempts.append(f"{method}: not asked; the call's {budget:g} s were used up")
                return _failed(schema, attempts, requests)
            try:
                runnable = _runnable(model, schema, method, left)
            except Exception as exc:  # a chat model class may not offer this method at all
                attempts.append(f"{method}: not offered by this model ({_short(exc)})")
                break
            requests += 1
            try:
                value, problem = _extract(runnable.invoke(messages), schema)
            except ValidationError as err:
                # The openai client checks a json_schema reply against the class itself, before any parser runs.
                value, problem = _from_client_check(err, schema)
            except Exception as exc:
                note = f"{method}: {_describe(exc)}"
                if not _is_transient(exc):
                    attempts.append(note)
                    break
                delay = _delay(exc, backoff_base, attempt)
                out_of_time = deadline is not None and clock() + delay >= deadline
                if attempt < max_attempts and not out_of_time:
                    attempts.append(f"{note}; retrying in {delay:g} s")
                    sleep(delay)
                    continue
                attempts.append(f"{note}; gave up after {attempt} attempt{'s' if attempt > 1 else ''}")
                if _is_unreachable(exc):
                    # Every method asks the same server: one that cannot be reached is not asked again.
                    return _failed(schema, attempts, requests, unreachable=True)
                break
            if value is not None:
                return StructuredResult(value=value, failure=None, attempts=attempts, method=method, requests=requests)
            # At temperature 0 the same request gets the same answer, so move on rather than repeat it.
            attempts.append(f"{method}: {problem}")
            break
    return _failed(schema, attempts, requests)


def _failed(schema: type[T], attempts: list[str], requests: int, *, unreachable: bool = False) -> StructuredResult[T]:
    last = attempts[-1] if attempts else "no method was tried"
    failure = f"The model gave no usable {schema.__name__} in {requests} requests; the last problem was {last}."
    return StructuredResult[T](
        value=None, failure=failure, attempts=attempts, method=None, unreachable=unreachable, requests=requests
    )


def _runnable(model: BaseChatModel, schema: type[T], method: Method, timeout: float | None) -> Any:
    """Return the structured-output runnable of ``method``; an OpenAI client request gets ``timeout`` as its own."""
    from langchain_openai.chat_models.base import BaseChatOpenAI

    extra: dict[str, Any] = {}
    if timeout is not None and isinstance(model, BaseChatOpenAI):
        # Passed through to the client's create(): this request may take only what is left of the budget.
        extra["timeout"] = timeout
    return model.with_structured_output(_request_schema(schema, method), method=method, include_raw=True, **extra)


def _request_schema(schema: type[T], method: Method) -> type[T] | dict[str, Any]:
    """Return what to ask for: the class itself, or for tool calls an OpenAI tool without length limits."""
    if method != "function_calling":
        return schema
    # llama.cpp compiles maxLength into a grammar rule nested once per character: a limit in the thousands
    # (SupportAnalysis.suggested_reply) fails to compile and segfaults llama-cpp-python 0.3's server.
    # The limits still hold: every answer is validated against the class.
    tool = convert_to_openai_tool(schema)
    tool["function"]["parameters"] = _without_length_limits(tool["function"]["parameters"])
    return tool


def _without_length_limits(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_length_limits(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: {name: _without_length_limits(sub) for name, sub in value.items()}
        if key == "properties" and isinstance(value, dict)
        else _without_length_limits(value)
        for key, value in node.items()
        if key not in _LENGTH_LIMITS
    }


def _is_unreachable(exc: BaseException) -> bool:
    """Return whether ``exc`` says the server was not there to answer (refused, reset, timed out)."""
    return isinstance(exc, openai.APIConnectionError)  # APITimeoutError is a connection error


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError | openai.RateLimitError):  # APITimeoutError is a connection error
        return True
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        # llama.cpp's server answers an unsupported response_format with 500, not 400: retrying cannot help.
        return "response_format" not in exc.message
    return False


def _delay(exc: BaseException, base: float, attempt: int) -> float:
    delay = base * 2.0 ** (attempt - 1)
    if isinstance(exc, openai.RateLimitError):
        try:
            asked = float(exc.response.headers.get("retry-after", "0"))
        except ValueError:  # an HTTP date; the backoff is good enough then
            asked = 0.0
        delay = max(delay, min(asked, _MAX_RETRY_AFTER))
    return delay


def _describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not reach the server ({_short(exc.__cause__ or exc)})"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} from server: {_short(_ERROR_CODE.sub('', exc.message))}"
    if isinstance(exc, openai.LengthFinishReasonError):
        return "the reply was cut off at the token limit"
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError):
        return f"the server's response was not a valid completion ({_short(exc)})"
    return f"{type(exc).__name__}: {_short(exc)}"


def _extract(out: object, schema: type[T]) -> tuple[T | None, str]:
    """Return the schema instance in a structured-output result, else why there is none."""
    parsed = out.get("parsed") if isinstance(out, dict) else out
    raw = out.get("raw") if isinstance(out, dict) else None
    if isinstance(parsed, schema):
        return parsed, ""
    candidates: list[object] = [parsed] if isinstance(parsed, dict) else []
    text = ""
    if isinstance(raw, AIMessage):
        text = raw.text
        candidates += [call["args"] for call in raw.tool_calls]
        candidates += [_lenient_json(call.get("args") or "") for call in raw.invalid_tool_calls]
        candidates.append(_lenient_json(text))
    return _first_valid(candidates, schema, text)


def _from_client_check(err: ValidationError, schema: type[T]) -> tuple[T | None, str]:
    """Recover from the openai client's own schema check: reparse a reply it could not read as JSON."""
    texts = [e["input"] for e in err.errors() if e["type"] == "json_invalid" and isinstance(e["input"], str)]
    if not texts:
        return None, f"output failed validation: {_summarize(err)}"
    return _first_valid([_lenient_json(t) for t in texts], schema, texts[0])


def _first_valid(candidates: list[object], schema: type[T], text: str) -> tuple[T | None, str]:
    problems: list[str] = []
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            return schema.model_validate(candidate), ""
        except ValidationError as err:
            problems.append(_summarize(err))
    if problems:
        return None, f"output failed validation: {problems[0]}"
    return None, f"the reply held no complete JSON object (it began {text[:80]!r})"


def _lenient_json(text: str) -> dict[str, Any] | None:
    """Return the first JSON object in ``text``, wherever it starts (inside code fences, after prose)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(_MAX_JSON_STARTS):
        if start == -1:
            return None
        try:
            obj, _end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        return obj if isinstance(obj, dict) else None
    return None


def _summarize(err: ValidationError) -> str:
    items = [f"{'.'.join(str(p) for p in e['loc']) or 'the object'}: {e['msg']}" for e in err.errors()]
    more = f" (and {len(items) - 3} more)" if len(items) > 3 else ""
    return "; ".join(items[:3]) + more


def _short(thing: object, limit: int = 200) -> str:
    text = " ".join(str(thing).split()) or type(thing).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    if not env.get(name):
        return default
    try:
        return float(env[name])
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {env[name]!r}.") from None
