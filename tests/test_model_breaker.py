"""Fast, honest failure: the configured attempts and time apply to every call, and a breaker per endpoint stops a batch
from waiting on a dead model once per item.

The batch test reproduces what a user met with ``OPENAI_BASE_URL`` pointing at nothing: "9 requests ... gave
up after 3 attempts" per call, 38 s for six tickets, every one critical.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from humangate import Orchestrator, Settings
from humangate.agents.breaker import EndpointBreaker
from humangate.agents.endpoint import ModelEndpoint, ask, engine_label, make_endpoint
from humangate.agents.models import ModelConfig, model_config_from_env
from humangate.agents.served import fell_back, served_by
from humangate.cli.tasks import DEMO_SUPPORT_TASK
from humangate.core.contract import risk_rank
from humangate.data.demo import demo_support_messages
from humangate.graphs.common import GraphDeps
from humangate.graphs.registry import default_registry
from humangate.tasks import plan_task, start_planned
from tests.fake_openai import FakeOpenAI, hang
from tests.test_models import MESSAGES, Verdict


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _endpoint(base_url: str, *, timeout: float = 0.5, failures: int = 3, cooldown: float = 60.0) -> ModelEndpoint:
    env = {
        "OPENAI_BASE_URL": base_url,
        "HUMANGATE_MODEL": "tiny",
        "HUMANGATE_MODEL_ATTEMPTS": "1",
        "HUMANGATE_MODEL_TIMEOUT": str(timeout),
        "HUMANGATE_MODEL_BREAKER_FAILURES": str(failures),
        "HUMANGATE_MODEL_BREAKER_COOLDOWN": str(cooldown),
    }
    endpoint = make_endpoint(model_config_from_env(env))
    assert endpoint is not None
    return endpoint


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def test_breaker_settings_come_from_the_environment_and_are_checked() -> None:
    cfg = model_config_from_env({"HUMANGATE_MODEL_BREAKER_FAILURES": "5", "HUMANGATE_MODEL_BREAKER_COOLDOWN": "9"})
    assert (cfg.breaker_failures, cfg.breaker_cooldown) == (5, 9.0)
    with pytest.raises(Exception, match="at least 1"):
        ModelConfig(breaker_failures=0)
    with pytest.raises(Exception, match="positive"):
        ModelConfig(breaker_cooldown=0)


def test_the_breaker_opens_after_a_run_of_failures_says_so_once_and_tries_again_after_the_cooldown() -> None:
    breaker = EndpointBreaker("127.0.0.1:9", failures=2, cooldown=0.4)
    breaker.record("could not reach the server")
    assert breaker.refusal() is None and breaker.notice() is None  # one failure is not a run of them
    breaker.record(None)  # an answer resets the count
    breaker.record("could not reach the server")
    assert breaker.refusal() is None
    breaker.record("could not reach the server")
    refused = breaker.refusal()
    assert refused is not None and "circuit breaker is open" in refused and "127.0.0.1:9" in refused
    assert breaker.refusal() is not None and breaker.skipped == 2
    notice = breaker.notice()
    assert notice is not None and "2 model calls went to the offline engine" in notice
    assert breaker.notice() is None  # told once
    time.sleep(0.45)
    assert breaker.refusal() is None  # the cool-down is over: one trial call may go
    breaker.record(None)
    assert breaker.refusal() is None and breaker.openings == 1


def test_a_failed_trial_opens_the_breaker_again() -> None:
    breaker = EndpointBreaker("here", failures=1, cooldown=0.3)
    breaker.record("refused")
    assert breaker.refusal() is not None
    time.sleep(0.35)
    assert breaker.refusal() is None
    breaker.record("refused again")
    assert breaker.refusal() is not None and breaker.openings == 2
    assert breaker.notice() is not None


def test_ask_uses_the_configured_attempts_and_stops_calling_a_dead_endpoint(fake: FakeOpenAI) -> None:
    endpoint = _endpoint(fake.base_url, timeout=0.3, failures=2)
    fake.script(hang(5.0), hang(5.0))
    first, second, third = (ask(endpoint, Verdict, MESSAGES) for _ in range(3))
    assert first.requests == second.requests == 1 and first.unreachable and second.unreachable
    assert third.requests == 0 and third.failure is not None and "was not asked" in third.failure
    assert len(fake.requests) == 2 and fake.unused == 0  # nothing reached the server once the breaker opened


def test_engine_labels_name_the_model_and_its_endpoint_without_secrets() -> None:
    cfg = model_config_from_env({"OPENAI_BASE_URL": "http://user:pw@127.0.0.1:8080/v1", "HUMANGATE_MODEL": "smollm2"})
    assert engine_label(make_endpoint(cfg)) == "smollm2 at 127.0.0.1:8080/v1"
    assert engine_label(None) == "offline"
    proper = make_endpoint(model_config_from_env({"OPENAI_API_KEY": "sk-secret"}))
    assert engine_label(proper) == "gpt-4o-mini at api.openai.com"


def _batch(settings: Settings, deps: GraphDeps) -> tuple[float, list[tuple[str, object]], list[object]]:
    tickets = [m.model_dump() for m in demo_support_messages()]
    with Orchestrator(settings, registry=default_registry(deps), deps=deps) as orch:
        orch.add_user("erin", "expert")
        started = time.monotonic()
        _spec, planned = plan_task(orch, DEMO_SUPPORT_TASK, tickets)
        runs = list(start_planned(orch, planned, "test"))
        elapsed = time.monotonic() - started
        items = [orch.item(i) for _label, run in runs for i in run.pending_items]
        served = [
            (
                label,
                served_by(run.engine, [t for i in run.pending_items for t in orch.item(i).request.assessment.triggers]),
            )
            for label, run in runs
        ]
    return elapsed, served, items


@pytest.mark.parametrize("dead", ["hanging", "refusing"])
def test_a_dead_endpoint_costs_at_most_one_timeout_per_item_until_the_breaker_opens(
    dead: str, tmp_path: Path, fake: FakeOpenAI
) -> None:
    timeout, failures = 0.5, 3
    base = fake.base_url if dead == "hanging" else f"http://127.0.0.1:{_closed_port()}/v1"
    fake.script(*[hang(10.0)] * failures)  # used only by the hanging server: one request per call, then nothing
    endpoint = _endpoint(base, timeout=timeout, failures=failures)
    _batch(Settings(db_url=f"sqlite:///{tmp_path / 'warm.db'}"), GraphDeps())  # loads the router: not the model's time
    offline_time, _, offline_items = _batch(Settings(db_url=f"sqlite:///{tmp_path / 'off.db'}"), GraphDeps())
    model_time, served, items = _batch(Settings(db_url=f"sqlite:///{tmp_path / 'dead.db'}"), GraphDeps(model=endpoint))
    extra = model_time - offline_time
    print(
        f"\n{dead} endpoint, {len(served)} tickets, attempts=1, timeout={timeout:g} s, breaker after {failures}: "
        f"offline {offline_time:.2f} s, with the dead endpoint {model_time:.2f} s, extra {extra:+.2f} s "
        f"(bound: {failures} x {timeout:g} s before the breaker opens)"
    )
    if dead == "hanging":
        assert len(fake.requests) == failures and fake.unused == 0  # the planner and two tickets, one request each
    # Every later call is skipped: the analyst's, and the cascade's second opinion on calm messages near the
    # router's threshold (held for a person, since the model could not be asked).
    assert endpoint.breaker.openings == 1 and endpoint.breaker.skipped >= len(served) + 1 - failures
    notice = endpoint.breaker.notice()
    assert notice is not None and endpoint.breaker.notice() is None
    # Every ticket says it was not served by the model, and is held at least as strictly as offline.
    assert all(how.startswith("the offline engine") for _label, how in served), served
    # (a ticket whose analyst call failed before the breaker opened may still find it open for its second opinion)
    assert sum("was not asked" in how for _label, how in served) >= len(served) + 1 - failures
    assert len(items) == len(served) and all(i.request.assessment.needs_review for i in items)
    assert all(fell_back(i.request.assessment.triggers) for i in items)
    levels = {i.request.title: i.risk_level for i in items}
    for before in offline_items:
        assert risk_rank(levels[before.request.title]) >= risk_rank(before.risk_level), before.request.title
    # A ticket the offline engine let through is held at high for a reviewer, not made critical by the dead endpoint.
    calm = [i for i in items if i.request.title not in levels_offline(offline_items)]
    assert calm and all(i.risk_level == "high" for i in calm), [(i.request.title, i.risk_level) for i in calm]


def levels_offline(items: list[object]) -> set[str]:
    """Return the titles of the items an offline run held."""
    return {i.request.title for i in items}  # type: ignore[attr-defined]
