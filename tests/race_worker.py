"""Race-test worker: approve the review items it is told to, each at an agreed moment.

Usage: ``python tests/race_worker.py DB_URL OUTBOX_DIR REVIEWER``

It prints ``ready`` once its Orchestrator is open, then reads lines ``ITEM_ID GO_AT`` (GO_AT in UNIX
seconds) from stdin. For each it waits until GO_AT, calls ``decide(ITEM_ID, approve by REVIEWER)`` and
prints one JSON line: ``{"item", "outcome": "won" | "already_decided" | "error", "error", "message",
"refused_in"}``. An empty line or end of input ends it. ``tests/test_race.py`` runs two at once.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from humangate import Orchestrator, Settings
from humangate.errors import AlreadyDecidedError


def wait_until(moment: float) -> None:
    """Sleep until shortly before ``moment``, then spin, so two processes start within microseconds."""
    while (left := moment - time.time()) > 0.002:
        time.sleep(left - 0.002)
    while time.time() < moment:
        pass


def decide(orch: Orchestrator, item_id: int, reviewer: str) -> dict[str, Any]:
    """Approve ``item_id`` and describe what happened."""
    result: dict[str, Any] = {"item": item_id, "outcome": "won", "error": None, "message": None, "refused_in": None}
    try:
        orch.decide(item_id, {"action": "approve", "reviewer": reviewer})
    except Exception as exc:
        result["outcome"] = "already_decided" if isinstance(exc, AlreadyDecidedError) else "error"
        result["error"] = type(exc).__name__
        result["message"] = str(exc)
        result["refused_in"] = traceback.extract_tb(exc.__traceback__)[-1].name
    return result


def main(argv: list[str]) -> int:
    """Serve decide requests from stdin until an empty line."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    db_url, outbox_dir, reviewer = argv[0], Path(argv[1]), argv[2]
    with Orchestrator(Settings(db_url=db_url, outbox_dir=outbox_dir)) as orch:
        print("ready", flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            item, go_at = line.split()
            wait_until(float(go_at))
            print(json.dumps(decide(orch, int(item), reviewer)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
