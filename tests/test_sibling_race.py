"""Contention on one run: sibling items decided at the same moment, and the run lock itself.

Two reviewers deciding the two parallel items of one run at once must both apply exactly once without
re-running agent work; two workers taking the same free run lock at once must not both get it (this
failed on Postgres before the lock read used FOR UPDATE).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import decisions
from tests.graphs import pair_registry

ROUNDS = 15


@pytest.mark.timeout(300)
def test_sibling_decisions_at_once_apply_once_each(settings: Settings) -> None:
    calls: Counter[str] = Counter()
    registry = pair_registry(calls)
    with Orchestrator(settings, registry=registry) as a, Orchestrator(settings, registry=registry) as b:
        a.add_user("alice", "reviewer")
        a.add_user("bob", "reviewer")
        for round_no in range(ROUNDS):
            run = a.start("pair", {"topic": f"t{round_no}"})
            first, second = run.pending_items
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def decide(
                o: Orchestrator,
                item: int,
                who: str,
                barrier: threading.Barrier = barrier,
                errors: list[BaseException] = errors,
            ) -> None:
                try:
                    barrier.wait(timeout=10)
                    o.decide(item, {"action": "approve", "reviewer": who})
                except BaseException as exc:  # reported below, with the round
                    errors.append(exc)

            threads = [
                threading.Thread(target=decide, args=(a, first, "alice")),
                threading.Thread(target=decide, args=(b, second, "bob")),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            assert not errors, f"round {round_no}: {errors!r}"
            final = a.run(run.id)
            assert (final.status, final.outcome, final.pending_items) == ("completed", "approved", ())
            values: dict[str, Any] = a.graph("pair").get_state({"configurable": {"thread_id": run.id}}).values
            assert values["done"] == ["joined"]
            with a.db.read() as conn:
                applied = conn.execute(select(decisions.c.applied_at).where(decisions.c.run_id == run.id)).all()
            assert len(applied) == 2 and all(r.applied_at is not None for r in applied)
    assert calls == Counter({"a": ROUNDS, "b": ROUNDS})


@pytest.mark.timeout(300)
def test_run_lock_is_exclusive_under_contention(settings: Settings) -> None:
    with Orchestrator(settings) as a, Orchestrator(settings) as b:
        for round_no in range(100):
            run = a.start("notify", {"recipient": "Ann", "email": "ann@example.com", "topic": f"hello {round_no}"})
            barrier = threading.Barrier(2)
            got: dict[str, str | None] = {}

            def take(
                o: Orchestrator, name: str, barrier: threading.Barrier = barrier, got: dict[str, str | None] = got
            ) -> None:
                barrier.wait(timeout=10)
                got[name] = o.lock.try_acquire(run.id)  # noqa: B023 - joined before the loop moves on

            threads = [threading.Thread(target=take, args=(o, n)) for o, n in ((a, "a"), (b, "b"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            winners = [name for name, holder in got.items() if holder is None]
            assert len(winners) == 1, f"round {round_no}: {got}"
