"""Gather one item's sources: files in the given folder, pages the task or a URL column names, web search.

Per item, in order: the item's sub-folder of ``--source`` (``humangate.sources.local``), the URLs in its
URL columns (``url``, ``website``, ``links``...; a ``sources`` value that is a URL counts too) and the URLs
in the task's text, which every item reads. When that gives nothing and a web search is configured, the
item's subject is searched and the top results fetched. Pages are fetched with ``Fetcher`` (public
addresses, robots.txt, size and time limits); a page or file that is skipped is listed with the reason,
and the run goes on without it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from humangate.core.schemas import Source
from humangate.errors import SourceSkipped
from humangate.sources.documents import MEDIA_KINDS, read_document
from humangate.sources.fetch import Fetched, Fetcher
from humangate.sources.local import item_sources
from humangate.sources.search import SearchProvider
from humangate.sources.urls import cell_urls

__all__ = ["MAX_ITEM_SOURCES", "URL_COLUMNS", "ItemSources", "SourceGatherer", "page_sources", "web_id"]

URL_COLUMNS = ("url", "urls", "source_url", "source_urls", "website", "web", "link", "links", "page", "pages")
"""CSV columns whose cells name pages to fetch for their item."""
MAX_ITEM_SOURCES = 200  # what one run's input holds


@dataclass
class ItemSources:
    """One item's sources, what was refused (paths, schemes) and what was skipped (unreadable files or pages)."""

    sources: list[Source] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def web_id(url: str) -> str:
    """Return the source id of a fetched page: ``web/<host>/<path>``, safe characters only."""
    parsed = httpx.URL(url)
    path = parsed.path.strip("/") + (f"-{parsed.query.decode('ascii', 'replace')}" if parsed.query else "")
    tail = re.sub(r"[^A-Za-z0-9._/-]+", "-", path).strip("-/")
    return f"web/{parsed.host}" + (f"/{tail}" if tail else "")


def page_sources(page: Fetched) -> tuple[list[Source], list[str]]:
    """Return a fetched page's sources (its title, text and section anchors) and notes on what was left out."""
    kind = MEDIA_KINDS.get(page.media_type)
    if kind is None:
        raise SourceSkipped(page.url, f"is {page.media_type}, not a page or document humangate reads")
    return read_document(
        page.body, kind=kind, doc_id=web_id(page.final_url)[:150], url=page.final_url, charset=page.charset
    )


def _value(item: Mapping[str, Any], name: str) -> str:
    for key, value in item.items():
        if str(key).strip().lower() == name and isinstance(value, str):
            return value.strip()
    return ""


@dataclass
class SourceGatherer:
    """Find each item's sources under the operator's folder, fetcher and search (each optional)."""

    root: Path | None = None
    fetcher: Fetcher | None = None
    search: SearchProvider | None = None
    task_urls: list[str] = field(default_factory=list)
    search_limit: int = 3

    def item_urls(self, item: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """Return the URLs an item's cells name, then the task's, and the cell values refused."""
        urls: list[str] = []
        refused: list[str] = []
        for column in (*URL_COLUMNS, "sources", "source"):
            value = _value(item, column)
            if not value or (column in ("sources", "source") and "://" not in value and not value.startswith("www.")):
                continue  # a plain sources value names a sub-folder
            found, bad = cell_urls(value)
            urls += found
            refused += [f"the {column} value {b}" for b in bad]
        return list(dict.fromkeys([*urls, *self.task_urls])), refused

    def prefetch(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Fetch every page the items name at once (a few at a time), so that gathering finds them ready."""
        if self.fetcher is not None:
            self.fetcher.fetch_many(list(dict.fromkeys(u for item in items for u in self.item_urls(item)[0])))

    def gather(self, item: Mapping[str, Any], names: list[str], where: str, subject: str) -> ItemSources:
        """Return the sources of one item (see the module doc); ``where`` starts each note ("Item 2 (Acme)")."""
        found = ItemSources()
        found.sources, found.refused = item_sources(item, names, self.root, where, found.skipped)
        urls, bad = self.item_urls(item)
        found.refused += [f"{where}: {b}." for b in bad]
        if not found.sources and not urls and self.search is not None and self.fetcher is not None:
            try:
                hits = self.search.search(subject, limit=self.search_limit)
            except SourceSkipped as exc:
                found.skipped.append(f"{where}: {exc}")
                hits = []
            urls = [h.url for h in hits]
            found.notes.append(
                f"{where}: searched the web ({self.search.name}) for {subject!r}: {len(urls)} result(s)."
            )
        if urls and self.fetcher is None:
            found.skipped += [f"{where}: the page {u[:200]} was skipped: fetching pages is off here." for u in urls]
            urls = []
        for url, page in zip(urls, self.fetcher.fetch_many(urls) if self.fetcher and urls else [], strict=True):
            try:
                if isinstance(page, SourceSkipped):
                    raise page
                sources, notes = page_sources(page)
            except SourceSkipped as exc:
                found.skipped.append(f"{where}: the page {url[:200]} was skipped: it {exc.reason}.")
                continue
            except Exception as exc:  # a page no reader takes is skipped; the item keeps its other sources
                found.skipped.append(
                    f"{where}: the page {url[:200]} was skipped: it could not be read ({type(exc).__name__})."
                )
                continue
            known = {s.id for s in found.sources}
            found.sources += [s for s in sources if s.id not in known]
            found.skipped += [f"{where}: the page {url[:200]}: {note}." for note in notes]
        if len(found.sources) > MAX_ITEM_SOURCES:
            found.skipped.append(
                f"{where}: only the first {MAX_ITEM_SOURCES} of {len(found.sources)} pages and sections were kept."
            )
            found.sources = found.sources[:MAX_ITEM_SOURCES]
        return found
