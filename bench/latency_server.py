"""An OpenAI-compatible chat completions server on 127.0.0.1 that answers every call after a fixed latency.

Run: ``.venv/bin/python bench/latency_server.py [--latency 0.5] [--jitter 0.2] [--seed 17] [--port 0]
[--slow-marker TEXT --slow-latency 5]``;
it prints ``http://127.0.0.1:PORT/v1`` once it listens. ``LatencyServer`` starts it as a subprocess (its
own interpreter, so its work never takes the measured process's GIL).

Each ``POST /v1/chat/completions`` waits ``latency`` seconds times a uniform factor in ``1 +- jitter``
(drawn from a generator seeded with ``seed``) on an asyncio loop, so many calls wait at once, then answers
with a valid instance of whatever the request asks for, by the method it asks with: ``response_format``
``json_schema`` (the first method ``call_structured`` tries) or ``json_object`` as message content, tools as a
tool call. A ``Brief`` cites the first sentence of each source in the prompt word for word (so the
researcher's grounding check keeps every claim); an ``EmailDraft`` greets the recipient by first name and
states the first two claims (so the drafter's checks keep it); any other schema gets its smallest valid
instance. With ``slow_marker``, a call whose messages contain that text waits ``slow_latency`` seconds
exactly instead (so one server can answer some runs slowly and the rest quickly, decided by what each run
sends, not by when). ``GET /stats`` returns the request log's totals: calls, by schema and method, the
latency slept, and the slow calls by schema.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

__all__ = ["LatencyServer", "answer_for"]

_SOURCE = re.compile(r'<source id="([^"]*)"[^>]*>\n(.*?)\n</source>', re.S)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLAIM_LINE = re.compile(r"^(\d+): (.+) \[[^\]]*\]$", re.M)
_REASONS = {200: "OK", 404: "Not Found", 400: "Bad Request"}


def _line(text: str, label: str) -> str:
    found = re.search(rf"^{re.escape(label)}: ?(.*)$", text, re.M)
    return found.group(1).strip() if found else ""


def _brief(prompt: str) -> dict[str, Any]:
    claims = []
    for source_id, text in _SOURCE.findall(prompt):
        sentences = [s for s in _SENTENCE.split(" ".join(text.split())) if len(s.split()) >= 5]
        if sentences:
            claims.append({"text": sentences[0], "source_ids": [source_id]})
    return {
        "subject": _line(prompt, "Subject") or "the subject",
        "summary": claims[0]["text"] if claims else "",
        "claims": claims,
        "coverage": 1.0 if claims else 0.0,
        "confidence": 0.9,
    }


def _email(prompt: str) -> dict[str, Any]:
    recipient = _line(prompt, "Recipient")
    name = recipient.split("<")[0].split(",")[0].strip() or "there"
    address = re.search(r"<([^>]+)>", recipient)
    claims = _CLAIM_LINE.findall(prompt)[:2]
    facts = " ".join(text for _, text in claims) or "I would like to introduce our team."
    body = (
        f"Hi {name.split()[0]},\n\nI read that {facts}\n\nWould you have twenty minutes next "
        f"week to talk about how we could help?\n\nBest regards,\n{_line(prompt, 'Sender') or 'The team'}"
    )
    return {
        "to": address.group(1) if address else "",
        "subject": f"An introduction, {name.split()[0]}",
        "body": body,
        "claims_used": [int(i) for i, _ in claims],
        "confidence": 0.8,
    }


def _smallest(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """Return the smallest instance of a JSON schema: required fields only, first choices, lower bounds."""
    if "$ref" in schema:
        return _smallest(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _smallest(schema[key][0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _smallest(props[name], defs) for name in schema.get("required", [])}
    if kind == "array":
        return [_smallest(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return "a short answer from the latency server"[: schema.get("maxLength", 200)]
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        return max(low, min(schema.get("maximum", 0.5), 0.5)) if kind == "number" else int(low)
    return False if kind == "boolean" else None


def answer_for(request: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """Return (schema name, method, answer) for a chat completions request body."""
    fmt = request.get("response_format") or {}
    tools = request.get("tools") or []
    if fmt.get("type") == "json_schema":
        name, schema, method = fmt["json_schema"]["name"], fmt["json_schema"].get("schema", {}), "json_schema"
    elif tools:
        function = tools[0]["function"]
        name, schema, method = function["name"], function.get("parameters", {}), "function_calling"
    else:
        name, schema, method = "", {}, "json_mode" if fmt.get("type") == "json_object" else "plain"
    prompt = "\n".join(str(m.get("content") or "") for m in request.get("messages", []))
    if name == "Brief" or (not name and "<source" in prompt):
        return "Brief", method, _brief(prompt)
    if name == "EmailDraft" or (not name and "Recipient:" in prompt):
        return "EmailDraft", method, _email(prompt)
    return name or "unknown", method, _smallest(schema, schema.get("$defs", {}))


def _completion(request: dict[str, Any], method: str, answer: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(answer)
    if method == "function_calling":
        name = request["tools"][0]["function"]["name"]
        call = {"id": "call_0", "type": "function", "function": {"name": name, "arguments": text}}
        message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": text, "refusal": None}, "stop"
    prompt_tokens = len(json.dumps(request.get("messages", []))) // 4
    return {
        "id": "chatcmpl-latency",
        "object": "chat.completion",
        "created": 0,
        "model": str(request.get("model", "latency")),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(text) // 4, "total_tokens": 0},
    }


class _Server:
    def __init__(
        self, latency: float, jitter: float, seed: int, slow_marker: str = "", slow_latency: float = 0.0
    ) -> None:
        self.latency, self.jitter, self.rng = latency, jitter, random.Random(seed)
        self.slow_marker, self.slow_latency = slow_marker, slow_latency
        self.calls = 0
        self.slept = 0.0
        self.by_schema: Counter[str] = Counter()
        self.by_method: Counter[str] = Counter()
        self.slow_by_schema: Counter[str] = Counter()

    async def respond(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/stats":
            return 200, {
                "calls": self.calls,
                "slept": self.slept,
                "by_schema": dict(self.by_schema),
                "by_method": dict(self.by_method),
                "slow_by_schema": dict(self.slow_by_schema),
            }
        if method == "GET" and path.endswith("/models"):
            return 200, {"object": "list", "data": [{"id": "latency", "object": "model"}]}
        if method != "POST" or not path.endswith("/chat/completions"):
            return 404, {"error": {"message": f"unknown path {path}", "code": 404}}
        request = json.loads(body)
        schema, how, answer = answer_for(request)
        wait = self.latency * self.rng.uniform(1 - self.jitter, 1 + self.jitter)
        if self.slow_marker and self.slow_marker in json.dumps(request.get("messages", [])):
            wait = self.slow_latency
            self.slow_by_schema[schema] += 1
        self.calls += 1
        self.slept += wait
        self.by_schema[schema] += 1
        self.by_method[how] += 1
        await asyncio.sleep(wait)
        completion = _completion(request, how, answer)
        completion["usage"]["total_tokens"] = sum(completion["usage"].values())
        return 200, completion

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, _, value = header.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                status, payload = await self.respond(method, path, body)
                data = json.dumps(payload).encode()
                head = (
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n"
                )
                writer.write(head.encode() + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


async def _serve(port: int, latency: float, jitter: float, seed: int, slow_marker: str, slow_latency: float) -> None:
    server = _Server(latency, jitter, seed, slow_marker, slow_latency)
    listener = await asyncio.start_server(server.connection, "127.0.0.1", port, backlog=1024)
    bound = listener.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{bound}/v1", flush=True)
    async with listener:
        await listener.serve_forever()


class LatencyServer:
    """The server in a subprocess; use as a context manager. ``stats()`` reads its request log's totals."""

    def __init__(
        self,
        *,
        latency: float = 0.5,
        jitter: float = 0.2,
        seed: int = 17,
        slow_marker: str = "",
        slow_latency: float = 0.0,
    ) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "--latency", str(latency)]
        command += ["--jitter", str(jitter), "--seed", str(seed)]
        command += ["--slow-marker", slow_marker, "--slow-latency", str(slow_latency)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        self.base_url = self._process.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self._process.kill()
            raise RuntimeError("the latency server did not start")

    def stats(self) -> dict[str, Any]:
        """Return the request log's totals: calls, seconds slept, calls by schema and by method, slow calls."""
        found: dict[str, Any] = httpx.get(self.base_url.removesuffix("/v1") + "/stats", timeout=10).json()
        return found

    def __enter__(self) -> LatencyServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per call (mean)")
    parser.add_argument("--jitter", type=float, default=0.2, help="uniform factor: latency * (1 +- jitter)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--slow-marker", default="", help="calls whose messages contain this text are slow")
    parser.add_argument("--slow-latency", type=float, default=0.0, help="seconds per slow call (exact)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.latency, args.jitter, args.seed, args.slow_marker, args.slow_latency))


if __name__ == "__main__":
    main()
