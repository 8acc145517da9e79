"""A configured model endpoint: the chat model, how patiently to ask it, and the breaker that guards it.

Every agent asks through ``ask``: the endpoint's ``HUMANGATE_MODEL_ATTEMPTS`` and
``HUMANGATE_MODEL_TIMEOUT`` apply to every call and every structured-output method (the timeout bounds a
whole call), and a breaker that is open answers at once with the sentence the item is marked with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from pydantic import BaseModel

from humangate.agents.breaker import EndpointBreaker
from humangate.agents.models import ModelConfig, StructuredResult, call_structured, make_chat_model

__all__ = ["ChatModel", "ModelEndpoint", "ask", "engine_label", "make_endpoint"]

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class ModelEndpoint:
    """A chat model with the settings it is asked with and the circuit breaker of its endpoint."""

    chat: BaseChatModel
    config: ModelConfig
    breaker: EndpointBreaker

    @property
    def label(self) -> str:
        """Return the model and where it is served, without credentials ("smollm2 at 127.0.0.1:8080")."""
        return f"{self.config.model} at {_where(self.config.base_url)}"


ChatModel = BaseChatModel | ModelEndpoint


def _where(base_url: str | None) -> str:
    if not base_url:
        return "api.openai.com"
    parts = urlsplit(base_url)
    return (parts.hostname or "?") + (f":{parts.port}" if parts.port else "") + parts.path.rstrip("/")


def make_endpoint(cfg: ModelConfig, *, http_clients: tuple[Any, Any] | None = None) -> ModelEndpoint | None:
    """Build the endpoint ``cfg`` describes with a breaker of its own, or None for the offline engine.

    ``http_clients`` (sync, async) carry its calls, as ``make_chat_model`` takes them.
    """
    chat = make_chat_model(cfg, http_clients=http_clients)
    if chat is None:
        return None
    breaker = EndpointBreaker(_where(cfg.base_url), failures=cfg.breaker_failures, cooldown=cfg.breaker_cooldown)
    return ModelEndpoint(chat=chat, config=cfg, breaker=breaker)


def engine_label(model: ChatModel | None) -> str:
    """Return what serves the agents: ``offline`` or the model and its endpoint."""
    if model is None:
        return "offline"
    if isinstance(model, ModelEndpoint):
        return model.label
    return str(getattr(model, "model_name", None) or type(model).__name__)


def ask(model: ChatModel, schema: type[T], messages: LanguageModelInput) -> StructuredResult[T]:
    """Ask ``model`` for a ``schema`` instance under its endpoint's attempts, time budget and breaker."""
    if not isinstance(model, ModelEndpoint):
        return call_structured(model, schema, messages)  # a bare chat model (tests, the Python API): defaults
    refused = model.breaker.refusal()
    if refused is not None:
        return StructuredResult[T](value=None, failure=refused + ".", attempts=[refused], unreachable=True)
    cfg = model.config
    result = call_structured(
        model.chat,
        schema,
        messages,
        max_attempts=cfg.max_attempts,
        backoff_base=cfg.backoff_base,
        budget=cfg.timeout,
    )
    model.breaker.record(result.attempts[-1] if result.unreachable else None)
    return result
