"""The panel's Metrics tab: headline oversight numbers, plots per day, and reviewers' rubber-stamp signals.

Everything shown is computed in one read transaction (``compute_metrics``, ``compute_quality``,
``daily_series``) when the tab is opened, the period changes or Refresh is pressed. Reviewer names and
flag sentences pass through ``esc`` like every other text the panel puts in HTML. Owners and admins see
every reviewer's signals; anyone else sees the headline figures, the plots and their own row only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd  # type: ignore[import-untyped]

from humangate.errors import HumanGateError
from humangate.oversight.metrics import MetricsReport, Rate, compute_metrics
from humangate.oversight.quality import QualityReport, compute_quality
from humangate.oversight.trends import DailySeries, daily_series
from humangate.review.service import Orchestrator
from humangate.ui.render import esc, render_status

__all__ = [
    "OVERSEER_ROLES",
    "PERIODS",
    "MetricsTab",
    "MetricsView",
    "headline_html",
    "load_view",
    "metrics_tab",
    "reviewers_html",
    "series_frames",
]

PERIODS: dict[str, int | None] = {"Last 7 days": 7, "Last 30 days": 30, "All": None}
"""The choices of the period selector: days back from now, or everything."""

OVERSEER_ROLES = frozenset({"owner", "admin"})
"""Roles that see every reviewer's rubber-stamp signals; others see their own."""

_DAY = 86_400.0
REVIEWER_HEADERS = ("", "reviewer", "decisions", "approved", "fast", "approve streak", "approval gap", "canaries")
_STYLE = """<style>
.hg-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0.6em; }
.hg-card { border: 1px solid #ccc; border-radius: 8px; padding: 0.5em 0.7em; }
.hg-card .hg-label { font-size: 0.85em; opacity: 0.8; }
.hg-card .hg-value { font-size: 1.6em; font-weight: 600; }
.hg-card .hg-detail { font-size: 0.8em; opacity: 0.75; }
.hg-reviewers { width: 100%; border-collapse: collapse; }
.hg-reviewers th, .hg-reviewers td { border: none; border-bottom: 1px solid #ddd; padding: 4px 8px;
  text-align: left; vertical-align: top; white-space: nowrap; }
.hg-reviewers td:last-child { white-space: normal; overflow-wrap: anywhere; width: 100%; }
.hg-reviewers tr.hg-flagged td { background: rgba(220, 38, 38, 0.12); }
.hg-reviewers .hg-flag { color: #b91c1c; font-weight: 700; white-space: nowrap; }
</style>"""


