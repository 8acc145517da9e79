"""Where a task's material comes from: files in a folder, web pages, web search, and CSV files of items.

- ``local``: an item's files, read only inside the folder the user gave (no "..", no links out);
- ``documents``, ``html``, ``office``: markdown, text, HTML, PDF and DOCX into sources with titles and
  page or section anchors; an unreadable file is skipped with its reason;
- ``urls``, ``fetch``: URLs from task text and CSV cells, fetched from public addresses only, with
  robots.txt, redirect, size and time limits;
- ``search``: an optional web-search provider behind a small interface;
- ``gather``: one item's sources from all of the above;
- ``table``: CSV files of items, whatever their delimiter and encoding.
"""

from __future__ import annotations

from humangate.sources.documents import DOCUMENT_SUFFIXES, MEDIA_KINDS, read_document
from humangate.sources.fetch import Fetched, Fetcher, FetchPolicy, fetcher_from_settings
from humangate.sources.gather import URL_COLUMNS, ItemSources, SourceGatherer, page_sources
from humangate.sources.local import FolderReading, item_sources, read_folder
from humangate.sources.search import BraveSearch, SearchHit, SearchProvider, search_provider
from humangate.sources.table import read_csv_rows
from humangate.sources.urls import cell_urls, find_urls

__all__ = [
    "DOCUMENT_SUFFIXES",
    "MEDIA_KINDS",
    "URL_COLUMNS",
    "BraveSearch",
    "FetchPolicy",
    "Fetched",
    "Fetcher",
    "FolderReading",
    "ItemSources",
    "SearchHit",
    "SearchProvider",
    "SourceGatherer",
    "cell_urls",
    "fetcher_from_settings",
    "find_urls",
    "item_sources",
    "page_sources",
    "read_csv_rows",
    "read_document",
    "read_folder",
    "search_provider",
]
