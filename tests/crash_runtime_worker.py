"""A worker process for ``tests/test_crash_workers.py``: the body of ``humangate worker`` on the shipped graphs.

Usage: ``python tests/crash_runtime_worker.py DB_URL OUTBOX_DIR AUDIT_KEY CONCURRENCY``

It runs ``humangate.runtime.worker.run_worker`` (what ``humangate worker`` runs) with the offline engine, so
every job runs a real graph of the product (``outreach``) with its agents, gates and outbox. It prints
``ready`` once its pool takes jobs, and runs until SIGTERM (or until the test kills it with SIGKILL).
"""

from __future__ import annotations

import sys
from pathlib import Path

from humangate import Settings
from humangate.runtime.worker import run_worker


def main(argv: list[str]) -> int:
    """Run a worker pool until SIGTERM or SIGINT."""
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    db_url, outbox_dir, audit_key, concurrency = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3])
    settings = Settings(
        db_url=db_url,
        outbox_dir=outbox_dir,
        audit_key_file=audit_key,
        model="offline",
        workers="external",
        worker_concurrency=concurrency,
    )
    run_worker(settings, concurrency=concurrency, grace=5, ready=lambda pool: print("ready", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
