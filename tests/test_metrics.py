"""Oversight metrics on a fixed story of real ``notify`` runs, checked against arithmetic done by hand.

The story (T0 is a UTC midnight, H an hour, D a day; every time comes from an injected clock):

    day 0  T0+1h        calm1   passes                       (assessment {impact}: every email goes outside)
           T0+2h        appr1   waits: item A {impact, rule}
           T0+2h+1800   alice approves A                     time to decision 1800 s
    day 1  T0+D+1h      calm2   passes
           T0+D+2h      refund1 waits: item B {impact, policy, rule}
           +600         bob rejects B                        600 s
    day 2  T0+2D+1h     phone1  waits: item C {impact, pii, rule}
           +120         alice redirects C                    120 s; the redraft is assessed again
                                                             and waits as item C2 {impact, pii, rule}: a
                                                             redirect's result is always reviewed
           +300         alice edits C2                       300 s
    day 3  T0+3D+1h     crit1   waits: item D {impact, pii, policy, rule}, critical, for an expert
           +240         erin approves D                      240 s
    day 4  T0+4D+1h     appr2   waits: item E {impact, rule}
           +60          bob escalates E to expert            60 s; E2 re-gates the same assessment
           +900         erin approves E2                     900 s
           T0+4D+2h     calm3   passes
    day 5  T0+5D+1h     appr3   waits: item F (still pending)
           T0+5D+3h     appr4   waits: item G (still pending)
    now    T0+6D+12h

Every note goes by email, so every assessment carries the external send's ``impact`` trigger; a task that
asks for approval adds another ``impact`` trigger and the ``rule`` that every proposal is reviewed; personal
data in an external email adds the ``rule`` that makes it high (risk.outgoing and risk.combine).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from humangate import Orchestrator, Settings
from humangate.cli import app
from humangate.oversight.metrics import MetricsReport, Rate, parse_since, percentile

T0 = 1_700_006_400.0  # 2023-11-15T00:00:00Z
H = 3_600.0
D = 86_400.0
NOW = T0 + 6 * D + 12 * H
DAYS = ("2023-11-15", "2023-11-16", "2023-11-17", "2023-11-18", "2023-11-19", "2023-11-20", "2023-11-21")

CALM = {"recipient": "Ana Okafor", "email": "ana@example.com", "topic": "Thanks for the call today."}
APPROVAL = CALM | {"require_approval": True}
REFUND = APPROVAL | {"topic": "We can offer a refund on the order."}
PHONE = CALM | {"topic": "Call me on +1 415 555 0100 tomorrow."}
CRITICAL = CALM | {"topic": "A refund is possible; call +1 415 555 0100."}


class Clock:
    """A settable clock for the Orchestrator."""

    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


def _one_item(run: Any) -> int:
    assert run.status == "paused" and len(run.pending_items) == 1, run
    return int(run.pending_items[0])


def _story(orch: Orchestrator, clock: Clock) -> None:
    def at(t: float) -> None:
        clock.t = t

    def start(t: float, inputs: dict[str, Any]) -> Any:
        at(t)
        return orch.start("notify", inputs)

    def decide(t: float, item: int, **decision: Any) -> Any:
        at(t)
        return orch.decide(item, decision).run

    assert start(T0 + 1 * H, CALM).status == "completed"
    a = _one_item(start(T0 + 2 * H, APPROVAL))
    assert decide(T0 + 2 * H + 1800, a, action="approve", reviewer="alice").status == "completed"

    assert start(T0 + D + 1 * H, CALM).status == "completed"
    b = _one_item(start(T0 + D + 2 * H, REFUND))
    assert decide(T0 + D + 2 * H + 600, b, action="reject", reviewer="bob", reason_code="policy").outcome == "rejected"

    c = _one_item(start(T0 + 2 * D + 1 * H, PHONE))
    c2 = _one_item(
        decide(
            T0 + 2 * D + 1 * H + 120,
            c,
            action="redirect",
            reviewer="alice",
            reason_code="tone",
            instructions="Keep it shorter.",
        )
    )
    edited = {"to": "ana@example.com", "subject": "A note", "body": "Hi Ana, please call us back."}
    assert (
        decide(T0 + 2 * D + 1 * H + 420, c2, action="edit", reviewer="alice", reason_code="pii", edited=edited).status
        == "completed"
    )

    d = _one_item(start(T0 + 3 * D + 1 * H, CRITICAL))
    assert orch.item(d).risk_level == "critical"
    assert decide(T0 + 3 * D + 1 * H + 240, d, action="approve", reviewer="erin").status == "completed"

    e = _one_item(start(T0 + 4 * D + 1 * H, APPROVAL))
    e2 = _one_item(
        decide(
            T0 + 4 * D + 1 * H + 60,
            e,
            action="escalate",
            reviewer="bob",
            reason_code="needs_expert",
            escalate_to="expert",
        )
    )
    assert decide(T0 + 4 * D + 1 * H + 960, e2, action="approve", reviewer="erin").status == "completed"
    assert start(T0 + 4 * D + 2 * H, CALM).status == "completed"

    _one_item(start(T0 + 5 * D + 1 * H, APPROVAL))
    _one_item(start(T0 + 5 * D + 3 * H, APPROVAL))
    at(NOW)


@pytest.fixture
def story(settings: Settings) -> Iterator[Orchestrator]:
    """The story above, played on a fresh database; the Orchestrator's clock stands at NOW."""
    clock = Clock()
    with Orchestrator(settings, clock=clock) as orch:
        for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert")):
            orch.add_user(name, role)  # type: ignore[arg-type]
        _story(orch, clock)
        yield orch