@dataclass(frozen=True)
class MetricsView:
    """What one refresh of the tab shows: HTML fragments and the plots' data."""

    headline: str
    rates: pd.DataFrame
    actions: pd.DataFrame
    triggers: pd.DataFrame
    reviewers: str


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _span(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(seconds)
    return (
        f"{s} s"
        if s < 120
        else f"{s // 60} min"
        if s < 7_200
        else f"{s / 3600:.1f} h"
        if s < 172_800
        else f"{s // 86_400} d"
    )


def _card(key: str, label: str, value: str, detail: str) -> str:
    return (
        f'<div class="hg-card" id="card-{key}"><div class="hg-label">{esc(label)}</div>'
        f'<div class="hg-value">{esc(value)}</div><div class="hg-detail">{esc(detail)}</div></div>'
    )


def _of(rate: Rate, what: str) -> str:
    return f"{rate.count} of {rate.total} {what}"


def headline_html(m: MetricsReport, q: QualityReport) -> str:
    """Return the headline numbers as cards."""
    t, a, c = m.time_to_decision, q.agreement, q.canaries
    cards = [
        _card(
            "escalation", "Escalation rate", _pct(m.escalation.overall.rate), _of(m.escalation.overall, "assessments")
        ),
        _card("override", "Override rate", _pct(m.overrides.overall.rate), _of(m.overrides.overall, "decisions")),
        _card("ttd", "Time to decision p50 / p90", f"{_span(t.p50)} / {_span(t.p90)}", f"{t.count} decisions"),
        _card("queue", "Queue", f"{m.queue.pending} pending", f"oldest {_span(m.queue.oldest_seconds)}"),
        _card(
            "kappa",
            "Reviewer agreement (kappa)",
            "–" if a.kappa is None else f"{a.kappa:.2f}",
            f"{a.pairs} double-reviewed pairs" + ("" if a.observed is None else f", {a.observed:.0%} agree"),
        ),
        _card(
            "post-review",
            "Post-review error rate",
            _pct(q.post_review_errors.rate),
            _of(q.post_review_errors, "audited approvals had a finding"),
        ),
        _card(
            "auto-pass",
            "Auto-pass audit findings",
            _pct(q.auto_pass_findings.rate),
            _of(q.auto_pass_findings, "audits of auto-passed work"),
        ),
        _card(
            "canary", "Canary catch rate", _pct(c.catch_rate), f"{c.caught} of {c.decided} caught, {c.seeded} seeded"
        ),
    ]
    for g in m.guarantees:  # the escalation router's promise at each gate, beside what it costs
        p = g.promise
        value = "none" if p.problem else f"R ≥ {p.target:.0%} @ {p.confidence:.0%}"
        cards.append(
            _card(
                f"guarantee-{p.graph}-{p.node}",
                f"Router guarantee, {p.graph}.{p.node}",
                value,
                f"{p.router}: {p.sentence()}; costs {_pct(g.escalated.rate)} escalated "
                f"({_of(g.escalated, 'assessments')}), {_pct(g.router_held.rate)} held by the router",
            )
        )
    return f'<div class="hg-cards">{"".join(cards)}</div>'


def reviewers_html(q: QualityReport, *, only: str | None = None) -> str:
    """Return the reviewer table, flagged reviewers first and marked; every name and sentence escaped.

    ``only`` keeps that reviewer's row: others' signals are for owners and admins (``OVERSEER_ROLES``).
    """
    note = ""
    shown = q.reviewers
    if only is not None:
        note = f"<p>{esc('Your own signals; owners and admins see every reviewer.')}</p>"
        shown = tuple(r for r in q.reviewers if r.reviewer == only)
        if not shown:
            return note + "<p>You decided nothing in this period.</p>"
    if not shown:
        return "<p>No reviewer decided anything in this period.</p>"
    head = "".join(f"<th>{esc(h)}</th>" for h in (*REVIEWER_HEADERS, "why flagged"))
    rows = []
    for r in sorted(shown, key=lambda r: (not r.flagged, r.reviewer)):
        canaries = f"{r.canaries_seen - r.canaries_approved} of {r.canaries_seen} caught" if r.canaries_seen else "–"
        gap = "–" if r.approval_gap is None else f"{r.approval_gap * 100:+.0f} pts vs peers"
        cells = [
            '<span class="hg-flag">⚑ flagged</span>' if r.flagged else "",
            esc(r.reviewer),
            str(r.decisions),
            _pct(r.approval_rate),
            _pct(r.fast_share),
            str(r.longest_approve_streak),
            esc(gap),
            esc(canaries),
            "<br>".join(esc(f) for f in r.flags),
        ]
        css = ' class="hg-flagged"' if r.flagged else ""
        rows.append(f"<tr{css}>{''.join(f'<td>{c}</td>' for c in cells)}</tr>")
    flagged = sum(r.flagged for r in shown)
    lead = f"{flagged} of {len(shown)} reviewers flagged for possible rubber-stamping."
    if only is not None:
        lead = "Flagged for possible rubber-stamping." if flagged else "Not flagged."
    return f'{note}<p>{esc(lead)}</p><table class="hg-reviewers"><tr>{head}</tr>{"".join(rows)}</table>'


def series_frames(s: DailySeries) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return long-form frames for the plots: rates (percent) per day, decisions by action, trigger kinds."""
    rates = [
        {"day": day, "series": name, "percent": round(100 * rate.rate, 1)}
        for name, series in (("escalation rate", s.escalation), ("override rate", s.overrides))
        for day, rate in zip(s.days, series, strict=True)
        if rate.rate is not None
    ]
    actions = [
        {"day": day, "action": action, "decisions": n}
        for action, counts in s.actions
        for day, n in zip(s.days, counts, strict=True)
    ]
    triggers = [
        {"day": day, "trigger": kind, "assessments": n}
        for kind, counts in s.triggers
        for day, n in zip(s.days, counts, strict=True)
    ]
    return (
        pd.DataFrame(rates, columns=["day", "series", "percent"]),
        pd.DataFrame(actions, columns=["day", "action", "decisions"]),
        pd.DataFrame(triggers, columns=["day", "trigger", "assessments"]),
    )


def load_view(orch: Orchestrator, period: str, *, only: str | None = None) -> MetricsView:
    """Compute everything the tab shows for ``period`` (a key of ``PERIODS``) in one read transaction.

    ``only`` limits the reviewer table to that reviewer (see ``reviewers_html``).
    """
    now = orch.clock()
    days = PERIODS.get(period, 30)
    since = None if days is None else now - days * _DAY
    promises = orch.promises()
    with orch.db.read() as conn:
        m = compute_metrics(conn, now=now, since=since, promises=promises)
        q = compute_quality(conn, now=now, since=since)
        s = daily_series(conn, now=now, since=since)
    rates, actions, triggers = series_frames(s)
    return MetricsView(headline_html(m, q), rates, actions, triggers, reviewers_html(q, only=only))


@dataclass(frozen=True)
class MetricsTab:
    """The tab's components; ``refresh(period)`` returns their new values in ``outputs`` order."""

    tab: gr.Tab
    refresh: Callable[..., list[Any]]  # (period, request) -> new values of ``outputs``
    inputs: Sequence[Any]
    outputs: Sequence[Any]


def metrics_tab(orch: Orchestrator, *, default_user: str | None = None) -> MetricsTab:
    """Build the Metrics tab inside the current ``gr.Tabs`` and wire its period selector and Refresh button.

    ``default_user`` views the tab when nobody signed in (tests only, as in ``build_app``).
    """
    with gr.Tab("Metrics", id="metrics") as tab:
        with gr.Row():
            period = gr.Radio(list(PERIODS), value="Last 30 days", label="Period", elem_id="metrics-period")
            button = gr.Button("Refresh", elem_id="metrics-refresh", size="sm", scale=0, min_width=120)
        headline = gr.HTML(_STYLE, elem_id="metrics-headline")
        with gr.Row():
            rates = gr.LinePlot(
                x="day",
                y="percent",
                color="series",
                title="Escalation and override rate per day (%)",
                y_lim=[0, 100],
                x_label_angle=-45,
                height=280,
                elem_id="plot-rates",
            )
            actions = gr.BarPlot(
                x="day",
                y="decisions",
                color="action",
                title="Decisions per day by action",
                x_label_angle=-45,
                height=280,
                elem_id="plot-actions",
            )
        triggers = gr.LinePlot(
            x="day",
            y="assessments",
            color="trigger",
            title="Top trigger kinds per day (assessments)",
            x_label_angle=-45,
            height=260,
            elem_id="plot-triggers",
        )
        gr.Markdown("**Reviewers** · fast = decided under the minimum review time for the item's risk level")
        reviewers = gr.HTML(elem_id="metrics-reviewers")
    outputs = [headline, rates, actions, triggers, reviewers]

    def refresh(choice: str, request: gr.Request | None = None) -> list[Any]:
        user = (getattr(request, "username", None) if request is not None else None) or default_user
        try:
            if not user:
                raise HumanGateError("Sign in to see the metrics.")
            overseer = orch.user_role(user) in OVERSEER_ROLES
            v = load_view(orch, choice, only=None if overseer else user)
        except HumanGateError as exc:
            return [_STYLE + render_status(str(exc)), None, None, None, ""]
        return [_STYLE + v.headline, v.rates, v.actions, v.triggers, v.reviewers]

    button.click(refresh, period, outputs)
    period.change(refresh, period, outputs)
    return MetricsTab(tab=tab, refresh=refresh, inputs=[period], outputs=outputs)
