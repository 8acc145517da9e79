"""Learning curve: does correction memory cut repeat escalations without letting more bad work through?

A scripted reviewer with fixed rules works through one stream of drafting and support tasks with
recurring patterns, twice in one run: with memory off, then on, each on a fresh SQLite database and
the same cautious policy (every proposal is reviewed until memory earns autonomy). Its rules:

- never promise response or delivery times;
- support replies name no internal team: "our support team", not "our product specialists" or "our
  technical team" (what the offline replies say);
- intro email subjects start with "Introduction:" (the drafter writes "Quick introduction for ...");
- never name a competitor (some briefs mention one of three recurring competitors);
- refund threats go to an expert (it escalates them; the expert approves).

Everything else it approves unchanged. The bench prints escalations (tasks that paused for a person)
per 20 tasks and the override rate in both modes, and the share of auto-passed tasks the reviewer
would have overridden (judged on what was actually sent), and writes a PNG plot.

Targets: with memory, escalations over the last 50 tasks at least 50% lower than without, and the
share of auto-passed tasks the reviewer would have overridden no higher than without.

    .venv/bin/python bench/learning_curve.py [--tasks 200] [--plot learning_curve.png] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from humangate import Orchestrator, Settings
from humangate.checkpoints.schema import outbox
from humangate.graphs.common import GraphDeps
from humangate.risk import RiskPolicy

POLICY = """
version = "bench-cautious-1"
[defaults]
review_from = "low"      # a cautious team: every proposal is reviewed ...
autonomy_after = {n}     # ... until memory has seen this many similar approvals in a row
"""
COMPETITORS = ("Rivalsoft", "Contoso", "Globex")
PROMISE = re.compile(r",? within (?:one|two|\d+) business days?", re.I)
TEAMS = re.compile(r"\bour (?:product specialists|technical team|billing team)\b")
WINDOW = 20
LAST = 50


def _stream(n: int, seed: int) -> list[dict[str, Any]]:
    """Return ``n`` tasks: support messages and intro emails that repeat a handful of patterns."""
    rng = random.Random(seed)
    verbs = ["export", "download", "change", "update", "reset", "share"]
    things = ["invoices", "password", "billing address", "team members", "monthly reports", "API key"]
    asks = ["How do I {v} my {o}?", "Is there a way to {v} my {o}?", "Can you tell me how to {v} my {o}?"]
    features = ["export button", "dashboard", "search bar", "upload page", "calendar sync"]
    faults = ["does nothing when I click it", "shows a blank page", "keeps loading forever", "ignores my changes"]
    threats = [
        "I was charged twice for {o}. Refund me now or I will dispute the charge with my bank.",
        "Give me my money back for the {o} or I'm filing a chargeback today.",
        "Refund the {o} fee immediately or I dispute it with my card company.",
    ]
    companies = [
        "Alder Labs", "Birch Robotics", "Cedar Health", "Dune Freight", "Elm Analytics", "Fjord Foods",
        "Granite Bank", "Hollow Games", "Iris Optics", "Juniper Legal", "Kestrel Air", "Lumen Solar",
    ]  # fmt: skip
    products = ["scheduling software", "warehouse robots", "patient portals", "route planning", "payroll tools"]
    people = ["Dana Fox", "Omar Haddad", "Mei Tanaka", "Lars Berg", "Priya Nair", "Tom Okafor", "Ines Duarte"]
    tasks: list[dict[str, Any]] = []
    for i in range(n):
        kind = rng.choices(["question", "technical", "refund", "intro"], weights=[3, 3, 1, 4])[0]
        who = rng.choice(people)
        if kind == "question":
            text = rng.choice(asks).format(v=rng.choice(verbs), o=rng.choice(things))
        elif kind == "technical":
            text = f"The {rng.choice(features)} {rng.choice(faults)}."
        elif kind == "refund":
            text = rng.choice(threats).format(o=rng.choice([*things[:3], "subscription"]))
        if kind != "intro":
            tasks.append(
                {"n": i, "kind": kind, "graph": "support", "input": {"id": f"m{i}", "customer": who, "text": text}}
            )
            continue
        company = rng.choice(companies)
        claims = [
            {"text": f"{company} builds {rng.choice(products)} for mid-sized firms.", "source_ids": ["s1"]},
            {
                "text": f"{company} opened a second office in {rng.choice(['Leeds', 'Porto', 'Austin'])}.",
                "source_ids": ["s2"],
            },
        ]
        if rng.random() < 0.35:
            rival = rng.choice(COMPETITORS)
            claims.append(
                {"text": f"{company} moved its billing from {rival} to an in-house system.", "source_ids": ["s1", "s2"]}
            )
        brief = {
            "subject": company,
            "summary": f"{company} at a glance.",
            "claims": claims,
            "coverage": 1.0,
            "confidence": 0.9,
        }
        recipient = {"name": who, "email": who.split()[0].lower() + "@example.com", "company": company}
        tasks.append({"n": i, "kind": "intro", "graph": "drafting", "input": {"recipient": recipient, "brief": brief}})
    return tasks


def _judge(task: dict[str, Any], proposal: dict[str, Any], role: str) -> dict[str, Any]:
    """Return the scripted reviewer's decision on ``proposal`` (as the ``role`` deciding it)."""
    if task["kind"] == "refund" and role == "reviewer":
        return {
            "action": "escalate",
            "escalate_to": "expert",
            "reason_code": "needs_expert",
            "note": "Refund threats go to an expert.",
        }
    body, subject = proposal.get("body", ""), proposal.get("subject")
    fixed = TEAMS.sub("our support team", PROMISE.sub("", body))
    fixed = "\n".join(line for line in fixed.split("\n") if not any(c in line for c in COMPETITORS))
    edit: dict[str, Any] = {**proposal, "body": fixed}
    notes = []
    if fixed != body:
        notes.append("No promised times, no team names, no competitors.")
    if task["graph"] == "drafting" and not str(subject).startswith("Introduction:"):
        edit["subject"] = "Introduction: " + task["input"]["recipient"]["company"]
        notes.append("Subjects start with 'Introduction:'.")
    if notes:
        return {"action": "edit", "edited": edit, "reason_code": "policy", "note": " ".join(notes)}
    return {"action": "approve"}