def test_every_metric_equals_the_hand_computed_value(story: Orchestrator) -> None:
    m = story.metrics()
    assert (m.generated_at, m.since, m.graph) == (NOW, None, None)

    # Escalation: 11 assessments (calm1, appr1, calm2, refund1, phone1, phone1's redraft, crit1, appr2,
    # calm3, appr3, appr4); the 3 calm ones passed, so 11 - 3 = 8 needed review. E2 adds none.
    assert m.escalation.overall == Rate(8, 11)
    assert m.escalation.overall.rate == pytest.approx(8 / 11)
    assert m.escalation.by_graph == (("notify", Rate(8, 11)),)
    assert m.escalation.by_node == (("notify", "review", Rate(8, 11)),)

    # Overrides: 7 decisions; the escalation of E is left out, so 6 decided (A, B, C, C2, D, E2) and
    # 3 overrides (B reject, C redirect, C2 edit): 3/6.
    assert m.overrides.overall == Rate(3, 6)
    assert m.overrides.overall.rate == 0.5
    assert m.overrides.by_graph == (("notify", Rate(3, 6)),)
    assert m.overrides.by_node == (("notify", "review", Rate(3, 6)),)
    # alice: A approve, C redirect, C2 edit -> 2/3; bob: B reject (E escalated, excluded) -> 1/1;
    # erin: D approve, E2 approve -> 0/2.
    assert m.overrides.by_reviewer == (("alice", Rate(2, 3)), ("bob", Rate(1, 1)), ("erin", Rate(0, 2)))
    # impact: A approve, B reject, C redirect, C2 edit, D approve, E2 approve -> 3/6; pii: C redirect, C2 edit,
    # D approve -> 2/3; policy: B reject, D approve -> 1/2; rule: A, B, C, C2, D, E2 as impact -> 3/6.
    assert m.overrides.by_trigger == (
        ("impact", Rate(3, 6)),
        ("pii", Rate(2, 3)),
        ("policy", Rate(1, 2)),
        ("rule", Rate(3, 6)),
    )

    # Time to decision over all 7 decisions: 1800, 600, 120, 300, 240, 60, 900 s.
    # Sorted: 60, 120, 240, 300, 600, 900, 1800. p50 at rank (7-1)*0.5 = 3 -> 300.
    # p90 at rank (7-1)*0.9 = 5.4 -> 900 + 0.4 * (1800 - 900) = 1260.
    assert m.time_to_decision.count == 7
    assert m.time_to_decision.p50 == 300
    assert m.time_to_decision.p90 == pytest.approx(1260)

    # Queue: F and G wait. F: NOW - (T0+5D+1h) = D + 11h = 86400 + 39600 = 126000 s;
    # G: NOW - (T0+5D+3h) = D + 9h = 86400 + 32400 = 118800 s; median (126000 + 118800) / 2 = 122400.
    assert m.queue.pending == 2
    assert m.queue.oldest_seconds == 126_000
    assert m.queue.p50_seconds == 122_400

    # Trigger kinds over assessments: impact: all 11; rule: the 8 that waited (appr1, refund1, phone1, its
    # redraft, crit1, appr2, appr3, appr4); pii: phone1, its redraft, crit1 = 3; policy: refund1, crit1 = 2.
    # Per day 0..6: impact 2 (calm1, appr1), 2 (calm2, refund1), 2 (phone1, redraft), 1 (crit1), 2 (appr2, calm3),
    # 2 (appr3, appr4), 0; rule 1, 1, 2, 1, 1, 2, 0; pii 0, 0, 2 (phone1 and redraft), 1 (crit1), 0, 0, 0;
    # policy 0, 1, 0, 1, 0, 0, 0.
    assert m.trend_days == DAYS
    assert [(p.kind, p.count, p.per_day) for p in m.exceptions] == [
        ("impact", 11, (2, 2, 2, 1, 2, 2, 0)),
        ("rule", 8, (1, 1, 2, 1, 1, 2, 0)),
        ("pii", 3, (0, 0, 2, 1, 0, 0, 0)),
        ("policy", 2, (0, 1, 0, 1, 0, 0, 0)),
    ]

    # Decisions by action: approve A, D, E2 = 3; edit C2; reject B; redirect C; escalate E.
    assert m.decisions_by_action == (("approve", 3), ("edit", 1), ("reject", 1), ("redirect", 1), ("escalate", 1))


