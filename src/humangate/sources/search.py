"""Web search behind a small interface: a provider turns a query into result URLs, which are then fetched.

Search is optional and off unless configured with a key (``HUMANGATE_SEARCH_PROVIDER``,
``HUMANGATE_SEARCH_KEY``, optionally ``HUMANGATE_SEARCH_URL`` for another endpoint of the same API). The one
built-in provider speaks the Brave Search API; anything with a ``search(query, limit)`` method fits. The
provider's endpoint is the operator's, so it is called directly; the result URLs are untrusted and go
through the ``Fetcher`` with all its checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from humangate.config import Settings
from humangate.errors import SourceSkipped

__all__ = ["BRAVE_URL", "BraveSearch", "SearchHit", "SearchProvider", "search_provider"]

BRAVE_URL = "https://api.search.brave.com/res/v1/web/search"


@dataclass(frozen=True)
class SearchHit:
    """One search result: the page's URL, its title and the provider's snippet."""

    url: str
    title: str = ""
    snippet: str = ""


class SearchProvider(Protocol):
    """Anything that searches the web: ``search`` returns at most ``limit`` hits or raises ``SourceSkipped``."""

    @property
    def name(self) -> str:
        """Return the provider's name, as notes show it."""
        ...

    def search(self, query: str, *, limit: int = 3) -> list[SearchHit]:
        """Return the top hits for ``query``."""
        ...


@dataclass(frozen=True)
class BraveSearch:
    """The Brave Search API (``X-Subscription-Token``); ``url`` may point at another endpoint of the same API."""

    key: str
    url: str = BRAVE_URL
    timeout_seconds: float = 15.0
    transport: httpx.BaseTransport | None = None
    name: str = "brave"

    def search(self, query: str, *, limit: int = 3) -> list[SearchHit]:
        """Return the top web results for ``query``."""
        try:
            with httpx.Client(transport=self.transport, timeout=self.timeout_seconds, trust_env=False) as client:
                response = client.get(
                    self.url,
                    params={"q": query[:400], "count": max(1, min(limit, 20))},
                    headers={"X-Subscription-Token": self.key, "Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            raise SourceSkipped(f"web search for {query[:80]!r}", f"failed ({type(exc).__name__}: {exc})") from None
        if response.status_code != 200:
            raise SourceSkipped(f"web search for {query[:80]!r}", f"was answered {response.status_code} by {self.name}")
        try:
            results = response.json().get("web", {}).get("results", [])
            hits = [
                SearchHit(str(r["url"]), str(r.get("title", ""))[:500], str(r.get("description", ""))[:1_000])
                for r in results
                if isinstance(r, dict) and isinstance(r.get("url"), str)
            ]
        except (ValueError, AttributeError) as exc:
            raise SourceSkipped(f"web search for {query[:80]!r}", f"returned no readable results ({exc})") from None
        return hits[:limit]


def search_provider(settings: Settings) -> SearchProvider | None:
    """Return the configured web search (``Settings`` checked the provider and its key), or None."""
    if not settings.search_provider or not settings.search_key:
        return None
    return BraveSearch(key=settings.search_key, url=settings.search_url or BRAVE_URL)
