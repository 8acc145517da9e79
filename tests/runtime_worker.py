"""A worker process for runtime tests: a pool running jobs on the ``timed`` graph until SIGTERM.

Usage: ``python tests/runtime_worker.py DB_URL OUTBOX_DIR LOG CONCURRENCY``; prints ``ready`` once it takes jobs.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: make `tests` importable

from humangate import Orchestrator, Settings
from humangate.runtime import JobClient, WorkerPool
from tests.runtime_graphs import timed_registry


def main(argv: list[str]) -> int:
    """Run the pool until SIGTERM or SIGINT, then stop it gracefully."""
    db_url, outbox, log, concurrency = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    settings = Settings(db_url=db_url, outbox_dir=outbox)
    client = JobClient(settings)
    orch = Orchestrator(settings, registry=timed_registry(log), runtime=client)
    with WorkerPool(orch, client, concurrency=concurrency, grace=5):
        print("ready", flush=True)
        stop.wait()
    orch.close()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