def test_since_and_graph_filters(story: Orchestrator) -> None:
    since = T0 + 2 * D  # midnight starting day 2
    m = story.metrics(since=since)
    assert m.since == since
    # Assessments from day 2 on: phone1, its redraft, crit1, appr2, calm3, appr3, appr4 = 7; calm3 passed: 6/7.
    # (calm1 and calm2 stay out only if auto-passed assessments carry the injected time too.)
    assert m.escalation.overall == Rate(6, 7)
    # Decisions from day 2 on: C redirect, C2 edit, D approve, E escalate, E2 approve -> 2 overrides of 4 decided.
    assert m.overrides.overall == Rate(2, 4)
    assert m.overrides.by_reviewer == (("alice", Rate(2, 2)), ("erin", Rate(0, 2)))  # bob only escalated
    # impact: C, C2, D, E2 -> 2/4 (C redirect, C2 edit); pii: C, C2, D -> 2/3; policy: D 0/1; rule: as impact 2/4.
    assert m.overrides.by_trigger == (
        ("impact", Rate(2, 4)),
        ("pii", Rate(2, 3)),
        ("policy", Rate(0, 1)),
        ("rule", Rate(2, 4)),
    )
    # 120, 300, 240, 60, 900 sorted: 60, 120, 240, 300, 900. p50 at rank 2 -> 240;
    # p90 at rank 4*0.9 = 3.6 -> 300 + 0.6 * (900 - 300) = 660.
    assert m.time_to_decision.count == 5
    assert m.time_to_decision.p50 == 240
    assert m.time_to_decision.p90 == pytest.approx(660)
    assert m.decisions_by_action == (("approve", 2), ("edit", 1), ("reject", 0), ("redirect", 1), ("escalate", 1))
    # Counts from day 2: impact all 7 assessments; rule the 6 that waited (all but calm3); pii phone1, redraft,
    # crit1 = 3; policy crit1 = 1. The trend keeps its fixed seven-day window.
    assert [(p.kind, p.count, p.per_day) for p in m.exceptions] == [
        ("impact", 7, (2, 2, 2, 1, 2, 2, 0)),
        ("rule", 6, (1, 1, 2, 1, 1, 2, 0)),
        ("pii", 3, (0, 0, 2, 1, 0, 0, 0)),
        ("policy", 1, (0, 1, 0, 1, 0, 0, 0)),
    ]
    # The queue is what waits now, whatever `since` says.
    assert (m.queue.pending, m.queue.oldest_seconds) == (2, 126_000)

    # The escalation router's guarantee belongs to the support gate, so a notify-only report leaves it out.
    everything = story.metrics().to_json()
    assert [g["graph"] for g in everything["guarantees"]] == ["support"]
    assert story.metrics(graph="notify").to_json() == everything | {"graph": "notify", "guarantees": []}
    other = story.metrics(graph="support")
    assert other.escalation.overall == Rate(0, 0) and other.escalation.overall.rate is None
    assert other.overrides.overall.rate is None and other.overrides.by_reviewer == ()
    assert (other.time_to_decision.count, other.time_to_decision.p50, other.time_to_decision.p90) == (0, None, None)
    assert (other.queue.pending, other.queue.oldest_seconds, other.queue.p50_seconds) == (0, None, None)
    assert other.exceptions == ()
    assert dict(other.decisions_by_action) == dict.fromkeys(("approve", "edit", "reject", "redirect", "escalate"), 0)


