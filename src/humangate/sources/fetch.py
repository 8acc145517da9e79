"""Fetch web pages named by a task with ``httpx``: public addresses only, robots.txt honoured, bounded in size and time.

A URL comes from a task's text or a CSV cell, so it is untrusted (see ``humangate.sources.urls``):

- only ``http``/``https`` URLs without credentials; each host is resolved and every address it resolves to
  must be public unless ``FetchPolicy.allow`` names its network. The connection then goes to the address
  that was checked (the request names the host in ``Host`` and in TLS's SNI, and the certificate is checked
  against it), so a DNS answer that changes between the check and the connection is never used;
- redirects are followed by hand, at most ``max_redirects``, and each target is checked as the first URL was
  (scheme, address, robots.txt);
- the body is read in chunks and the fetch stops once it passes ``max_bytes`` (a larger ``Content-Length`` is
  refused before reading); gzip and deflate bodies are inflated with the same bound, others refused;
- one deadline covers the whole fetch, robots.txt and redirects included;
- robots.txt is read as RFC 9309 says (with Protego, which matches the longest rule): a missing one (4xx)
  allows everything, an unreachable one (5xx, no answer) allows nothing; proxies from the environment are
  not used, since they would resolve the host themselves.

Anything refused raises ``SourceSkipped`` with the reason; nothing is fetched from a refused address. Any
other failure of one fetch (a URL no resolver or socket takes) is a ``SourceSkipped`` for that URL only.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import zlib
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import certifi
import httpx
from protego import Protego

from humangate.config import Settings
from humangate.errors import SourceSkipped
from humangate.sources.documents import MEDIA_KINDS
from humangate.sources.urls import IPNetwork, address_problem, parse_networks, url_problem

__all__ = ["USER_AGENT", "FetchPolicy", "Fetched", "Fetcher", "Resolver", "fetcher_from_settings"]

USER_AGENT = "humangate"
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Return the IP addresses a host name resolves to (passed in by tests; the default asks the system)."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_BYTES = 500_000
_CONCURRENCY = 4
T = TypeVar("T")


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of a fetch: networks allowed beyond public ones, the deadline, the size, and redirects."""

    allow: tuple[IPNetwork, ...] = ()
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """A page as fetched: the URL asked for, where it ended up, its media type and charset, and its bytes."""

    url: str
    final_url: str
    media_type: str
    charset: str | None
    body: bytes


async def _system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@functools.cache
def _tls() -> ssl.SSLContext:
    """Return the TLS context every fetch verifies certificates with (built once: loading CAs takes 0.3 s)."""
    return ssl.create_default_context(cafile=certifi.where())


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to the end from sync code, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop is running here: use a thread with its own
        return pool.submit(asyncio.run, coro).result()


@dataclass
class _Response:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes


