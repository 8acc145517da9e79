"""``humangate doctor``: does the configured model endpoint answer, which structured output works, how fast."""

from __future__ import annotations

import json
import time
from typing import Any, Literal

import httpx
import typer
from pydantic import BaseModel

from humangate.agents.models import METHODS, ModelConfig, call_structured, make_chat_model, model_config_from_env
from humangate.cli._common import JsonOpt, ModelOpt, _fail, app, out, shown
from humangate.errors import HumanGateError

__all__ = ["Probe", "check_endpoint", "doctor"]

_MESSAGES = [
    ("system", "Classify the sentiment of the customer's message. Answer with the label only, as JSON."),
    ("human", "The parcel arrived broken and nobody answers my emails."),
]


class Probe(BaseModel):
    """The tiny answer each structured-output method is asked for."""

    label: Literal["positive", "neutral", "negative"]


def _listing(cfg: ModelConfig) -> dict[str, Any]:
    """GET the endpoint's model list: whether it answers, in how long, and which models it names."""
    base = (cfg.base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
    started = time.monotonic()
    try:
        response = httpx.get(f"{base}/models", headers=headers, timeout=cfg.timeout)
    except httpx.HTTPError as exc:
        return {"answers": False, "seconds": round(time.monotonic() - started, 3), "problem": str(exc) or repr(exc)}
    seconds = round(time.monotonic() - started, 3)
    if response.status_code != 200:
        return {"answers": True, "seconds": seconds, "problem": f"GET /models answered HTTP {response.status_code}"}
    try:
        names = [str(m.get("id")) for m in response.json().get("data", []) if isinstance(m, dict)]
    except (ValueError, AttributeError):
        names = []
    return {"answers": True, "seconds": seconds, "models": names[:20]}


def check_endpoint(cfg: ModelConfig) -> dict[str, Any]:
    """Return what ``doctor`` found: the endpoint's answer to GET /models and each method's probe."""
    report: dict[str, Any] = {"model": cfg.model, "endpoint": cfg.base_url or "https://api.openai.com/v1"}
    report["settings"] = {
        "attempts": cfg.max_attempts,
        "timeout_seconds": cfg.timeout,
        "breaker_failures": cfg.breaker_failures,
        "breaker_cooldown_seconds": cfg.breaker_cooldown,
    }
    report["listing"] = _listing(cfg)
    chat = make_chat_model(cfg)
    assert chat is not None  # cfg is an endpoint's
    methods: dict[str, Any] = {}
    for method in METHODS:
        started = time.monotonic()
        result = call_structured(chat, Probe, _MESSAGES, methods=[method], max_attempts=1, budget=cfg.timeout)
        seconds = round(time.monotonic() - started, 3)
        problem = None if result.value is not None else (result.attempts[-1] if result.attempts else result.failure)
        methods[method] = {"works": result.value is not None, "seconds": seconds, "problem": problem}
        if result.unreachable:
            break  # the server is not there: the other methods would only wait for it again
    report["methods"] = methods
    report["usable"] = any(m["works"] for m in methods.values())
    return report


@app.command()
def doctor(model: ModelOpt = None, as_json: JsonOpt = False) -> None:
    """Check the model endpoint the agents would use: whether it answers, which structured output works, latency.

    Exits 1 when an endpoint is configured but no structured-output method gets a usable answer.
    """
    try:
        cfg = model_config_from_env(model=model)
    except HumanGateError as exc:
        _fail(str(exc), as_json=as_json)
    if cfg.provider == "offline":
        message = (
            "No model endpoint is configured: the agents use the offline engine. Set OPENAI_BASE_URL (a local "
            "llama.cpp, vLLM or Ollama server) or OPENAI_API_KEY, and HUMANGATE_MODEL, to use a model."
        )
        if as_json:
            print(json.dumps({"engine": "offline", "message": message}))
        else:
            out.print(message)
        return
    report = check_endpoint(cfg)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    if not report["usable"]:
        raise typer.Exit(1)


def _print(report: dict[str, Any]) -> None:
    settings = report["settings"]
    out.print(f"Model [bold]{shown(report['model'])}[/] at {shown(report['endpoint'])}", soft_wrap=True)
    out.print(
        f"Asked with {settings['attempts']} attempt(s) and {settings['timeout_seconds']:g} s per call; breaker "
        f"after {settings['breaker_failures']} connection failures, {settings['breaker_cooldown_seconds']:g} s."
    )
    listing = report["listing"]
    if not listing["answers"]:
        out.print(f"[red]The endpoint does not answer[/] ({shown(listing['problem'])}).", soft_wrap=True)
    elif listing.get("problem"):
        out.print(f"The endpoint answers in {listing['seconds']:g} s, but {shown(listing['problem'])}.")
    else:
        names = ", ".join(listing.get("models", [])) or "none listed"
        out.print(f"The endpoint answers in {listing['seconds']:g} s; models: {shown(names)}.", soft_wrap=True)
    for method, found in report["methods"].items():
        verdict = "[green]works[/]" if found["works"] else f"[yellow]no[/] ({shown(found['problem'])})"
        out.print(f"  {method}: {verdict} in {found['seconds']:g} s", soft_wrap=True)
    if report["usable"]:
        out.print("The agents can use this endpoint; what it cannot do, they do offline, and say so.")
    else:
        out.print("[red]No structured-output method works[/]: every agent would fall back to the offline engine.")
