"""Property-based: random decisions, CSV rows and source text never crash, and a refusal changes nothing.

10,000 cases in all: 3,000 decisions against one real SQLite database (every refusal compares the
tables before and after), 3,500 task rows through the planner and the item parser, 3,500 source
texts through the researcher and the brief's assessment.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.agents.offline.planning import plan
from humangate.agents.researcher import Researcher
from humangate.checkpoints.schema import audit_events, decisions, outbox, review_items, runs, votes
from humangate.core.contract import ACTIONS, REASON_CODES, ROLES, Role
from humangate.core.schemas import ResearchInput, Source, TaskSpec
from humangate.errors import HumanGateError
from humangate.risk import RiskPolicy, assess_brief
from humangate.tasks import planned_runs

GATED = {"recipient": "Bob Roy", "email": "bob@example.com", "topic": "Thanks for the call.", "require_approval": True}
USERS = ("alice", "bob", "erin")
ROLE_OF: dict[str, Role] = {"alice": "reviewer", "bob": "reviewer", "erin": "expert"}
_TABLES = (runs, review_items, decisions, votes, outbox, audit_events)
_CHEAP = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

text = st.text(max_size=40)
junk = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), text, st.lists(text, max_size=3))
proposal = st.fixed_dictionaries(
    {},
    optional={
        "to": st.one_of(st.just("bob@example.com"), text),
        "subject": st.one_of(st.just("A note for Bob"), text),
        "body": st.one_of(st.just("Hi Bob,\n\nThanks for the call.\n\nBest regards,\nThe team"), text),
        "extra": junk,
    },
)
decision = st.one_of(
    st.fixed_dictionaries({"action": st.just("approve"), "reviewer": st.sampled_from(USERS)}),  # often accepted
    st.fixed_dictionaries(
        {},
        optional={
            "action": st.one_of(st.sampled_from(ACTIONS), text),
            "reviewer": st.one_of(st.sampled_from(USERS), text),
            "reason_code": st.one_of(st.none(), st.sampled_from(REASON_CODES), text),
            "note": st.one_of(st.none(), text),
            "edited": st.one_of(st.none(), proposal, junk),
            "instructions": st.one_of(st.none(), text),
            "escalate_to": st.one_of(st.none(), st.sampled_from(ROLES), text),
            "unknown": junk,
        },
    ),
    junk,
)


def _snapshot(o: Orchestrator) -> list[list[tuple[Any, ...]]]:
    with o.db.read() as conn:
        return [[tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))] for t in _TABLES]


def test_random_decisions_are_recorded_or_refused_without_a_trace(tmp_path: Path) -> None:
    config = Settings(db_url=f"sqlite:///{tmp_path / 'hg.db'}", outbox_dir=tmp_path / "outbox")
    with Orchestrator(config) as o:
        for name, role in ROLE_OF.items():
            o.add_user(name, role)
        items = [o.start("notify", GATED).pending_items[0] for _ in range(3)]
        counts = {"accepted": 0, "refused": 0}

        @settings(max_examples=3_000, **_CHEAP)  # type: ignore[arg-type]
        @given(pick=st.integers(0, 7), answer=decision)
        def check(pick: int, answer: Any) -> None:
            item = items[pick % len(items)] if pick < 7 else 10**6  # now and then an item that does not exist
            before = _snapshot(o)
            try:
                result = o.decide(item, answer)
            except HumanGateError:
                counts["refused"] += 1
                assert _snapshot(o) == before
                return
            counts["accepted"] += 1
            items.remove(item)
            items.extend(result.run.pending_items or o.start("notify", GATED).pending_items)

        check()
        assert counts["refused"] > 0 and counts["accepted"] > 0
        assert o.verify_audit().ok


cell = st.one_of(st.none(), st.text(max_size=60), st.integers(), st.sampled_from(["a@b.example", "Acme", " "]))
row = st.dictionaries(
    st.one_of(
        st.sampled_from(["company", "name", "email", "role", "text", "message", "id", "customer", "sources"]),
        st.text(max_size=12),
    ),
    cell,
    max_size=6,
)
task = st.one_of(
    st.sampled_from(["Answer these support messages.", "Research these companies.", "Write to these leads."]),
    st.text(max_size=80),
)


@settings(max_examples=3_500, **_CHEAP)  # type: ignore[arg-type]
@given(words=task, rows=st.lists(row, max_size=4), graph=st.sampled_from(["outreach", "research", "support"]))
def test_random_task_rows_plan_or_raise_a_humangate_error(words: str, rows: list[dict[str, Any]], graph: str) -> None:
    try:
        spec = plan(words, csv_rows=rows)
        runs_ = planned_runs(spec)
    except HumanGateError:
        pass
    else:
        assert all(r.graph == spec.graph for r in runs_)
    with contextlib.suppress(HumanGateError):
        planned_runs(TaskSpec.model_validate({"task": words, "graph": graph, "items": rows}))


_POLICY = RiskPolicy()


@settings(max_examples=3_500, **_CHEAP)  # type: ignore[arg-type]
@given(
    texts=st.lists(st.text(max_size=300), min_size=1, max_size=3),
    subject=st.text(min_size=1, max_size=30),
)
def test_random_source_text_gives_a_brief_or_a_humangate_error(texts: list[str], subject: str) -> None:
    sources = [Source(id=f"s{i}", text=t) for i, t in enumerate(texts)]
    try:
        inp = ResearchInput(subject=subject, sources=sources)
        brief = Researcher().run(inp)
    except HumanGateError:
        return
    assessment = assess_brief(brief, sources, _POLICY)
    assert 0.0 <= assessment.score <= 1.0
