"""Limits per model endpoint: calls at once, requests and tokens per minute, and the server's Retry-After.

The limits sit in the HTTP client the chat model talks through (an ``httpx`` transport), so they hold for
every agent, every run and every worker thread of a process, whether a node calls the model synchronously
or with ``await``. A call waits for a free slot and for both token buckets; an answer of HTTP 429 or 503
with ``Retry-After`` pauses every call to that endpoint until then (the agent's own retry still runs).
Tokens are estimated from the request (a quarter of its bytes plus ``max_tokens``) and corrected with the
``usage`` the answer reports.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["EndpointLimiter", "EndpointLimits", "limited_clients"]

_MAX_PAUSE = 60.0  # a server asking for longer is not waited for at once; the agent's retry gives up first
_DEFAULT_COMPLETION_TOKENS = 256


@dataclass(frozen=True)
class EndpointLimits:
    """The limits for one model endpoint; None means no limit."""

    concurrency: int = 16
    rpm: float | None = None
    tpm: float | None = None


class _Bucket:
    """A token bucket refilled continuously at ``per_minute``; a request larger than it waits for a full one."""

    def __init__(self, per_minute: float, clock: Callable[[], float]) -> None:
        self.rate = per_minute / 60.0
        self.capacity = per_minute
        self.level = per_minute
        self.clock = clock
        self.at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.at) * self.rate)
        self.at = now

    def wait_for(self, amount: float) -> float:
        """Return the seconds until ``amount`` can be taken (0: now)."""
        self._refill()
        need = min(amount, self.capacity)
        return 0.0 if self.level >= need else (need - self.level) / self.rate

    def take(self, amount: float) -> None:
        self._refill()
        self.level -= amount  # may go below zero for a large request: later ones wait it off

    def give(self, amount: float) -> None:
        self._refill()
        self.level = min(self.capacity, self.level + amount)


class EndpointLimiter:
    """Admit calls to one endpoint within its limits; thread-safe, shared by sync and async clients."""

    def __init__(self, limits: EndpointLimits, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._cond = threading.Condition()
        self._in_flight = 0
        self._paused_until = 0.0
        self._requests = _Bucket(limits.rpm, clock) if limits.rpm else None
        self._tokens = _Bucket(limits.tpm, clock) if limits.tpm else None
        self.peak_in_flight = 0  # the most calls seen at once (for tests and benches)

    def _wait_seconds(self, tokens: float) -> float:
        waits = [self._paused_until - self.clock()]
        if self._requests is not None:
            waits.append(self._requests.wait_for(1))
        if self._tokens is not None:
            waits.append(self._tokens.wait_for(tokens))
        return max(0.0, *waits)

    def try_acquire(self, tokens: float) -> float:
        """Take a slot for a call of ``tokens`` tokens and return 0, or return how long to wait first."""
        with self._cond:
            if self._in_flight >= self.limits.concurrency:
                return 0.05
            wait = self._wait_seconds(tokens)
            if wait > 0:
                return wait
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            if self._requests is not None:
                self._requests.take(1)
            if self._tokens is not None:
                self._tokens.take(tokens)
            return 0.0

    def acquire(self, tokens: float) -> None:
        """Block until a call of ``tokens`` tokens may go out, then take its slot."""
        with self._cond:
            while (wait := self.try_acquire(tokens)) > 0:
                self._cond.wait(timeout=wait)

    async def aacquire(self, tokens: float) -> None:
        """Wait on the event loop until a call may go out, then take its slot."""
        while (wait := self.try_acquire(tokens)) > 0:
            await asyncio.sleep(min(wait, 0.05) if self._in_flight >= self.limits.concurrency else wait)

    def release(self, estimated: float, used: float | None, response: httpx.Response | None) -> None:
        """Free the slot; correct the token bucket with what the call used; honour a Retry-After."""
        with self._cond:
            self._in_flight -= 1
            if self._tokens is not None and used is not None:
                if used > estimated:
                    self._tokens.take(used - estimated)
                else:
                    self._tokens.give(estimated - used)
            if response is not None and response.status_code in (429, 503):
                pause = _retry_after(response.headers.get("retry-after"))
                if pause:
                    self._paused_until = max(self._paused_until, self.clock() + min(pause, _MAX_PAUSE))
            self._cond.notify_all()


def _retry_after(value: str | None) -> float:
    """Return the seconds a Retry-After header asks for (a number or an HTTP date), 0 when none."""
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0


def _estimate(request: httpx.Request) -> float:
    body = request.content or b""
    asked = _DEFAULT_COMPLETION_TOKENS
    try:
        data = json.loads(body) if body else {}
        asked = int(data.get("max_tokens") or data.get("max_completion_tokens") or asked)
    except (ValueError, TypeError, AttributeError):
        pass
    return len(body) / 4 + asked


def _used(response: httpx.Response) -> float | None:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        usage = response.json().get("usage") or {}
        return float(usage["total_tokens"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class _Transport(httpx.BaseTransport):
    def __init__(self, limiter: EndpointLimiter, inner: httpx.BaseTransport) -> None:
        self.limiter, self.inner = limiter, inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        estimated = _estimate(request)
        self.limiter.acquire(estimated)
        response: httpx.Response | None = None
        used = None
        try:
            response = self.inner.handle_request(request)
            response.read()  # model answers are small JSON documents; the slot is held until it arrived
            used = _used(response)
            return response
        finally:
            self.limiter.release(estimated, used, response)

    def close(self) -> None:
        self.inner.close()


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, limiter: EndpointLimiter, inner: httpx.AsyncBaseTransport) -> None:
        self.limiter, self.inner = limiter, inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        estimated = _estimate(request)
        await self.limiter.aacquire(estimated)
        response: httpx.Response | None = None
        used = None
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            used = _used(response)
            return response
        finally:
            self.limiter.release(estimated, used, response)

    async def aclose(self) -> None:
        await self.inner.aclose()


def limited_clients(limiter: EndpointLimiter, *, timeout: float = 60.0) -> tuple[httpx.Client, httpx.AsyncClient]:
    """Return a sync and an async HTTP client whose calls pass through ``limiter``."""
    pool = httpx.Limits(
        max_connections=limiter.limits.concurrency * 2, max_keepalive_connections=limiter.limits.concurrency
    )
    sync = httpx.Client(transport=_Transport(limiter, httpx.HTTPTransport(limits=pool)), timeout=timeout)
    async_ = httpx.AsyncClient(
        transport=_AsyncTransport(limiter, httpx.AsyncHTTPTransport(limits=pool)), timeout=timeout
    )
    return sync, async_
