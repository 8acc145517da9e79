"""Crash-test worker: start a batch of ``notify`` runs and decide pending items as it goes.

Usage: ``python tests/crash_worker.py DB_URL OUTBOX_DIR N SEED``

Run ids are ``run-0000`` .. ``run-{N-1}``; ids already in the runs table are skipped, so a worker
started after a crash carries on with the batch. Inputs and decisions follow SEED; a worker with an
odd SEED calls ``reconcile()`` before it starts anything. It prints ``ready`` once its Orchestrator
is open, then a line per run started and per item decided; ``tests/test_crash.py`` counts these
lines to kill it with SIGKILL at a random point of the batch.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from humangate import Orchestrator, ReviewItem, Settings
from humangate.checkpoints.schema import runs
from humangate.core.contract import Role

AUTO_TOPIC = "Thanks for the meeting."
"""The only topic that passes the gate on its own (with ``require_approval`` False)."""
EDIT_MARK = "Edited by a reviewer."
"""Appended to the body by every ``edit`` decision, so the sent file shows which text went out."""
STARTED_BY = "crash-worker"
USERS: tuple[tuple[str, Role], ...] = (("alice", "reviewer"), ("bob", "reviewer"), ("erin", "expert"))

_TOPICS: tuple[tuple[str, bool], ...] = (  # (topic, require_approval)
    (AUTO_TOPIC, False),
    (AUTO_TOPIC, False),
    (AUTO_TOPIC, True),
    ("Here is the agenda for Tuesday.", True),
    ("Following up on your refund request.", False),  # policy word: high risk
    ("Call +1 415 555 0100 about the refund.", False),  # policy and a phone number: critical, for an expert
)


def run_id_for(index: int) -> str:
    """Return the id of the batch's ``index``-th run."""
    return f"run-{index:04d}"


def inputs_for(seed: int, index: int) -> dict[str, Any]:
    """Return the input of run ``index``."""
    rng = random.Random(f"{seed}:{index}")
    topic, require_approval = rng.choice(_TOPICS)
    return {
        "recipient": rng.choice(["Ann Lee", "Bo Chen", "Cy Diaz"]),
        "email": f"user{index}@example.com",
        "company": rng.choice(["", "Acme"]),
        "topic": topic,
        "require_approval": require_approval,
    }


def needs_review(inputs: dict[str, Any]) -> bool:
    """Return True when the gate must pause a run with these inputs."""
    return bool(inputs["require_approval"]) or inputs["topic"] != AUTO_TOPIC


def decision_for(item: ReviewItem, rng: random.Random) -> dict[str, Any]:
    """Pick a valid decision for ``item``: approve, edit, reject or (once per run) redirect."""
    reviewer = "erin" if item.required_role == "expert" else rng.choice(["alice", "bob"])
    request = item.request
    action = rng.choices(["approve", "edit", "reject", "redirect"], weights=[4, 2, 2, 2])[0]
    if action == "redirect" and any(a.startswith("Redirected:") for a in request.attempts):
        action = "approve"  # one redirect per run keeps every run finite
    if action == "edit":
        edited = {**request.proposal, "body": f"{request.proposal['body']}\n\n{EDIT_MARK}"}
        return {"action": "edit", "reviewer": reviewer, "reason_code": "tone", "edited": edited}
    if action == "reject":
        return {"action": "reject", "reviewer": reviewer, "reason_code": "policy", "note": "Not this one."}
    if action == "redirect":
        return {
            "action": "redirect",
            "reviewer": reviewer,
            "reason_code": "tone",
            "instructions": "Please keep it brief.",
        }
    return {"action": "approve", "reviewer": reviewer}


def decide_one(orch: Orchestrator, rng: random.Random) -> None:
    """Decide one pending item picked at random, if there is one."""
    # Gate items only: audit items (second looks at sampled work) take approve or reject, and hold no run.
    items = [i for i in orch.pending(limit=100).items if i.kind == "gate"]
    if items:
        item = rng.choice(items)
        orch.decide(item.id, decision_for(item, rng))
        print(f"decided {item.id}", flush=True)


def main(argv: list[str]) -> int:
    """Reconcile (odd seeds), then start the batch's missing runs, deciding items in between."""
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    db_url, outbox_dir, n, seed = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    rng = random.Random(seed)
    with Orchestrator(Settings(db_url=db_url, outbox_dir=outbox_dir)) as orch:
        print("ready", flush=True)
        if seed % 2:  # odd seeds recover first, so a kill can also land inside reconcile
            orch.reconcile()
        with orch.db.read() as conn:
            existing = set(conn.execute(select(runs.c.id)).scalars())
        for index in range(n):
            run_id = run_id_for(index)
            if run_id in existing:
                continue
            orch.start("notify", inputs_for(seed, index), run_id=run_id, started_by=STARTED_BY)
            print(f"started {run_id}", flush=True)
            if rng.random() < 0.55:  # fewer decisions than new items: some runs are still paused at the end
                decide_one(orch, rng)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