@dataclass
class Result:
    """What one pass over the stream measured."""

    memory: bool
    escalated: list[bool] = field(default_factory=list)
    decisions: int = 0
    overrides: int = 0
    overrides_by_kind: dict[str, int] = field(default_factory=dict)
    autopassed: int = 0
    bad_autopassed: int = 0
    seconds: float = 0.0

    def per_window(self) -> list[int]:
        """Return escalations per ``WINDOW`` tasks."""
        return [sum(self.escalated[i : i + WINDOW]) for i in range(0, len(self.escalated), WINDOW)]

    def summary(self) -> dict[str, Any]:
        """Return the figures as JSON-ready data."""
        return {
            "memory": self.memory,
            "escalations_per_20": self.per_window(),
            "escalations_last_50": sum(self.escalated[-LAST:]),
            "override_rate": round(self.overrides / self.decisions, 3) if self.decisions else None,
            "overrides_by_pattern": dict(sorted(self.overrides_by_kind.items())),
            "decisions": self.decisions,
            "autopassed": self.autopassed,
            "bad_autopassed": self.bad_autopassed,
            "bad_autopass_share": round(self.bad_autopassed / self.autopassed, 3) if self.autopassed else 0.0,
            "seconds": round(self.seconds, 1),
        }


def _sent(o: Orchestrator, run_id: str) -> dict[str, Any] | None:
    with o.db.read() as conn:
        row = conn.execute(select(outbox.c.payload_json).where(outbox.c.run_id == run_id)).first()
    return json.loads(row.payload_json) if row else None