@dataclass
class Fetcher:
    """Fetch pages under a ``FetchPolicy``; results and robots.txt files are kept for the fetcher's life."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    resolver: Resolver = _system_resolver
    transport: httpx.AsyncBaseTransport | None = None
    _robots: dict[str, Protego | None] = field(default_factory=dict, repr=False)
    _done: dict[str, Fetched | SourceSkipped] = field(default_factory=dict, repr=False)

    def fetch(self, url: str) -> Fetched:
        """Return the page at ``url``, or raise ``SourceSkipped`` saying why it was not fetched."""
        result = self.fetch_many([url])[0]
        if isinstance(result, SourceSkipped):
            raise result
        return result

    def fetch_many(self, urls: Sequence[str]) -> list[Fetched | SourceSkipped]:
        """Return each URL's page or why it was skipped, in order, fetching a few at a time."""
        todo = [u for u in dict.fromkeys(urls) if u not in self._done]
        if todo:
            _run(self._fetch_all(todo))
        return [self._done[u] for u in urls]

    async def _fetch_all(self, urls: list[str]) -> None:
        gate = asyncio.Semaphore(_CONCURRENCY)
        timeout = httpx.Timeout(self.policy.timeout_seconds)  # per step; the deadline below bounds the whole fetch
        async with httpx.AsyncClient(
            transport=self.transport, trust_env=False, follow_redirects=False, timeout=timeout, verify=_tls()
        ) as client:

            async def one(url: str) -> None:
                async with gate:
                    try:
                        async with asyncio.timeout(self.policy.timeout_seconds):
                            self._done[url] = await self._fetch(client, url)
                    except TimeoutError:
                        limit = f"{self.policy.timeout_seconds:g} s"
                        self._done[url] = SourceSkipped(url, f"took longer than {limit}; the fetch was stopped")
                    except SourceSkipped as exc:
                        self._done[url] = exc
                    except Exception as exc:  # one page's failure is that page's skip, never the task's
                        why = f"could not be fetched ({type(exc).__name__}: {exc})"[:300]
                        self._done[url] = SourceSkipped(url, why)

            await asyncio.gather(*(one(u) for u in urls))

    async def _fetch(self, client: httpx.AsyncClient, url: str) -> Fetched:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            pinned, host = await self._pin(url, current)
            if not await self._robots_allow(client, current):
                raise SourceSkipped(url, f"is disallowed by the site's robots.txt ({_origin(current)}/robots.txt)")
            response = await self._get(client, url, pinned, host, self.policy.max_bytes, page=True)
            if response.status in _REDIRECTS and "location" in response.headers:
                current = str(httpx.URL(current).join(response.headers["location"]))
                continue
            if not 200 <= response.status < 300:
                raise SourceSkipped(url, f"was answered {response.status} {response.reason}".rstrip())
            media, charset = _media(response.headers)
            return Fetched(url=url, final_url=current, media_type=media, charset=charset, body=response.body)
        raise SourceSkipped(url, f"redirects more than {self.policy.max_redirects} times")

    async def _robots_allow(self, client: httpx.AsyncClient, url: str) -> bool:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = await self._read_robots(client, f"{origin}/robots.txt")
        rules = self._robots[origin]
        return rules is not None and bool(rules.can_fetch(url, USER_AGENT))

    async def _read_robots(self, client: httpx.AsyncClient, url: str) -> Protego | None:
        """Return the site's rules (empty when it has none), or None when it was unreachable (allow nothing)."""
        current = url
        try:
            for _ in range(self.policy.max_redirects + 1):
                pinned, host = await self._pin(url, current)
                response = await self._get(client, url, pinned, host, _ROBOTS_BYTES, page=False)
                if response.status in _REDIRECTS and "location" in response.headers:
                    current = str(httpx.URL(current).join(response.headers["location"]))
                    continue
                if 400 <= response.status < 500:
                    return Protego.parse("")  # RFC 9309: no robots.txt, no rules
                if 200 <= response.status < 300:
                    return Protego.parse(response.body.decode("utf-8", errors="replace"))
                return None
        except SourceSkipped:
            return None
        return None

    async def _pin(self, asked: str, url: str) -> tuple[httpx.URL, str]:
        """Return ``url`` aimed at the address its host was checked at, and the host; raise when refused."""
        if problem := url_problem(url):
            raise SourceSkipped(asked, problem if url == asked else f"redirects to {url[:200]!r}, which {problem}")
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = await self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise SourceSkipped(asked, f"names a host that does not resolve ({host}: {why})"[:300]) from None
        if not addresses:
            raise SourceSkipped(asked, f"names a host that does not resolve ({host})")
        for address in addresses:  # every address must be allowed: a resolver may hand out any of them
            if problem := address_problem(address, self.policy.allow):
                where = "" if url == asked else f"redirects to {host}, which "
                raise SourceSkipped(asked, f"{where}{problem}")
        return parsed.copy_with(host=addresses[0]), host

    async def _get(
        self, client: httpx.AsyncClient, asked: str, pinned: httpx.URL, host: str, limit: int, *, page: bool
    ) -> _Response:
        """GET the pinned URL with the host named in ``Host`` and SNI, reading at most ``limit`` bytes."""
        port = f":{pinned.port}" if pinned.port else ""
        headers = {
            "Host": f"{host}{port}",
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        }
        extensions = {"sni_hostname": host} if pinned.scheme == "https" else {}
        request = client.build_request("GET", pinned, headers=headers, extensions=extensions)
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise SourceSkipped(asked, f"could not be fetched ({type(exc).__name__}: {exc})"[:300]) from None
        try:
            if page and 200 <= response.status_code < 300:
                media, _ = _media(response.headers)
                if media not in MEDIA_KINDS:
                    raise SourceSkipped(
                        asked, f"is {media or 'of no stated type'}, not a page or document humangate reads"
                    )
            body = await _read(response, asked, limit) if response.status_code not in _REDIRECTS else b""
        except httpx.HTTPError as exc:
            raise SourceSkipped(asked, f"broke off while being read ({type(exc).__name__})") from None
        finally:
            await response.aclose()
        return _Response(response.status_code, response.reason_phrase, response.headers, body)


def fetcher_from_settings(settings: Settings) -> Fetcher:
    """Return a ``Fetcher`` with the operator's allow-list (``HUMANGATE_FETCH_ALLOW``), deadline and size limit."""
    policy = FetchPolicy(
        allow=parse_networks(settings.fetch_allow),
        timeout_seconds=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
    )
    return Fetcher(policy)


async def _read(response: httpx.Response, asked: str, limit: int) -> bytes:
    """Read the body, stopping once more than ``limit`` bytes arrived or would be inflated."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise SourceSkipped(asked, f"is {int(length):,} bytes, more than the limit of {limit:,}")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise SourceSkipped(asked, f"is compressed as {encoding[:40]}, which humangate does not read")
    inflate = zlib.decompressobj(wbits=47) if encoding not in ("", "identity") else None
    body = bytearray()
    raw = 0
    too_big = SourceSkipped(asked, f"is more than the limit of {limit:,} bytes; reading stopped there")
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        if raw > limit:
            raise too_big
        if inflate is None:
            body += chunk
        else:
            try:
                body += inflate.decompress(chunk, limit + 1 - len(body))
            except zlib.error as exc:
                raise SourceSkipped(asked, f"has a broken {encoding} body ({exc})") from None
            if inflate.unconsumed_tail:
                raise too_big
        if len(body) > limit:
            raise too_big
    return bytes(body)


def _media(headers: httpx.Headers) -> tuple[str, str | None]:
    value = headers.get("content-type", "")
    media = value.split(";", 1)[0].strip().lower()
    charset = None
    for param in value.split(";")[1:]:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")[:40]
    return media, charset


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.raw_host.decode('ascii')}{port}"