def test_trend_window_follows_the_clock(story: Orchestrator) -> None:
    story.clock = lambda: NOW + 3 * D  # today is day 9: the window is days 3..9
    m = story.metrics()
    assert m.trend_days[0] == "2023-11-18" and m.trend_days[-1] == "2023-11-24"
    # impact: day 3 crit1 1, day 4 appr2+calm3 2, day 5 appr3+appr4 2; rule: day 3 crit1, day 4 appr2,
    # day 5 appr3+appr4; pii: day 3 crit1; policy: day 3 crit1.
    assert {p.kind: p.per_day for p in m.exceptions} == {
        "impact": (1, 2, 2, 0, 0, 0, 0),
        "pii": (1, 0, 0, 0, 0, 0, 0),
        "policy": (1, 0, 0, 0, 0, 0, 0),
        "rule": (1, 1, 2, 0, 0, 0, 0),
    }
    # F and G are 3 days older: 126000 + 259200 = 385200.
    assert m.queue.oldest_seconds == 385_200


def test_to_json_is_plain_json(story: Orchestrator) -> None:
    data = json.loads(json.dumps(story.metrics().to_json()))
    assert data["escalation"]["overall"] == {"count": 8, "total": 11, "rate": 8 / 11}
    assert data["escalation"]["by_node"] == [
        {"graph": "notify", "node": "review", "count": 8, "total": 11, "rate": 8 / 11}
    ]
    assert data["overrides"]["by_reviewer"]["bob"] == {"count": 1, "total": 1, "rate": 1.0}
    assert data["overrides"]["by_trigger"]["rule"] == {"count": 3, "total": 6, "rate": 0.5}
    assert data["time_to_decision"]["count"] == 7 and data["time_to_decision"]["p50_seconds"] == 300
    assert data["queue"] == {"pending": 2, "oldest_seconds": 126_000, "p50_seconds": 122_400}
    assert data["exceptions"]["days"] == list(DAYS)
    assert data["exceptions"]["kinds"][0] == {"kind": "impact", "count": 11, "per_day": [2, 2, 2, 1, 2, 2, 0]}
    assert data["decisions_by_action"] == {"approve": 3, "edit": 1, "reject": 1, "redirect": 1, "escalate": 1}
    assert isinstance(story.metrics(), MetricsReport)


def test_percentile_and_parse_since() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5  # rank 3*0.5 = 1.5 between 2 and 3
    now = 1_000_000.0
    assert parse_since("7d", now) == now - 7 * 86_400
    assert parse_since("12h", now) == now - 12 * 3_600
    assert parse_since("30m", now) == now - 1_800
    assert parse_since("90s", now) == now - 90
    assert parse_since("2w", now) == now - 14 * 86_400
    assert parse_since("2023-11-17", now) == T0 + 2 * D
    assert parse_since("2023-11-17T01:00:00Z", now) == T0 + 2 * D + H
    assert parse_since("2023-11-17T03:00:00+02:00", now) == T0 + 2 * D + H
    for bad in ("", "7x", "last week", "-3d", "2023-13-01"):
        with pytest.raises(ValueError, match="Cannot read --since"):
            parse_since(bad, now)


runner = CliRunner()


def test_metrics_command(story: Orchestrator, settings: Settings) -> None:
    url = settings.db_url

    def hg(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, ["metrics", *args, "--db", url, "--json"])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    data = hg()
    assert data["escalation"]["overall"] == {"count": 8, "total": 11, "rate": 8 / 11}
    assert data["overrides"]["overall"] == {"count": 3, "total": 6, "rate": 0.5}
    assert data["decisions_by_action"]["approve"] == 3
    assert data["queue"]["pending"] == 2  # ages count from the real clock here
    assert data["queue"]["oldest_seconds"] > 126_000
    assert [k["count"] for k in data["exceptions"]["kinds"]] == [11, 8, 3, 2]  # impact, rule, pii, policy
    since = hg("--since", "2023-11-17")  # = T0 + 2D
    assert since["since"] == T0 + 2 * D
    assert since["escalation"]["overall"]["total"] == 7 and since["overrides"]["overall"]["total"] == 4
    assert hg("--since", "7d")["escalation"]["overall"] == {"count": 0, "total": 0, "rate": None}  # the story is old
    assert hg("--graph", "support")["overrides"]["overall"]["total"] == 0
    assert "Cannot read --since 'soon'" in hg("--since", "soon", code=2)["error"]

    human = runner.invoke(app, ["metrics", "--db", url])
    assert human.exit_code == 0, human.output
    for text in ("Oversight metrics", "72.7% (8/11)", "50.0% (3/6)", "alice", "impact"):
        assert text in human.output
    bad = runner.invoke(app, ["metrics", "--since", "soon", "--db", url])
    assert bad.exit_code == 2 and "Cannot read --since" in bad.output