def run_stream(
    tasks: list[dict[str, Any]], *, memory: bool, autonomy_after: int, folder: Path, embeddings: str = "lexical"
) -> Result:
    """Work through ``tasks`` with a fresh database; return what happened."""
    settings = Settings(
        db_url=f"sqlite:///{folder / 'bench.db'}", outbox_dir=folder / "outbox", memory=memory, embeddings=embeddings
    )
    policy = RiskPolicy.from_toml_text(POLICY.format(n=autonomy_after))
    result = Result(memory=memory)
    started = time.perf_counter()
    with Orchestrator(settings, deps=GraphDeps(policy=policy)) as o:
        # Two reviewers with the same rules take turns: autonomy needs approvals from at least two people.
        for name, role in (("rita", "reviewer"), ("ray", "reviewer"), ("ed", "expert"), ("eve", "expert")):
            o.add_user(name, role)  # type: ignore[arg-type]
        for task in tasks:
            run = o.start(task["graph"], task["input"])
            paused = run.status == "paused"
            while run.status == "paused":
                item = o.item(run.pending_items[0])
                decision = _judge(task, item.request.proposal, item.required_role)
                pair = ("ed", "eve") if item.required_role != "reviewer" else ("rita", "ray")
                reviewer = pair[result.decisions % 2]  # a held edit needs another person than its editor
                run = o.decide(item.id, {**decision, "reviewer": reviewer}).run
                result.decisions += 1
                if decision["action"] in ("edit", "reject", "redirect"):
                    result.overrides += 1
                    result.overrides_by_kind[task["kind"]] = result.overrides_by_kind.get(task["kind"], 0) + 1
            result.escalated.append(paused)
            if not paused:
                result.autopassed += 1
                would = _judge(task, _sent(o, run.id) or {}, "reviewer")
                result.bad_autopassed += would["action"] != "approve"
            print(
                f"\r  memory {'on ' if memory else 'off'}: {len(result.escalated)}/{len(tasks)} tasks",
                end="",
                file=sys.stderr,
            )
    print(file=sys.stderr)
    result.seconds = time.perf_counter() - started
    return result


def _plot(off: Result, on: Result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [WINDOW * (i + 1) for i in range(len(off.per_window()))]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    ax.plot(xs, off.per_window(), marker="o", label="memory off")
    ax.plot(xs, on.per_window(), marker="o", label="memory on")
    ax.set_xlabel("tasks")
    ax.set_ylabel(f"escalations per {WINDOW} tasks")
    ax.set_ylim(0, WINDOW)
    ax.set_title("Escalations fall as the reviewer's corrections are remembered")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    """Run the stream with memory off and on, print the comparison, write the plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--autonomy-after", type=int, default=5, help="the policy's autonomy_after (default 5)")
    parser.add_argument("--embeddings", default="lexical", help="lexical (default), local or openai")
    parser.add_argument("--plot", type=Path, default=Path("learning_curve.png"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tasks = _stream(args.tasks, args.seed)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        off = run_stream(tasks, memory=False, autonomy_after=args.autonomy_after, folder=Path(a))
        on = run_stream(
            tasks, memory=True, autonomy_after=args.autonomy_after, folder=Path(b), embeddings=args.embeddings
        )
    _plot(off, on, args.plot)
    last_off, last_on = sum(off.escalated[-LAST:]), sum(on.escalated[-LAST:])
    cut = 1 - last_on / last_off if last_off else 0.0
    s_off, s_on = off.summary(), on.summary()
    report = {
        "tasks": len(tasks),
        "embeddings": args.embeddings,
        "off": s_off,
        "on": s_on,
        "last_50_reduction": round(cut, 3),
        "target_reduction_met": cut >= 0.5,
        "target_bad_autopass_met": s_on["bad_autopass_share"] <= s_off["bad_autopass_share"],
        "plot": str(args.plot),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"Learning curve over {len(tasks)} tasks, {args.embeddings} embeddings (escalations = tasks that paused)\n")
    print(f"{'tasks':>10} | {'memory off':>10} | {'memory on':>9}")
    for i, (a_, b_) in enumerate(zip(off.per_window(), on.per_window(), strict=True)):
        print(f"{f'{i * WINDOW + 1}-{(i + 1) * WINDOW}':>10} | {a_:>10} | {b_:>9}")
    print(f"\nescalations, last {LAST} tasks: off {last_off}, on {last_on}: {cut:.0%} fewer (target >= 50%)")
    print(f"override rate: off {s_off['override_rate']}, on {s_on['override_rate']}")
    print(f"overrides by pattern: off {s_off['overrides_by_pattern']}, on {s_on['overrides_by_pattern']}")
    print(
        f"auto-passed tasks the reviewer would have overridden: off {s_off['bad_autopassed']}/{s_off['autopassed']}, "
        f"on {s_on['bad_autopassed']}/{s_on['autopassed']} (target: on no higher than off)"
    )
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
